//! The MLP's WGSL kernels (relu, sgd, ntk, matmul Aᵀ·B) against plain-Rust references, on
//! lavapipe. Like tests/gpu_backend.rs, nothing here is skipped without an adapter.
//!
//! Tolerances: relu and its derivative are exact (selects and copies); the sgd step is one
//! fma per entry, within 1 ulp-scale 1e-6 relative; the NTK entries are sums of h + m
//! products in f32 against the f64 formula: 1e-5 of Σ|terms| (the K of a ReLU net is a sum
//! of non-negative terms plus a small signed x·y part, so the largest entry bounds it).

mod common;
use common::ctx;

use faer::Mat;
use stepwise::data::rng::Rng;
use stepwise::gpu::{empirical_ntk_gpu, relu_once, sgd_once, NtkWeights};
use stepwise::model::mlp::{self, MlpShape, MlpWeights};
use stepwise::theory::ntk::empirical_ntk;

fn normals(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed, 7);
    (0..len).map(|_| rng.normal() as f32).collect()
}

#[test]
fn relu_forward_and_backward_are_exact() {
    let c = ctx();
    for (rows, cols) in [(1, 1), (7, 13), (33, 2049), (10, 6)] {
        let z = normals(rows * cols, rows as u64);
        let delta = normals(rows * cols, cols as u64);
        let fwd = pollster::block_on(relu_once(&c.device, &c.queue, (rows, cols), &z, None))
            .expect("relu forward");
        let want: Vec<f32> = z.iter().map(|v| v.max(0.0)).collect();
        assert_eq!(fwd, want, "forward {rows}x{cols}");
        let bwd = pollster::block_on(relu_once(
            &c.device,
            &c.queue,
            (rows, cols),
            &fwd,
            Some(&delta),
        ))
        .expect("relu backward");
        let mut want = Mat::from_fn(rows, cols, |i, j| delta[i * cols + j]);
        let hidden = Mat::from_fn(rows, cols, |i, j| fwd[i * cols + j]);
        mlp::relu_backward_in_place(&mut want, hidden.as_ref());
        assert_eq!(bwd, mlp::row_major(want.as_ref()), "backward {rows}x{cols}");
    }
}

#[test]
fn sgd_step_with_and_without_momentum() {
    let c = ctx();
    let len = 4 * 37;
    let (w, g, v) = (normals(len, 1), normals(len, 2), normals(len, 3));
    for momentum in [None, Some(0.9f32)] {
        let (w1, v1) = pollster::block_on(sgd_once(
            &c.device,
            &c.queue,
            (0.05, momentum),
            (&w, &g, &v),
        ))
        .expect("sgd");
        for i in 0..len {
            let vel = momentum.map_or(g[i], |mu| mu * v[i] + g[i]);
            let want = w[i] - 0.05 * vel;
            assert!(
                (w1[i] - want).abs() <= 1e-6 * (1.0 + want.abs()),
                "{momentum:?} w[{i}]"
            );
            if momentum.is_some() {
                assert!((v1[i] - vel).abs() <= 1e-6 * (1.0 + vel.abs()), "v[{i}]");
            }
        }
    }
}

#[test]
fn ntk_matches_the_cpu_formula() {
    let c = ctx();
    for (rows, inputs, hidden, outputs) in [(10, 6, 37, 3), (38, 49, 130, 5)] {
        let shape = MlpShape {
            inputs,
            hidden,
            outputs,
        };
        // a readout of order one, so both NTK terms matter
        let w = MlpWeights::init(shape, 1.0, 3.0, 11);
        let mut x = normals(rows * (inputs + 1), 5);
        for i in 0..rows {
            x[i * (inputs + 1) + inputs] = 1.0;
        }
        let xm = Mat::from_fn(rows, inputs + 1, |i, j| x[i * (inputs + 1) + j]);
        let want = empirical_ntk(&w, xm.as_ref());
        let weights = NtkWeights {
            hidden,
            w1: &mlp::row_major(w.w1.as_ref()),
            w2: &mlp::row_major(w.w2.as_ref()),
        };
        let got = pollster::block_on(empirical_ntk_gpu(
            &c.device,
            &c.queue,
            (rows, inputs + 1),
            &x,
            &weights,
        ))
        .expect("gpu ntk");
        let scale = (0..rows).map(|i| want[(i, i)]).fold(0.0, f64::max);
        let worst = (0..rows * rows)
            .map(|k| (f64::from(got[k]) - want[(k / rows, k % rows)]).abs())
            .fold(0.0, f64::max);
        eprintln!("ntk {rows}x{rows} (h = {hidden}): worst |Δ| = {worst:.2e} of max K {scale:.2}");
        assert!(
            worst <= 1e-5 * scale,
            "ntk worst {worst:.2e} > 1e-5 · {scale:.2}"
        );
    }
}
