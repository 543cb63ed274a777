//! Sharp's guard on the GPU (lavapipe without a GPU): the kernel divides by
//! sqrt(max(|λ|, floor)) with the floor of `model::spectral::sharp_floor`, 2^-17 Σ|λ| of C's
//! own spectrum (docs/math.md §8), so a C at any scale gets the CPU's B, and a whole run learns
//! every mode at the step of the f64 reference without a guard (`common::exact`).

mod common;

use common::ctx;
use common::exact::{code_steps_to_all, Exact};
use faer::Mat;
use stepwise::data::rng::Rng;
use stepwise::experiment::appg::{AppgConfig, CpuVariants};
use stepwise::experiment::{prepare, Config};
use stepwise::gpu::{spectral_update_once, GpuVariants};
use stepwise::linalg::sym_eigen;
use stepwise::model::spectral::{signed_sqrt, update_matrix, LossVariant};

/// Row-major f32 Q diag(values) Qᵀ, Q random orthogonal.
fn with_spectrum(values: &[f64], seed: u64) -> Vec<f32> {
    let d = values.len();
    let mut r = Rng::new(seed, 0);
    let q = Mat::from_fn(d, d, |_, _| r.normal()).qr().compute_Q();
    let scaled = Mat::from_fn(d, d, |i, j| q[(i, j)] * values[j]);
    let c = &scaled * q.transpose();
    (0..d * d).map(|e| c[(e / d, e % d)] as f32).collect()
}

/// B = 2 Q diag(ℓ'(λ)) Qᵀ with sharp's exact ℓ'(λ) = (sign(λ) sqrt|λ| − 1)/sqrt|λ|, no guard.
fn unguarded(c: &Mat<f64>) -> Mat<f64> {
    let e = sym_eigen(c.as_ref()).expect("finite C");
    let q = &e.vectors;
    let scaled = Mat::from_fn(c.nrows(), c.ncols(), |i, j| {
        let l = e.values[j];
        q[(i, j)] * 2.0 * (signed_sqrt(l) - 1.0) / l.abs().sqrt()
    });
    &scaled * q.transpose()
}

/// max |gpu − f64| / max |f64| for sharp's B at C (the GPU's B checked finite), against B
/// without a guard (`exact`), else the CPU's `update_matrix`.
fn sharp_error(d: usize, c: &[f32], exact: bool) -> f64 {
    let g = ctx();
    let v = LossVariant::Sharp;
    let gpu = pollster::block_on(spectral_update_once(
        &g.device, &g.queue, v, d, 0.1, c, None,
    ))
    .expect("kernel");
    assert!(gpu.iter().all(|b| b.is_finite()), "{gpu:?}");
    let cm = Mat::from_fn(d, d, |i, j| f64::from(c[i * d + j]));
    let exact = if exact {
        unguarded(&cm)
    } else {
        update_matrix(v, cm.as_ref(), None, 0.1).expect("finite C")
    };
    let (mut worst, mut largest) = (0.0f64, 0.0f64);
    for (e, b) in gpu.iter().enumerate() {
        let x = exact[(e / d, e % d)];
        largest = largest.max(x.abs());
        worst = worst.max((f64::from(*b) - x).abs());
    }
    worst / largest
}

/// C = Q diag(4, …, 0.5) Qᵀ times 1e-12 (small init), 1e-6 and 1: the floor (2^-17 Σ|λ|)
/// lies far below every eigenvalue, so the GPU's B is the one without a guard, to 1e-4 of its
/// largest entry. (A floor fixed at 1e-4 made B ~1e4 times too small at the scale 1e-12:
/// ℓ' = −1/sqrt(1e-4) where it is −1/sqrt(λ) ≈ −1e6.) C = 0: the CPU's B, finite.
#[test]
fn the_floor_follows_the_scale_of_c() {
    let mut worst: f64 = 0.0;
    for (s, d) in [1, 3, 5, 13].into_iter().enumerate() {
        let values: Vec<f64> = (0..d).map(|k| 4.0 - 3.5 * k as f64 / d as f64).collect();
        for scale in [1e-12, 1e-6, 1.0] {
            let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
            let err = sharp_error(d, &with_spectrum(&scaled, 40 + s as u64), true);
            assert!(err < 1e-4, "d = {d}, scale {scale}: {err:.2e}");
            worst = worst.max(err);
        }
        // every eigenvalue 0: the least floor 1e-30 keeps B = −2e15 I finite
        let err = sharp_error(d, &vec![0.0; d * d], false);
        assert!(err < 1e-4, "d = {d}, C = 0: {err:.2e}");
    }
    eprintln!("sharp at the scales 1e-12, 1e-6, 1 and 0: worst {worst:.2e}");
}

/// The small preset (α = 1e-6) near sharp's stable η on the GPU: every mode learned at the
/// CPU's step and within 3% of the f64 reference without a guard.
#[test]
fn a_gpu_sharp_run_learns_every_mode_as_the_f64_reference() {
    let cfg = AppgConfig::preset("small").expect("preset");
    let prep = prepare(&cfg.run).expect("prepare");
    let lr = 0.85 / prep.eigen.values[0];
    let v = LossVariant::Sharp;
    let mut gpu = GpuVariants::new(ctx(), &prep, &cfg);
    let mut cpu = CpuVariants::new(&prep, &cfg);
    let on_gpu = code_steps_to_all(&mut gpu, &prep, v, lr, cfg.threshold).expect("GPU learned");
    let on_cpu = code_steps_to_all(&mut cpu, &prep, v, lr, cfg.threshold).expect("CPU learned");
    let exact = Exact::new(&prep, cfg.a)
        .steps_to_all(v, lr, prep.steps(), cfg.threshold)
        .expect("the reference learned");
    eprintln!("sharp at 0.85/γ_1: GPU {on_gpu} steps, CPU {on_cpu}, f64 without a guard {exact}");
    assert!(on_gpu.abs_diff(on_cpu) <= 1, "GPU {on_gpu}, CPU {on_cpu}");
    assert!(
        (on_gpu as f64 / exact as f64 - 1.0).abs() < 0.03,
        "GPU {on_gpu}, f64 {exact}"
    );
}
