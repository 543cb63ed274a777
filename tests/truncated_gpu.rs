//! The truncated solver on the GPU (lavapipe without one) against the CPU's.

mod common;

use common::ctx;
use stepwise::experiment::{
    overrides, prepare, preset, LinearBackend, LinearRun, Prepared, Solver,
};
use stepwise::gpu::GpuLinearBackend;

fn run<B: LinearBackend>(backend: B, prep: &Prepared) -> (Vec<Vec<f64>>, Vec<f32>) {
    pollster::block_on(async {
        let mut run = LinearRun::start(backend, prep).await.expect("start");
        run.finish().await.expect("finish");
        let w = run.backend_mut().weights().await.expect("weights");
        let l = run
            .records()
            .iter()
            .map(|r| r.eigenvalues.clone())
            .collect();
        (l, w)
    })
}

#[test]
fn gpu_truncated_matches_cpu_truncated() {
    // m = 432: Γ's top modes by block Lanczos
    let sets = [
        "dataset.crop=12",
        "dataset.base=16",
        "init_scale=1e-5",
        "solver=\"truncated\"",
        "steps=300",
    ];
    let cfg = overrides::apply_all(preset("small").unwrap(), &sets).unwrap();
    let prep = prepare(&cfg).unwrap();
    assert_eq!(prep.config.solver, Solver::Truncated);
    let kept = prep.eigen.values.len();
    let basis = prep.truncation.as_ref().map_or(0, |t| t.basis);
    assert!(
        kept < prep.pairs.m / 3 && basis < prep.pairs.m,
        "{:?}",
        prep.truncation
    );
    let gpu = pollster::block_on(GpuLinearBackend::from_prepared(ctx(), &prep)).expect("GPU");
    assert!(
        gpu.name().starts_with("gpu-f32-truncated ("),
        "{}",
        gpu.name()
    );
    let (gl, gw) = run(gpu, &prep);
    let (cl, cw) = run(prep.cpu_backend(), &prep);
    let dl = gl
        .iter()
        .zip(&cl)
        .flat_map(|(a, b)| a.iter().zip(b))
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    let top = cl.last().cloned().unwrap_or_default();
    eprintln!("K = {kept}: max |Δλ| = {dl:.2e}, final λ {top:.3?}");
    assert!(top[0] > 0.5, "the top mode is learned: {top:?}");
    assert!(dl <= 1e-3, "max |Δλ| = {dl:.2e}");
    assert_eq!(gw.len(), prep.pairs.m * prep.config.d);
    let scale = cw.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let dw = gw
        .iter()
        .zip(&cw)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(dw <= 1e-3 * scale, "max |ΔW| = {dw:.2e} of {scale:.2e}");
}
