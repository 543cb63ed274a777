//! Appendix G on the GPU (lavapipe without a GPU) against the CPU backend: every variant's
//! trajectory at an awkward size with both solvers, and a whole comparison table.

mod common;

use common::ctx;
use stepwise::data::DatasetKind;
use stepwise::experiment::appg::{
    compare_cpu, AppgConfig, Comparison, CpuVariants, EtaPolicy, LinearTrials, VariantBackends,
};
use stepwise::experiment::{prepare, Config, LinearBackend, LinearRun, Record, RunPlan, Solver};
use stepwise::gpu::GpuVariants;
use stepwise::model::spectral::LossVariant;

/// Planted data at awkward sizes (m = 23, d = 5: neither is a multiple of 4 or 8), a large
/// init so that 60 steps move every mode, and a small η.
fn awkward(solver: Solver) -> AppgConfig {
    let mut cfg = AppgConfig::preset("planted").unwrap();
    cfg.run.dataset.kind = DatasetKind::Planted;
    cfg.run.dataset.dim = 23;
    cfg.run.d = 5;
    cfg.run.init_scale = 0.05;
    cfg.run.lr = Some(0.01);
    cfg.run.steps = Some(60);
    cfg.run.record_every = 15;
    cfg.run.solver = solver;
    cfg.a = 0.3;
    cfg
}

fn records<F: VariantBackends>(
    factory: &mut F,
    prep: &stepwise::experiment::Prepared,
    v: LossVariant,
) -> (String, Vec<Record>) {
    pollster::block_on(async {
        let backend = factory.create(prep, v, prep.lr()).await.expect("backend");
        let name = backend.name();
        let mut run = LinearRun::with_plan(backend, RunPlan::of(prep))
            .await
            .expect("start");
        run.finish().await.expect("run");
        (name, run.records().to_vec())
    })
}

#[test]
fn every_variant_steps_like_the_cpu_backend_with_both_solvers() {
    for solver in [Solver::Eigenbasis, Solver::Literal] {
        let cfg = awkward(solver);
        cfg.validate().unwrap();
        let prep = prepare(&cfg.run).expect("prepare");
        let mut gpu = GpuVariants::new(ctx(), &prep, &cfg);
        let mut cpu = CpuVariants::new(&prep, &cfg);
        for v in LossVariant::ALL {
            let (name, g) = records(&mut gpu, &prep, v);
            let (_, c) = records(&mut cpu, &prep, v);
            assert!(name.starts_with("gpu-f32"), "{name}");
            assert_eq!(g.len(), c.len());
            let mut worst: f64 = 0.0;
            for (a, b) in g.iter().zip(&c) {
                for (x, y) in a.eigenvalues.iter().zip(&b.eigenvalues) {
                    worst = worst.max((x - y).abs() / y.abs().max(1.0));
                }
            }
            let last = &c.last().unwrap().eigenvalues;
            eprintln!(
                "{solver:?} {}: max |Δλ| = {worst:.2e}, final λ {last:.3?}",
                v.name()
            );
            // f32 on both sides, 60 steps (measured ≤ 8e-7): relative agreement to 1e-5
            assert!(
                worst < 1e-5,
                "{solver:?} {}: max |Δλ| {worst:.2e}",
                v.name()
            );
            assert!(
                last[4] > 2.0 * c[0].eigenvalues[4],
                "{}: the run moved",
                v.name()
            );
        }
    }
}

#[test]
fn a_gpu_comparison_gives_the_cpu_table() {
    let mut cfg = AppgConfig::preset("planted").unwrap();
    cfg.eta = EtaPolicy::Equal;
    cfg.run.steps = Some(400);
    cfg.run.init_scale = 1e-3;
    cfg.run.lr = Some(5e-3);
    let cpu = compare_cpu(&cfg).expect("CPU comparison");
    let prep = prepare(&cfg.run).expect("prepare");
    let backends = GpuVariants::new(ctx(), &prep, &cfg);
    let mut gpu = Comparison::new(&cfg, LinearTrials::new(prep, backends));
    pollster::block_on(gpu.finish()).expect("GPU comparison");
    let gpu = gpu.result();
    assert!(gpu.backend.starts_with("gpu-f32"), "{}", gpu.backend);
    assert_eq!(gpu.rows.len(), cpu.rows.len());
    for (g, c) in gpu.rows.iter().zip(&cpu.rows) {
        assert_eq!(g.variant, c.variant);
        assert!(c.steps_to_all.is_some(), "{c:?}");
        // the same recording step (every 10 steps) crosses the threshold
        assert_eq!(g.steps_to_all, c.steps_to_all, "{}", c.variant.name());
        for (x, y) in g.final_eigenvalues.iter().zip(&c.final_eigenvalues) {
            assert!((x - y).abs() < 1e-3, "{}: {x} vs {y}", c.variant.name());
        }
    }
}

/// Long runs at another awkward size (m = 19, d = 7) until the modes are learned: a cluster of
/// eigenvalues near 1, where the GPU's warm-started Jacobi (one sweep or none a step, its
/// noise floor ending the sweeps) must still follow the CPU's f64 eigendecomposition. Every
/// variant's eigenvalues stay within 1e-4 of the CPU's, relative to max(1, |λ|).
#[test]
fn warm_started_runs_follow_the_cpu_through_convergence() {
    let mut cfg = awkward(Solver::Eigenbasis);
    cfg.run.dataset.dim = 19;
    cfg.run.d = 7;
    cfg.run.steps = Some(800);
    cfg.run.record_every = 100;
    cfg.validate().unwrap();
    let prep = prepare(&cfg.run).expect("prepare");
    let mut gpu = GpuVariants::new(ctx(), &prep, &cfg);
    let mut cpu = CpuVariants::new(&prep, &cfg);
    for v in LossVariant::ALL {
        let (_, g) = records(&mut gpu, &prep, v);
        let (_, c) = records(&mut cpu, &prep, v);
        assert_eq!(g.len(), c.len());
        let mut worst: f64 = 0.0;
        for (a, b) in g.iter().zip(&c) {
            for (x, y) in a.eigenvalues.iter().zip(&b.eigenvalues) {
                worst = worst.max((x - y).abs() / y.abs().max(1.0));
            }
        }
        let last = &c.last().unwrap().eigenvalues;
        eprintln!("{}: max |Δλ| = {worst:.2e}, final λ {last:.4?}", v.name());
        assert!(last.iter().all(|l| l.is_finite()), "{}: {last:?}", v.name());
        assert!(worst < 1e-4, "{}: max |Δλ| {worst:.2e}", v.name());
    }
}
