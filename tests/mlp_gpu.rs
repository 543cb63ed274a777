//! The MLP on the GPU (lavapipe) against the CPU backend: the forward pass, several full
//! training steps for each loss at awkward sizes (nothing a multiple of 4 or of the tile),
//! and the theory from the GPU-computed NTK. Nothing is skipped without an adapter.
//!
//! Tolerances: the forward pass agrees to 1e-5 of the largest |F| (f32 sums of ≤ 60 terms).
//! Training steps amplify rounding differences slowly: after 30 steps F agrees to 1e-3 of
//! its largest entry, and the recorded eigenvalues to 1e-3 of the largest. The NTK's K_Γ
//! eigenvalues agree to 1e-4 relative (the kernel itself is checked entrywise in
//! tests/mlp_kernels_gpu.rs).

mod common;
use common::ctx;

use stepwise::experiment::mlp::{
    mlp_preset, MlpBackend, MlpConfig, MlpPrepared, MlpRun, MlpSetup, Snapshot,
};
use stepwise::experiment::overrides;
use stepwise::gpu::profile::{has_timestamps, profile_plan, Timer};
use stepwise::gpu::{prepare_with_gpu_ntk, GpuMlpBackend};

/// An awkward small configuration: n = 13 pairs of 3x3 crops (m = 27), width 37, d = 3.
fn awkward(loss: &str) -> MlpConfig {
    let sets = [
        format!("loss={loss}"),
        "dataset.n=13".into(),
        "dataset.crop=3".into(),
        "dataset.base=7".into(),
        "width=37".into(),
        "d=3".into(),
        "hidden_top=4".into(),
        "init_scale=0.3".into(),
        "lr=0.01".into(),
        "momentum=0.5".into(),
        "steps=30".into(),
        "record_every=10".into(),
    ];
    overrides::apply_all(mlp_preset("mlp-small-bt").unwrap(), &sets).unwrap()
}

fn worst_relative(a: &[f32], b: &[f32]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
    let worst = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max(f64::from((x - y).abs())));
    worst / scale.max(1e-30)
}

fn snapshots(prep: &MlpPrepared, gpu: bool) -> Vec<Snapshot> {
    pollster::block_on(async {
        let mut out = Vec::new();
        if gpu {
            let mut b = GpuMlpBackend::from_prepared(ctx(), prep).await.unwrap();
            for steps in [0, 1, 9, 20] {
                out.push(b.advance(steps, true).await.unwrap());
            }
        } else {
            let mut b = prep.cpu_backend();
            for steps in [0, 1, 9, 20] {
                out.push(b.advance(steps, true).await.unwrap());
            }
        }
        out
    })
}

/// Every loss with momentum (gradients stored, one update dispatch) and without (the update
/// fused into the gradients' matmuls).
#[test]
fn gpu_training_steps_match_the_cpu_for_every_loss() {
    let runs = ["barlow-twins", "simclr", "vicreg"]
        .into_iter()
        .flat_map(|loss| [(loss, "0.5"), (loss, "0")]);
    for (loss, momentum) in runs {
        let sets = [format!("momentum={momentum}")];
        let prep = MlpPrepared::new(&overrides::apply_all(awkward(loss), &sets).unwrap()).unwrap();
        let loss = format!("{loss} μ = {momentum}");
        let (cpu, gpu) = (snapshots(&prep, false), snapshots(&prep, true));
        for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
            let tol = if i == 0 { 1e-5 } else { 1e-3 };
            let e = worst_relative(&g.embeddings, &c.embeddings);
            eprintln!("{loss} snapshot {i}: |ΔF| / max|F| = {e:.2e}");
            assert!(
                e <= tol,
                "{loss} snapshot {i}: F differs by {e:.2e} > {tol:.0e}"
            );
            let (cg, gg) = (
                c.hidden_gram.as_ref().unwrap(),
                g.hidden_gram.as_ref().unwrap(),
            );
            let e = worst_relative(gg, cg);
            assert!(e <= tol, "{loss} snapshot {i}: Gram differs by {e:.2e}");
        }
    }
}

#[test]
fn gpu_run_records_match_the_cpu_run() {
    let prep = MlpPrepared::new(&awkward("barlow-twins")).unwrap();
    let records = |gpu: bool| {
        pollster::block_on(async {
            if gpu {
                let b = GpuMlpBackend::from_prepared(ctx(), &prep).await.unwrap();
                let mut run = MlpRun::start(b, &prep).await.unwrap();
                run.finish().await.unwrap();
                (run.records().to_vec(), run.hidden_records().to_vec())
            } else {
                let mut run = MlpRun::start(prep.cpu_backend(), &prep).await.unwrap();
                run.finish().await.unwrap();
                (run.records().to_vec(), run.hidden_records().to_vec())
            }
        })
    };
    let ((cr, ch), (gr, gh)) = (records(false), records(true));
    assert_eq!(cr.len(), gr.len());
    assert_eq!(ch.len(), gh.len());
    let top = cr
        .iter()
        .flat_map(|r| &r.eigenvalues)
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (c, g) in cr.iter().zip(&gr) {
        for (a, b) in c.eigenvalues.iter().zip(&g.eigenvalues) {
            assert!((a - b).abs() <= 1e-3 * top, "step {}: {a} vs {b}", c.step);
        }
    }
}

#[test]
fn theory_from_the_gpu_ntk_matches_the_cpu_ntk() {
    let cfg = awkward("barlow-twins");
    let cpu = MlpPrepared::new(&cfg).unwrap();
    let gpu =
        pollster::block_on(prepare_with_gpu_ntk(ctx(), MlpSetup::new(&cfg).unwrap())).unwrap();
    for (a, b) in cpu
        .kernel
        .gamma_top
        .iter()
        .zip(&gpu.kernel.gamma_top)
        .take(6)
    {
        assert!((a - b).abs() <= 1e-4 * a.abs().max(1e-3), "γ {a} vs {b}");
    }
    assert_eq!(cpu.config, gpu.config.clone());
}

/// The fused step (docs/architecture.md §3): 6 dispatches without momentum, 7 with it (one
/// more for the update), 2 more for SimCLR's three-pass gradient; and `gpu::profile` times them per kernel name, with
/// timestamp queries where the device has them (lavapipe does), every time positive and
/// finite, one entry per name, the dispatches adding up to the plan's.
#[test]
fn step_plan_and_profile() {
    for (loss, momentum, want) in [
        ("barlow-twins", "0.5", 7),
        ("barlow-twins", "0", 6),
        ("vicreg", "0", 6),
        ("simclr", "0.5", 9),
    ] {
        let cfg = overrides::apply_all(awkward(loss), &[format!("momentum={momentum}")]).unwrap();
        let prep = MlpPrepared::new(&cfg).unwrap();
        let backend = pollster::block_on(GpuMlpBackend::from_prepared(ctx(), &prep)).unwrap();
        let plan = backend.step_plan();
        assert_eq!(plan.dispatches.len(), want, "{loss} μ = {momentum}");
        assert_eq!(plan.dispatches_per_step(), want as f64);
        let profile = profile_plan(backend.device(), backend.queue(), &plan, 2).unwrap();
        let timer = if has_timestamps(backend.device()) {
            Timer::Timestamps
        } else {
            Timer::WallClock
        };
        assert_eq!(profile.timer, timer);
        eprintln!("{loss}: {} dispatches, {}", want, timer.describe());
        let mut names: Vec<_> = plan.dispatches.iter().map(|b| b.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(profile.kernels.len(), names.len(), "{:?}", profile.kernels);
        let total: f64 = profile.kernels.iter().map(|k| k.dispatches).sum();
        assert_eq!(total, want as f64);
        for k in &profile.kernels {
            assert!(names.contains(&k.name), "{}", k.name);
            assert!(
                k.seconds.is_finite() && k.seconds > 0.0,
                "{}: {}",
                k.name,
                k.seconds
            );
        }
    }
}
