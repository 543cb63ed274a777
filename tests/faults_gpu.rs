//! Faults at every phase (issue 17 §6): for every cell that runs on the GPU, the device is
//! lost while the session starts on it (its backend built, its data uploaded), mid-run
//! (between two advances, as the page's `simulate_gpu_loss`) and during a readback. Each
//! ends in the one GPU-loss policy: the session resumes on the CPU at the step the GPU
//! reached (`Why::GpuLost { step, error }`) and finishes with the CPU's result, checked
//! against the CLI's CPU run. The losses are injected with `stepwise::gpu::faults`.
//!
//! Cells and presets (small, so that the 21 runs take well under a minute on lavapipe):
//! linear (`planted`), MLP (`mlp-small-bt` without hidden tracking) and hidden (with it),
//! App. G (`planted`, one variant at the baseline's η), deep (`resnet-bt-small`), probes
//! (the same cell on `resnet-simclr-small`: another loss kernel; probes are fitted at every
//! record of both) and Table 2's methods (4 steps each). Like the other GPU tests these
//! fail, never skip, without an adapter.

mod common;

use std::time::Instant;

use stepwise::experiment::appg::{compare_cpu, AppgConfig, EtaPolicy, VariantSet};
use stepwise::experiment::deep::methods::compare_methods_cpu;
use stepwise::experiment::deep::methods_config::MethodsConfig;
use stepwise::experiment::deep::{deep_preset, run_deep_cpu, DeepResult};
use stepwise::experiment::mlp::{run_mlp_cpu, MlpConfig, MlpPrepared, MlpSetup};
use stepwise::experiment::session::{
    AdapterInfo, AppgCell, BackendKind, BackendWant, Cell, DeepCell, LinearCell, MethodsCell,
    MlpCell, Opening, Session, SessionState, Stepper, Why,
};
use stepwise::experiment::{preset, run_cpu, Config, Record};
use stepwise::gpu::faults::{lose_device_at, FaultPoint};

fn adapter() -> AdapterInfo {
    AdapterInfo::from_wgpu(&common::ctx().adapter_info)
}

/// When the device is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// While the session starts on the GPU: right before one of the backend's buffers is
    /// created and uploaded.
    Prepare,
    /// Between two advances, after some steps on the GPU.
    MidRun,
    /// Right before a readback's submission, after some steps on the GPU.
    Readback,
}

/// One cell on one configuration, and where to strike.
struct Case<K: Cell> {
    cell: K,
    cfg: K::Config,
    /// The device of a GPU stepper (`None` between two of Table 2's runs).
    device: fn(&K::Gpu) -> Option<wgpu::Device>,
    /// Steps on the GPU before a mid-run loss or before the readback fault is armed.
    first: u64,
    /// Buffers created before the one whose creation loses the device (Prepare).
    buffer_skip: u32,
    /// Readbacks let through once armed (Readback).
    readback_skip: u32,
    /// The steps the CPU resumes at after the mid-run loss and after the readback fault:
    /// the step of the GPU's run when its error surfaced (where the run counts a step only
    /// after its readback, the last one read; the deep runs count steps as they submit them,
    /// and a loss surfaces at the next record's readback).
    expect: (u64, u64),
}

/// How a faulted session ended.
struct Outcome<K: Cell> {
    session: Session<K>,
    /// The step the GPU reached, where the CPU took over.
    lost_at: u64,
    /// The GPU's step when the fault was armed or the device destroyed (0 for Prepare).
    before: u64,
    error: String,
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    pollster::block_on(f)
}

/// Runs `case` on the GPU with its device lost at `phase`, asserts the GPU-loss policy and
/// finishes the run on the CPU.
fn faulted<K: Cell + Clone>(case: &Case<K>, phase: Phase) -> Outcome<K> {
    let mut opening = Opening::new(case.cell.clone(), case.cfg.clone());
    opening.prepare(None).expect("prepare");
    let start = |opening: Opening<K>| {
        block_on(opening.start(BackendWant::Gpu, Ok(adapter()))).expect("a session")
    };
    let (mut session, before) = match phase {
        Phase::Prepare => {
            let armed = lose_device_at(FaultPoint::Buffer, case.buffer_skip);
            let mut session = start(opening);
            // a cell whose start builds nothing on the device (App. G makes each run's
            // backend as the run begins) meets the fault on its first advance
            if session.engine().is_gpu() {
                block_on(session.advance(1)).expect("the policy, not an error");
            }
            assert!(armed.fired(), "the fault struck");
            (session, 0)
        }
        Phase::MidRun | Phase::Readback => {
            let mut session = start(opening);
            assert_eq!(
                session.choice().kind,
                BackendKind::WebGpu,
                "{}",
                session.choice()
            );
            let p = block_on(session.advance(case.first)).expect("GPU steps");
            assert!(session.engine().is_gpu() && !p.finished, "still on the GPU");
            let before = session.engine().step();
            if phase == Phase::MidRun {
                let gpu = session.engine().gpu().expect("on the GPU");
                (case.device)(gpu).expect("a device").destroy();
                block_on(session.advance(1)).expect("the policy, not an error");
            } else {
                let armed = lose_device_at(FaultPoint::Readback, case.readback_skip);
                while session.engine().is_gpu() && !session.engine().is_finished() {
                    block_on(session.advance(1)).expect("the policy, not an error");
                }
                assert!(armed.fired(), "the fault struck");
            }
            (session, before)
        }
    };
    assert_ne!(session.state(), SessionState::Failed);
    assert!(!session.engine().is_gpu(), "resumed on the CPU");
    assert_eq!(session.choice().kind, BackendKind::Cpu);
    let Why::GpuLost { step, error } = session.choice().why.clone() else {
        panic!("{phase:?}: {:?}", session.choice())
    };
    assert_eq!(
        session.engine().step(),
        step,
        "{phase:?}: resumed at the step the GPU reached"
    );
    while !block_on(session.advance(u64::MAX))
        .expect("the CPU finishes")
        .finished
    {}
    assert_eq!(session.state(), SessionState::Finished);
    Outcome {
        session,
        lost_at: step,
        before,
        error,
    }
}

/// Runs every phase of `case`, checking each outcome with `check`; prints the matrix rows.
fn every_phase<K: Cell + Clone>(name: &str, case: &Case<K>, check: impl Fn(&Outcome<K>)) {
    for phase in [Phase::Prepare, Phase::MidRun, Phase::Readback] {
        let t = Instant::now();
        let out = faulted(case, phase);
        let expect = match phase {
            Phase::Prepare => 0,
            Phase::MidRun => case.expect.0,
            Phase::Readback => case.expect.1,
        };
        assert_eq!(out.lost_at, expect, "{name} {phase:?}: resumed at");
        assert!(out.lost_at >= out.before, "{name} {phase:?}");
        assert!(
            out.error.contains("GPU device lost"),
            "{name}: {}",
            out.error
        );
        check(&out);
        println!(
            "{name:8} {phase:9?} resumed on the CPU at step {:5} (GPU at {:5} when struck), \
             {:.2} s: {}",
            out.lost_at,
            out.before,
            t.elapsed().as_secs_f64(),
            out.error.lines().next().unwrap_or("")
        );
    }
}

/// Records equal: exactly after `exact_from` (the CPU's, as the CLI computes them), within
/// `tol` (relative) before it (the GPU's).
fn same_records(what: &str, got: &[Record], cli: &[Record], exact_from: u64, tol: f64) {
    assert_eq!(got.len(), cli.len(), "{what}: record count");
    for (a, b) in got.iter().zip(cli) {
        assert_eq!(a.step, b.step, "{what}");
        if a.step > exact_from {
            assert_eq!(a.eigenvalues, b.eigenvalues, "{what} step {}", a.step);
            assert_eq!(a.loss, b.loss, "{what} step {}", a.step);
        } else {
            for (x, y) in a.eigenvalues.iter().zip(&b.eigenvalues) {
                let scale = x.abs().max(y.abs()).max(1e-3);
                assert!(
                    (x - y).abs() <= tol * scale,
                    "{what} step {}: {x} vs {y}",
                    a.step
                );
            }
        }
    }
}

#[test]
fn linear_cell_every_phase() {
    let cfg = preset("planted").unwrap();
    let case = Case {
        cell: LinearCell,
        cfg: cfg.clone(),
        device: |gpu| Some(gpu.backend().device().clone()),
        first: 120,
        buffer_skip: 1,
        readback_skip: 0,
        expect: (120, 120),
    };
    let cli = run_cpu(&cfg, false).unwrap();
    every_phase("linear", &case, |out| {
        let live = out.session.live();
        assert_eq!(live.backend, cli.backend, "the CPU finished the run");
        // the GPU's records (f32, another summation order) within 1e-3 of the CPU's
        same_records("linear", &live.records, &cli.records, out.lost_at, 1e-3);
    });
}

/// An MLP case: η fixed (the CPU's, from its own NTK), so that the GPU's NTK changes only the
/// theory and the CPU's resumed run is the CLI's.
fn mlp_case(hidden_top: usize) -> (Case<MlpCell>, MlpConfig) {
    let mut cfg = MlpConfig::preset("mlp-small-bt").unwrap();
    cfg.steps = Some(100);
    cfg.hidden_top = hidden_top;
    let prep = MlpPrepared::from_setup(MlpSetup::new(&cfg).unwrap()).unwrap();
    cfg.lr = Some(prep.lr());
    let case = Case {
        cell: MlpCell { auto_size: false },
        cfg: cfg.clone(),
        device: |gpu| Some(gpu.run.backend().device().clone()),
        first: 30,
        buffer_skip: 1,
        readback_skip: 1,
        expect: (30, 35),
    };
    (case, cfg)
}

fn check_mlp(name: &'static str, cfg: &MlpConfig) -> impl Fn(&Outcome<MlpCell>) {
    let cli = run_mlp_cpu(cfg).unwrap();
    move |out| {
        let result = out.session.result();
        assert_eq!(
            result.backend, cli.backend,
            "{name}: the CPU finished the run"
        );
        // the CPU replayed the run from its start: every record is the CPU's
        same_records(name, &result.records, &cli.records, 0, 0.0);
        assert_eq!(result.hidden.len(), cli.hidden.len());
        for (a, b) in result.hidden.iter().zip(&cli.hidden) {
            assert_eq!((a.step, &a.eigenvalues), (b.step, &b.eigenvalues), "{name}");
        }
        assert_eq!(result.backend_choice.unwrap().kind, BackendKind::Cpu);
    }
}

#[test]
fn mlp_cell_every_phase() {
    let (case, cfg) = mlp_case(0);
    every_phase("mlp", &case, check_mlp("mlp", &cfg));
}

#[test]
fn hidden_cell_every_phase() {
    let (case, cfg) = mlp_case(6);
    every_phase("hidden", &case, check_mlp("hidden", &cfg));
}

#[test]
fn appg_cell_every_phase() {
    let mut cfg = AppgConfig::preset("planted").unwrap();
    cfg.eta = EtaPolicy::Equal;
    cfg.run.steps = Some(600);
    cfg.variants = VariantSet {
        sharp: true,
        smooth: false,
        quartic: false,
        precondition: false,
    };
    let case = Case {
        cell: AppgCell,
        cfg: cfg.clone(),
        device: |gpu| Some(gpu.trials().backends().device().clone()),
        // into the second run (the variant's)
        first: 700,
        buffer_skip: 1,
        readback_skip: 0,
        expect: (700, 700),
    };
    let cli = compare_cpu(&cfg).unwrap();
    every_phase("appg", &case, |out| {
        // the CPU replays the comparison from its start: the CPU's table
        let result = out.session.result();
        assert_eq!(result.rows, cli.rows);
        assert_eq!(result.stable, cli.stable);
    });
}

fn deep_check(name: &'static str, cli: DeepResult) -> impl Fn(&Outcome<DeepCell>) {
    move |out| {
        let result = out.session.result();
        assert_eq!(
            result.backend, cli.backend,
            "{name}: the CPU finished the run"
        );
        // the CPU replays the run's seeded batches from the same initial weights: every
        // record is the CPU's, as the CLI's
        same_records(name, &result.records, &cli.records, 0, 0.0);
        assert_eq!(result.probe, cli.probe, "{name}");
        assert_eq!(result.rank, cli.rank, "{name}");
    }
}

fn deep_case(name: &str) -> Case<DeepCell> {
    let mut cfg = deep_preset(name).unwrap();
    cfg.steps = 8;
    cfg.record_every = 4;
    Case {
        cell: DeepCell,
        cfg,
        device: |gpu| Some(gpu.backend().device().clone()),
        first: 4,
        buffer_skip: 2,
        readback_skip: 0,
        expect: (8, 8),
    }
}

#[test]
fn deep_cell_every_phase() {
    let case = deep_case("resnet-bt-small");
    let cli = run_deep_cpu(&case.cfg).unwrap();
    every_phase("deep", &case, deep_check("deep", cli));
}

#[test]
fn probes_cell_every_phase() {
    let case = deep_case("resnet-simclr-small");
    let cli = run_deep_cpu(&case.cfg).unwrap();
    every_phase("probes", &case, deep_check("probes", cli));
}

/// Table 2's methods: the readback fault strikes the second method's first record, right
/// after its backend was built (the run's boundary).
#[test]
fn methods_cell_every_phase() {
    let cfg = MethodsConfig {
        steps: Some(4),
        ..MethodsConfig::default()
    };
    let case = Case {
        cell: MethodsCell,
        cfg: cfg.clone(),
        device: |gpu| gpu.current().map(|run| run.backend().device().clone()),
        first: 3,
        buffer_skip: 2,
        readback_skip: 1,
        // the second method's backend was built: its first record's readback fails and the
        // CPU resumes at the end of the first method
        expect: (4, 4),
    };
    let cli = compare_methods_cpu(&cfg.configs().unwrap()).unwrap();
    every_phase("methods", &case, |out| {
        let result = out.session.result();
        assert_eq!(result.alignment, cli.alignment, "the CPU's comparison");
        assert_eq!(result.chance, cli.chance);
        assert_eq!(result.results.len(), cli.results.len());
        for (a, b) in result.results.iter().zip(&cli.results) {
            assert_eq!(a.backend, b.backend);
            same_records("methods", &a.records, &b.records, 0, 0.0);
        }
    });
}
