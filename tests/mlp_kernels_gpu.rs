//! The MLP's WGSL kernels (relu, sgd of both layers, ntk, matmul Aᵀ·B, matmul with the
//! relu, relu-mask and descent epilogues) against plain-Rust references, on lavapipe. Like
//! tests/gpu_backend.rs, nothing here is skipped without an adapter.
//!
//! Tolerances: relu and its derivative are exact (selects and copies); the sgd step is one
//! or two fmas per entry, within 1e-6 relative; the epilogues as the matmul (1e-5 of Σ|a b|,
//! plus |c| for the descent), with masked entries exactly zero; the NTK entries are sums of
//! h + m products in f32 against the f64 formula: 1e-5 of Σ|terms| (the K of a ReLU net is a sum
//! of non-negative terms plus a small signed x·y part, so the largest entry bounds it).

mod common;
use common::ctx;

use faer::Mat;
use stepwise::data::rng::Rng;
use stepwise::gpu::{
    empirical_ntk_gpu, matmul_epilogue_once, reference, relu_once, sgd_once, Epilogue, MatmulShape,
    NtkWeights,
};
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
fn momentum_sgd_of_both_layers() {
    let c = ctx();
    // layers of awkward lengths (as padded matrices are: multiples of 4, not of the workgroup)
    let (len1, len2) = (4 * 37, 4 * 91);
    let data = |len, seed| {
        (
            normals(len, seed),
            normals(len, seed + 1),
            normals(len, seed + 2),
        )
    };
    let (l1, l2) = (data(len1, 1), data(len2, 4));
    let layer = |l: &(Vec<f32>, Vec<f32>, Vec<f32>)| (l.0.clone(), l.1.clone(), l.2.clone());
    for momentum in [0.0, 0.9f32] {
        let ((w1, g1, v1), (w2, g2, v2)) = (layer(&l1), layer(&l2));
        let got = pollster::block_on(sgd_once(
            &c.device,
            &c.queue,
            (0.05, momentum),
            [(&w1, &g1, &v1), (&w2, &g2, &v2)],
        ))
        .expect("sgd");
        let inputs = [(&w1, &g1, &v1), (&w2, &g2, &v2)];
        for (layer, ((w, v), (w0, g0, v0))) in got.iter().zip(inputs).enumerate() {
            let (want_w, want_v) = reference::sgd((0.05, Some(momentum)), (w0, g0, v0));
            for (name, got, want) in [("w", w, want_w), ("v", v, want_v)] {
                assert_eq!(got.len(), want.len(), "{momentum:?} layer {layer} {name}");
                for (i, (x, y)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (f64::from(*x) - y).abs() <= 1e-6 * (1.0 + y.abs()),
                        "{momentum:?} layer {layer} {name}[{i}]: {x} vs {y}"
                    );
                }
            }
        }
    }
}

/// The relu, relu-mask and descent epilogues on every entry point (wide `ab`, `abt`, `atb`
/// and the narrow `abt`) at awkward sizes, against the f64 reference: entries within 1e-5 of
/// Σ|a b| (f32 sums; plus |c| for the descent), and masked entries exactly zero.
#[test]
fn matmul_epilogues_match_the_reference() {
    let c = ctx();
    let shapes = [
        MatmulShape::ab(13, 37, 7),
        MatmulShape::abt(13, 37, 9),
        MatmulShape::abt(5, 6, 41),
        MatmulShape::atb(21, 10, 13),
        MatmulShape::ab(75, 131, 3),
    ];
    for (s, shape) in shapes.into_iter().enumerate() {
        let (m, n, k) = (shape.m, shape.n, shape.k);
        let seed = 10 * s as u64;
        let (a, b) = (normals(m * k, seed), normals(k * n, seed + 1));
        let (old, aux) = (normals(m * n, seed + 2), normals(m * n, seed + 3));
        let epilogues = [
            Epilogue::Relu,
            Epilogue::ReluMask { frozen: n - 1 },
            Epilogue::ReluMask { frozen: n / 2 },
            Epilogue::Descend { lr: 0.3 },
        ];
        for epilogue in epilogues {
            let got = pollster::block_on(matmul_epilogue_once(
                &c.device,
                &c.queue,
                (shape, epilogue),
                (&a, &b),
                (&old, &aux),
            ))
            .expect("matmul");
            let want = reference::matmul_epilogue((shape, epilogue), (&a, &b), (&old, &aux));
            let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
            let bound = reference::matmul(shape, &abs(&a), &abs(&b));
            assert_eq!(got.len(), want.len());
            for (i, ((x, y), e)) in got.iter().zip(&want).zip(&bound).enumerate() {
                let what = format!("{shape:?} {epilogue:?} [{i}]: {x} vs {y}");
                if *y == 0.0 && matches!(epilogue, Epilogue::ReluMask { .. }) {
                    assert_eq!(*x, 0.0, "{what}");
                }
                let scale = 1.0 + e + f64::from(old[i].abs());
                assert!((f64::from(*x) - y).abs() <= 1e-5 * scale, "{what}");
                if matches!(epilogue, Epilogue::Relu) {
                    assert!(*x >= 0.0, "{what}");
                }
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
