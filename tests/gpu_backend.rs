//! The GPU backend against plain-Rust references and the CPU backend (both solvers).
//!
//! No test here is skipped: without a GPU adapter (CI installs Mesa's lavapipe) every test
//! fails with a message saying so. Sizes stay small: lavapipe runs at a few GFLOP/s.
//!
//! Tolerances: a product entry may differ from the f64 reference by 1e-5 · Σ_k |a_ik b_kj|
//! (f32 with K ≤ 1200 terms; worst-case rounding is K·2⁻²⁴ ≈ 7e-5 of that sum, typical far
//! less); the update by 1e-5 · (|w| + 4η Σ_k |(C − I)_ik p_kj|); eigenvalues of C after a
//! run by 1e-3 absolute; weights by 1e-3 of the largest |W|.

mod common;
use common::{ctx, new_context, values};

use std::time::Instant;

use stepwise::experiment::{prepare, preset, LinearBackend, LinearRun, Prepared, Solver};
use stepwise::gpu::{
    linear_update_once, linear_update_with, matmul_once, reference, scale_columns_once,
    GpuLinearBackend, LinearUpdateParams, MatmulShape,
};

fn abs(v: &[f32]) -> Vec<f32> {
    v.iter().map(|x| x.abs()).collect()
}

/// Largest |gpu − exact| / scale over entries.
fn worst_ratio(gpu: &[f32], exact: &[f64], scale: &[f64]) -> f64 {
    assert_eq!(gpu.len(), exact.len());
    gpu.iter()
        .zip(exact)
        .zip(scale)
        .map(|((g, e), s)| (f64::from(*g) - e).abs() / s.max(1e-30))
        .fold(0.0, f64::max)
}

#[test]
fn matmul_matches_reference_at_awkward_sizes() {
    let c = ctx();
    let sizes = [
        (1, 1, 1),
        (7, 13, 5),
        (10, 108, 108),
        (33, 65, 17),
        (3, 300, 300),
        (5, 37, 37),
        (10, 10, 1200),
        (10, 1200, 1200),
        (129, 37, 201),
        (6, 2049, 101),
    ];
    let mut worst: f64 = 0.0;
    for (i, &(m, n, k)) in sizes.iter().enumerate() {
        for shape in [
            MatmulShape::ab(m, n, k),
            MatmulShape::abt(m, n, k),
            MatmulShape::atb(m, n, k),
        ] {
            let a = values(m * k, 2 * i as u64 + 1);
            let b = values(n * k, 2 * i as u64 + 2);
            let gpu = pollster::block_on(matmul_once(&c.device, &c.queue, shape, &a, &b))
                .unwrap_or_else(|e| panic!("{shape:?}: {e}"));
            let exact = reference::matmul(shape, &a, &b);
            let bound = reference::matmul(shape, &abs(&a), &abs(&b));
            let r = worst_ratio(&gpu, &exact, &bound);
            assert!(r <= 1e-5, "{shape:?}: error {r:.2e} of Σ|ab| exceeds 1e-5");
            worst = worst.max(r);
        }
    }
    eprintln!("matmul: worst |Δ| / Σ|a b| = {worst:.2e}");
}

#[test]
fn linear_update_matches_reference() {
    let c = ctx();
    let mut worst: f64 = 0.0;
    for (i, &(d, m)) in [(1, 1), (5, 37), (4, 108), (10, 1200), (13, 9)]
        .iter()
        .enumerate()
    {
        let lr = 0.05;
        let cc = values(d * d, 10 + i as u64);
        let p = values(d * m, 20 + i as u64);
        let w = values(d * m, 30 + i as u64);
        let gpu = pollster::block_on(linear_update_once(
            &c.device,
            &c.queue,
            (d, m, lr),
            &cc,
            &p,
            &w,
        ))
        .unwrap_or_else(|e| panic!("d = {d}, m = {m}: {e}"));
        let exact = reference::linear_update((d, m, lr), &cc, &p, &w);
        // scale: |w| + 4η Σ_k |(C − I)_ik| |p_kj|, from the same reference on absolute values
        let c_minus_i: Vec<f32> = (0..d * d)
            .map(|k| (cc[k] - if k / d == k % d { 1.0 } else { 0.0 }).abs())
            .collect();
        let scale = update_scale((d, m), (4.0 * f64::from(lr), 0.0), &c_minus_i, &p, &w);
        let r = worst_ratio(&gpu, &exact, &scale);
        assert!(r <= 1e-5, "d = {d}, m = {m}: error {r:.2e} exceeds 1e-5");
        worst = worst.max(r);
    }
    eprintln!("linear update: worst relative error {worst:.2e}");
}

#[test]
fn spectral_linear_update_matches_reference() {
    // Appendix G's step W ← W − η B P: no identity subtracted, scale η
    let c = ctx();
    for (i, &(d, m)) in [(1, 3), (5, 37), (10, 1200), (13, 9)].iter().enumerate() {
        let lr = 0.05;
        let b = values(d * d, 40 + i as u64);
        let p = values(d * m, 50 + i as u64);
        let w = values(d * m, 60 + i as u64);
        let params = LinearUpdateParams::spectral(d, m, lr).unwrap();
        let gpu = pollster::block_on(linear_update_with(
            &c.device,
            &c.queue,
            (d, m),
            params,
            &b,
            &p,
            &w,
        ))
        .unwrap_or_else(|e| panic!("d = {d}, m = {m}: {e}"));
        let exact = reference::linear_update_with((d, m), (f64::from(lr), 0.0), &b, &p, &w);
        let scale = update_scale((d, m), (f64::from(lr), 0.0), &abs(&b), &p, &w);
        let r = worst_ratio(&gpu, &exact, &scale);
        assert!(r <= 1e-5, "d = {d}, m = {m}: error {r:.2e} exceeds 1e-5");
    }
}

/// The size of each entry of an update: |w| + scale Σ_k |x_ik| |p_kj|, with `x` the absolute
/// values of the d x d operand (C − I already subtracted, so eye = 0).
fn update_scale(
    (d, m): (usize, usize),
    scale_eye: (f64, f64),
    x: &[f32],
    p: &[f32],
    w: &[f32],
) -> Vec<f64> {
    let zeros = vec![0.0; d * m];
    let terms = reference::linear_update_with((d, m), scale_eye, x, &abs(p), &zeros);
    terms
        .iter()
        .zip(w)
        .map(|(t, w)| t.abs() + f64::from(w.abs()))
        .collect()
}

/// Runs `prep` on the GPU and on the CPU with the same solver; returns (max |Δλ|,
/// max |ΔW| / max |W|).
fn compare_with_cpu(prep: &Prepared) -> (f64, f64) {
    let c = ctx();
    let gpu = pollster::block_on(GpuLinearBackend::from_prepared(c, prep))
        .unwrap_or_else(|e| panic!("GPU backend: {e}"));
    let want = match prep.config.solver {
        Solver::Literal => "gpu-f32 (",
        Solver::Eigenbasis => "gpu-f32-eigenbasis (",
        Solver::Truncated => "gpu-f32-truncated (",
    };
    assert!(gpu.name().starts_with(want), "{}", gpu.name());
    let (m, d) = (prep.pairs.m, prep.config.d);
    let cpu = prep.cpu_backend();
    let (gpu_run, gpu_w) = run(gpu, prep);
    let (cpu_run, cpu_w) = run(cpu, prep);
    let (g, c) = (gpu_run.records(), cpu_run.records());
    assert_eq!(g.len(), c.len());
    let dl = g
        .iter()
        .zip(c)
        .flat_map(|(a, b)| a.eigenvalues.iter().zip(&b.eigenvalues))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let w_max = cpu_w.iter().fold(0.0f32, |a, w| a.max(w.abs()));
    let dw = gpu_w
        .iter()
        .zip(&cpu_w)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let top = c.last().map(|r| r.eigenvalues.clone()).unwrap_or_default();
    eprintln!(
        "{:?}, m = {m}, d = {d}, {} steps: max |Δλ| = {dl:.2e}, max |ΔW| / max |W| = {:.2e}, final λ {top:.3?}",
        prep.config.solver,
        prep.steps(),
        dw / w_max
    );
    (dl, f64::from(dw / w_max))
}

fn run<B: LinearBackend>(backend: B, prep: &Prepared) -> (LinearRun<B>, Vec<f32>) {
    pollster::block_on(async {
        let mut run = LinearRun::start(backend, prep).await.expect("start");
        run.finish().await.expect("finish");
        let w = run.backend_mut().weights().await.expect("weights");
        (run, w)
    })
}

fn prepared(name: &str, edit: impl FnOnce(&mut stepwise::experiment::RunConfig)) -> Prepared {
    let mut cfg = preset(name).expect("preset");
    // every eigenpair, so that the literal and eigenbasis solvers can both run on it (the
    // default truncated solver has its own test: tests/truncated_gpu.rs)
    cfg.solver = Solver::Eigenbasis;
    cfg.steps = Some(300);
    cfg.record_every = 10;
    edit(&mut cfg);
    prepare(&cfg).expect("prepare")
}

/// GPU against CPU with both solvers.
fn assert_close(prep: &Prepared) {
    let mut prep = prep.clone();
    for solver in [Solver::Literal, Solver::Eigenbasis] {
        prep.config.solver = solver;
        let (dl, dw) = compare_with_cpu(&prep);
        assert!(dl <= 1e-3, "{solver:?}: max |Δλ| = {dl:.2e} > 1e-3");
        assert!(
            dw <= 1e-3,
            "{solver:?}: max |ΔW| / max |W| = {dw:.2e} > 1e-3"
        );
    }
}

#[test]
fn scale_columns_matches_reference_at_awkward_sizes() {
    let c = ctx();
    for (rows, cols) in [(1, 1), (3, 5), (10, 1200), (13, 37), (5, 108)] {
        let a = values(rows * cols, 7);
        let v = values(cols, 8);
        let gpu = pollster::block_on(scale_columns_once(
            &c.device,
            &c.queue,
            (rows, cols),
            &a,
            &v,
        ))
        .unwrap_or_else(|e| panic!("{rows} x {cols}: {e}"));
        let exact = reference::scale_columns((rows, cols), &a, &v);
        // one f32 product per entry: exact up to one rounding
        let scale: Vec<f64> = exact.iter().map(|e| e.abs() * 1e-6 + 1e-30).collect();
        let r = worst_ratio(&gpu, &exact, &scale);
        assert!(
            r <= 1.0,
            "{rows} x {cols}: relative error {:.2e} exceeds 1e-6",
            r * 1e-6
        );
    }
}

#[test]
fn backend_matches_cpu_on_planted() {
    // η = 0.4 / (4γ₁) instead of the preset's 1e-3, so 300 steps learn all d modes
    assert_close(&prepared("planted", |c| c.lr = None));
}

#[test]
fn backend_matches_cpu_on_small() {
    assert_close(&prepared("small", |_| {}));
}

#[test]
fn backend_matches_cpu_off_the_tile_grid() {
    assert_close(&prepared("planted", |c| {
        c.lr = None;
        c.dataset.dim = 37;
        c.d = 5;
    }));
}

#[test]
fn fig1_size_matches_cpu_and_reports_speed() {
    let prep = prepared("fig1", |c| {
        c.steps = Some(200);
        c.record_every = 100;
    });
    let c = ctx();
    let mut gpu = pollster::block_on(GpuLinearBackend::from_prepared(c, &prep)).expect("GPU");
    pollster::block_on(gpu.advance(1)).expect("warm-up");
    let start = Instant::now();
    pollster::block_on(gpu.advance(200)).expect("advance");
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{}: m = 1200, d = 10: {:.1} steps/s ({:.2} ms/step)",
        gpu.name(),
        200.0 / secs,
        1e3 * secs / 200.0
    );
    assert_close(&prep);
}

#[test]
fn wrong_shapes_are_errors() {
    let c = ctx();
    let err = GpuLinearBackend::new(&c.device, &c.queue, 3, 2, &[0.0; 8], &[0.0; 6], 0.1);
    assert!(err.is_err());
    let err = GpuLinearBackend::new(&c.device, &c.queue, 0, 2, &[], &[], 0.1);
    assert!(err.is_err());
}

#[test]
fn a_lost_device_is_an_error_not_a_panic() {
    let ctx = new_context();
    let prep = prepared("planted", |_| {});
    let mut gpu = pollster::block_on(GpuLinearBackend::from_prepared(&ctx, &prep)).expect("GPU");
    pollster::block_on(gpu.advance(3)).expect("advance before loss");
    ctx.device.destroy();
    let err = pollster::block_on(gpu.advance(3)).expect_err("advance after loss");
    assert!(err.to_string().contains("GPU device lost"), "{err}");
    let err = pollster::block_on(gpu.weights()).expect_err("weights after loss");
    assert!(err.to_string().contains("GPU device lost"), "{err}");
}

#[test]
fn batched_readback_equals_one_readback_per_interval() {
    let prep = prepared("planted", |c| c.lr = None);
    let c = ctx();
    let intervals = [3, 1, 7, 20, 2];
    let (many, one_by_one) = pollster::block_on(async {
        let mut a = GpuLinearBackend::from_prepared(c, &prep)
            .await
            .expect("GPU");
        let mut b = GpuLinearBackend::from_prepared(c, &prep)
            .await
            .expect("GPU");
        let many = a.advance_many(&intervals).await.expect("advance_many");
        let mut one_by_one = Vec::new();
        for n in intervals {
            one_by_one.push(b.advance(n).await.expect("advance"));
        }
        (many, one_by_one)
    });
    // the same dispatches in the same order: bit-identical
    assert_eq!(many, one_by_one);
    let too_many = vec![1; stepwise::experiment::MAX_BATCH + 1];
    let mut a = pollster::block_on(GpuLinearBackend::from_prepared(c, &prep)).expect("GPU");
    assert!(pollster::block_on(a.advance_many(&too_many)).is_err());
}
