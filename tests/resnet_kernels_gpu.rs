//! The small ResNet's WGSL kernels (docs/deep.md §1–2) against the naive reference ops of
//! `model::resnet::ops`, on lavapipe, at awkward sizes: odd sides (5, 7, 9), channel counts
//! 3, 5, 13, strides 1 and 2, K = 1 and 3, batch 3. Like tests/gpu_backend.rs, nothing here
//! is skipped without an adapter.
//!
//! Tolerances: every output is a sum of f32 products; it must match the f64 reference within
//! 1e-5 of the sum of the absolute values of its terms (bounded here by
//! 1e-5 · (|reference| + scale), with `scale` the largest |reference| entry: a sum of a few
//! hundred to a few thousand f32 terms in any order is within ~n·2⁻²⁴ of that). The
//! elementwise kernels (relu mask, add, repack) are exact.

mod common;
use common::{ctx, values};

use stepwise::gpu::batchnorm::{batchnorm_backward_once, batchnorm_forward_once, BnParams, RELU};
use stepwise::gpu::conv2d::{conv_once, ConvParams, ConvPass, ConvStyle};
use stepwise::gpu::eltwise::{eltwise_once, ADD};
use stepwise::gpu::momentum_sgd::momentum_sgd_once;
use stepwise::gpu::pool::{pool_once, PoolParams};
use stepwise::model::resnet::ops::{self, ConvShape};

/// Asserts |got − want| ≤ tol · (|want| + max |want|) entrywise.
fn assert_close(got: &[f32], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (f64::from(g) - w).abs();
        assert!(
            err <= tol * (w.abs() + scale) + 1e-30,
            "{what}[{i}]: gpu {g}, reference {w} (scale {scale})"
        );
    }
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// The awkward geometries: (batch, side, cin, cout, k, stride); the last four have channel
/// counts that are multiples of 4 (the vec4 kernels, with odd numbers of vec4s).
const CONVS: [(usize, usize, usize, usize, usize, usize); 10] = [
    (3, 9, 3, 5, 3, 1),
    (3, 9, 5, 13, 3, 2),
    (3, 7, 13, 5, 3, 2),
    (3, 5, 5, 13, 1, 2),
    (3, 7, 3, 5, 1, 1),
    (2, 5, 13, 3, 3, 1),
    (3, 9, 4, 12, 3, 2),
    (3, 7, 12, 4, 3, 1),
    (3, 5, 8, 8, 1, 2),
    (3, 9, 20, 12, 3, 1),
];

fn shapes() -> impl Iterator<Item = (ConvShape, ConvParams)> {
    CONVS
        .into_iter()
        .map(|(batch, side, cin, cout, k, stride)| {
            let s = ConvShape {
                batch,
                side,
                cin,
                cout,
                k,
                stride,
            };
            let p = ConvParams::new((batch, side, cin, cout), (k, stride), (0, 0)).expect("params");
            assert_eq!(p.out_side as usize, s.out_side());
            assert_eq!(p.vec4(), cin.is_multiple_of(4) && cout.is_multiple_of(4));
            (s, p)
        })
}

#[test]
fn conv_forward_and_backward_match_the_reference() {
    let c = ctx();
    // both styles: the unrolled (vec4 where the channels allow) and the compact kernels
    // SwiftShader gets (src/gpu/conv2d.rs `ConvStyle`)
    let styles = [ConvStyle::Unrolled, ConvStyle::Compact];
    for (i, (style, (s, p))) in styles
        .iter()
        .flat_map(|&style| shapes().map(move |sp| (style, sp)))
        .enumerate()
    {
        let run = |p, pass, w: &[f32], data: &[f32], dy: Option<&[f32]>| {
            pollster::block_on(conv_once(
                &c.device,
                &c.queue,
                (p, pass, style),
                w,
                data,
                dy,
            ))
            .expect("conv on the GPU")
        };
        let seed = 10 * i as u64;
        let x = values(s.input_len(), seed + 1);
        let w = values(s.weight_len(), seed + 2);
        let dy = values(s.output_len(), seed + 3);
        let (x64, w64, dy64) = (f64s(&x), f64s(&w), f64s(&dy));
        let y = run(p, ConvPass::Forward, &w, &x, None);
        assert_close(
            &y,
            &ops::conv2d_forward(&s, &x64, &w64),
            1e-5,
            &format!("{style:?} {s:?} y"),
        );
        let dx = run(p, ConvPass::BackwardInput, &w, &dy, None);
        let want = ops::conv2d_backward_input(&s, &dy64, &w64);
        assert_close(&dx, &want, 1e-5, &format!("{style:?} {s:?} dx"));
        let dw = run(p, ConvPass::BackwardWeights, &w, &x, Some(&dy));
        let want = ops::conv2d_backward_weights(&s, &x64, &dy64);
        assert_close(&dw, &want, 1e-5, &format!("{style:?} {s:?} dw"));
    }
}

#[test]
fn conv_weight_gradient_sums_over_several_chunks() {
    // 3 x 33² output pixels = 3267: four chunks of 1024 pixels, the last one partial
    for style in [ConvStyle::Unrolled, ConvStyle::Compact] {
        for (cin, cout) in [(3, 5), (4, 12)] {
            chunked_weight_gradient(cin, cout, style);
        }
    }
}

fn chunked_weight_gradient(cin: usize, cout: usize, style: ConvStyle) {
    let c = ctx();
    let s = ConvShape {
        batch: 3,
        side: 33,
        cin,
        cout,
        k: 3,
        stride: 1,
    };
    let p = ConvParams::new((3, 33, cin, cout), (3, 1), (0, 0)).expect("params");
    assert_eq!(p.chunks, 4);
    let (x, dy) = (values(s.input_len(), 7), values(s.output_len(), 8));
    let w = values(s.weight_len(), 9);
    let dw = pollster::block_on(conv_once(
        &c.device,
        &c.queue,
        (p, ConvPass::BackwardWeights, style),
        &w,
        &x,
        Some(&dy),
    ))
    .expect("conv dW");
    let want = ops::conv2d_backward_weights(&s, &f64s(&x), &f64s(&dy));
    assert_close(&dw, &want, 1e-5, "chunked dw");
}

/// (pixels, channels) of the batchnorm tests: batch 3 of 5x5 and 7x7 images, 3 / 5 / 13
/// channels, one P below the workgroup width and one over 13 chunks of 256 pixels (the last
/// partial); 4 and 12 channels take the vec4 passes.
const BNS: [(usize, usize); 7] = [
    (75, 3),
    (147, 13),
    (3 * 81, 5),
    (7, 5),
    (3 * 33 * 33, 5),
    (3 * 49, 12),
    (3 * 33 * 33, 4),
];

#[test]
fn batchnorm_forward_matches_the_reference() {
    let c = ctx();
    for (i, (pixels, channels)) in BNS.into_iter().enumerate() {
        let x: Vec<f32> = values(pixels * channels, 20 + i as u64)
            .iter()
            .map(|v| 3.0 * v + 0.5)
            .collect();
        let gamma: Vec<f32> = values(channels, 30 + i as u64)
            .iter()
            .map(|v| 1.0 + v)
            .collect();
        let beta = values(channels, 40 + i as u64);
        let residual = values(pixels * channels, 50 + i as u64);
        let (y64, stats) = ops::batchnorm_forward(&f64s(&x), channels, &f64s(&gamma), &f64s(&beta));
        for (flags, res) in [(0, None), (RELU, Some(&residual[..]))] {
            let p = BnParams::new((pixels, channels), (0, 0), (0, 0), flags, 1e-5).expect("params");
            let (y, mean, inv_std) = pollster::block_on(batchnorm_forward_once(
                &c.device,
                &c.queue,
                p,
                (&x, &gamma, &beta),
                res,
            ))
            .expect("batchnorm forward");
            assert_close(&mean, &stats.mean, 1e-5, "mean");
            assert_close(&inv_std, &stats.inv_std, 1e-5, "inv_std");
            let want: Vec<f64> = match res {
                None => y64.clone(),
                Some(r) => {
                    let added: Vec<f64> =
                        y64.iter().zip(r).map(|(y, r)| y + f64::from(*r)).collect();
                    ops::relu_forward(&added)
                }
            };
            assert_close(
                &y,
                &want,
                1e-5,
                &format!("bn y {pixels}x{channels} flags {flags}"),
            );
        }
    }
}

#[test]
fn batchnorm_backward_matches_the_reference() {
    let c = ctx();
    for (i, (pixels, channels)) in BNS.into_iter().enumerate() {
        let x: Vec<f32> = values(pixels * channels, 60 + i as u64)
            .iter()
            .map(|v| 2.0 * v - 0.3)
            .collect();
        let gamma: Vec<f32> = values(channels, 70 + i as u64)
            .iter()
            .map(|v| 1.0 + v)
            .collect();
        let dy = values(pixels * channels, 80 + i as u64);
        let x64 = f64s(&x);
        let stats = ops::batchnorm_stats(&x64, channels);
        let want = ops::batchnorm_backward(&x64, &f64s(&gamma), &stats, &f64s(&dy));
        let p = BnParams::new((pixels, channels), (0, 0), (0, 0), 0, 1e-5).expect("params");
        let (dx, dgamma, dbeta) = pollster::block_on(batchnorm_backward_once(
            &c.device,
            &c.queue,
            p,
            (&x, &gamma, &dy),
        ))
        .expect("batchnorm backward");
        let what = format!("bn {pixels}x{channels}");
        assert_close(&dgamma, &want.dgamma, 1e-5, &format!("{what} dgamma"));
        assert_close(&dbeta, &want.dbeta, 1e-5, &format!("{what} dbeta"));
        // dx subtracts two means from dy: cancellation costs a few more ulps of the terms
        assert_close(&dx, &want.dx, 1e-4, &format!("{what} dx"));
    }
}

#[test]
fn relu_mask_and_residual_add_are_exact() {
    let c = ctx();
    for len in [1, 7, 975, 4099] {
        let (a, out) = (values(len, len as u64), values(len, 3 * len as u64));
        let padding = vec![7.0f32; len.next_multiple_of(4) - len];
        let masked = pollster::block_on(eltwise_once(&c.device, &c.queue, (0, true), &a, &out))
            .expect("relu mask");
        let mut want = ops::relu_backward(&a, &out);
        want.extend(&padding);
        assert_eq!(masked, want, "relu mask {len}");
        let added = pollster::block_on(eltwise_once(
            &c.device,
            &c.queue,
            (ADD | 1, false),
            &a,
            &out,
        ))
        .expect("add relu");
        let sum: Vec<f32> = a.iter().zip(&out).map(|(x, y)| x + y).collect();
        let mut want = ops::relu_forward(&sum);
        want.extend(&padding);
        assert_eq!(added, want, "add relu {len}");
    }
}

#[test]
fn global_average_pool_and_its_backward_match_the_reference() {
    let c = ctx();
    for (batch, hw, channels) in [(3, 25, 5), (3, 49, 13), (1, 1, 3), (5, 81, 3)] {
        let p = PoolParams::new(batch, hw, channels).expect("params");
        let x = values(batch * hw * channels, hw as u64);
        let h = pollster::block_on(pool_once(&c.device, &c.queue, p, &x, false)).expect("pool");
        let want = ops::global_avg_pool(&f64s(&x), batch, hw, channels);
        assert_close(&h, &want, 1e-6, "pool");
        let dh = values(batch * channels, 2 * hw as u64);
        let dx = pollster::block_on(pool_once(&c.device, &c.queue, p, &dh, true))
            .expect("pool backward");
        let want = ops::global_avg_pool_backward(&f64s(&dh), batch, hw, channels);
        assert_close(&dx, &want, 1e-6, "pool backward");
    }
}

#[test]
fn momentum_sgd_with_weight_decay_follows_pytorch() {
    let c = ctx();
    let len = 37;
    let (w, g, v) = (values(len, 1), values(len, 2), values(len, 3));
    let (lr, mu, wd) = (0.05f32, 0.9f32, 5e-4f32);
    let (w3, v3) = pollster::block_on(momentum_sgd_once(
        &c.device,
        &c.queue,
        (lr, mu, wd),
        (&w, &g, &v),
        3,
    ))
    .expect("sgd");
    let (mut wr, mut vr) = (f64s(&w), f64s(&v));
    for _ in 0..3 {
        for i in 0..len {
            vr[i] = f64::from(mu) * vr[i] + f64::from(g[i]) + f64::from(wd) * wr[i];
            wr[i] -= f64::from(lr) * vr[i];
        }
    }
    assert_close(&w3, &wr, 1e-6, "w");
    assert_close(&v3, &vr, 1e-6, "v");
}

#[test]
fn conv_style_is_compact_only_on_a_browser_cpu_adapter_or_swiftshader() {
    let native = ctx().adapter_info.clone();
    assert_eq!(
        ConvStyle::for_adapter(&native),
        ConvStyle::Unrolled,
        "{native:?}"
    );
    let browser = |device_type, name: &str| wgpu::AdapterInfo {
        backend: wgpu::Backend::BrowserWebGpu,
        device_type,
        name: name.into(),
        ..native.clone()
    };
    // Chromium's fallback adapter: no description, flagged as a fallback (a CPU device)
    let swiftshader = browser(wgpu::DeviceType::Cpu, "");
    assert_eq!(ConvStyle::for_adapter(&swiftshader), ConvStyle::Compact);
    let hardware = browser(wgpu::DeviceType::Other, "");
    assert_eq!(ConvStyle::for_adapter(&hardware), ConvStyle::Unrolled);
    let named = wgpu::AdapterInfo {
        name: "SwiftShader Device (Subzero)".into(),
        ..native
    };
    assert_eq!(ConvStyle::for_adapter(&named), ConvStyle::Compact);
}
