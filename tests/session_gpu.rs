//! The session core on a real GPU device (lavapipe in CI): a run survives its device being
//! destroyed mid-run and goes on on the CPU at the same step. Like the other GPU tests it
//! fails, never skips, without an adapter.

mod common;
use common::ctx;

use stepwise::experiment::appg::{compare_cpu, AppgConfig, EtaPolicy};
use stepwise::experiment::deep::{deep_preset, run_deep_cpu};
use stepwise::experiment::mlp::MlpConfig;
use stepwise::experiment::session::{
    AdapterInfo, AppgCell, BackendKind, BackendWant, Cell, DeepCell, LinearCell, MlpCell, Opening,
    Session, SessionState, Why,
};
use stepwise::experiment::{preset, run_cpu, Config};

fn adapter() -> AdapterInfo {
    AdapterInfo::from_wgpu(&ctx().adapter_info)
}

/// A session of `cell` on `cfg`, prepared and started on the GPU (asserted).
fn on_gpu<K: Cell>(cell: K, cfg: K::Config) -> Session<K> {
    let mut opening = Opening::new(cell, cfg);
    opening.prepare(None).unwrap();
    let session = pollster::block_on(opening.start(BackendWant::Gpu, Ok(adapter()))).unwrap();
    assert_eq!(
        session.choice().kind,
        BackendKind::WebGpu,
        "{}",
        session.choice()
    );
    session
}

#[test]
fn a_linear_session_survives_a_destroyed_device_and_resumes_on_the_cpu() {
    let cfg = preset("planted").unwrap();
    let mut session = on_gpu(LinearCell, cfg.clone());
    let p = pollster::block_on(session.advance(120)).unwrap();
    assert_eq!(p.step, 120.0);
    let gpu_records = session.live().records.clone();
    assert!(
        session.live().backend.starts_with("gpu-f32"),
        "{}",
        session.live().backend
    );

    session.engine().gpu().unwrap().backend().device().destroy();
    let p = pollster::block_on(session.advance(100)).unwrap();
    assert_eq!(p.step, 120.0, "resumed at the step the GPU reached");
    assert_eq!(p.state, SessionState::Paused);
    assert!(session.take_choice_changed());
    let Why::GpuLost { step, error } = &session.choice().why else {
        panic!("{:?}", session.choice())
    };
    assert_eq!(*step, 120);
    assert!(error.contains("GPU device lost"), "{error}");
    assert_eq!(session.choice().kind, BackendKind::Cpu);

    pollster::block_on(session.advance(u64::MAX)).unwrap();
    assert_eq!(session.state(), SessionState::Finished);
    let cli = run_cpu(&cfg, false).unwrap();
    let live = session.live();
    assert_eq!(live.backend, cli.backend, "the CPU finished the run");
    assert_eq!(live.records.len(), cli.records.len());
    assert_eq!(&live.records[..gpu_records.len()], &gpu_records[..]);
    for (a, b) in live.records.iter().zip(&cli.records) {
        assert_eq!(a.step, b.step);
        for (x, y) in a.eigenvalues.iter().zip(&b.eigenvalues) {
            assert!((x - y).abs() <= 1e-3, "step {}: {x} vs {y}", a.step);
        }
    }
}

#[test]
fn an_mlp_session_resumes_on_the_cpu_at_the_same_step() {
    let mut cfg = MlpConfig::preset("mlp-small-bt").unwrap();
    cfg.steps = Some(200);
    let mut session = on_gpu(MlpCell { auto_size: false }, cfg);
    let p = pollster::block_on(session.advance(60)).unwrap();
    let reached = p.step;
    assert!(reached >= 60.0);
    let gpu = session.engine().gpu().unwrap();
    gpu.run.backend().device().destroy();
    let p = pollster::block_on(session.advance(20)).unwrap();
    assert_eq!(p.step, reached);
    assert!(matches!(session.choice().why, Why::GpuLost { .. }));
    pollster::block_on(session.advance(u64::MAX)).unwrap();
    assert_eq!(session.state(), SessionState::Finished);
    let result = session.result();
    assert_eq!(result.records.last().map(|r| r.step), Some(200));
    assert_eq!(result.records.len(), result.theory.records.len());
    let choice = result.backend_choice.unwrap();
    assert_eq!(choice.kind, BackendKind::Cpu);
}

#[test]
fn a_comparison_resumes_on_the_cpu_at_the_same_step_of_the_same_run() {
    let mut cfg = AppgConfig::preset("planted").unwrap();
    cfg.eta = EtaPolicy::Equal;
    cfg.variants.precondition = false;
    let mut session = on_gpu(AppgCell, cfg.clone());
    // the baseline and part of the second run on the GPU
    let p = pollster::block_on(session.advance(3000)).unwrap();
    let (reached, rows) = (p.step, p.rows);
    assert_eq!(rows, Some(1));
    session
        .engine()
        .gpu()
        .unwrap()
        .trials()
        .backends()
        .device()
        .destroy();
    let p = pollster::block_on(session.advance(500)).unwrap();
    assert_eq!(
        (p.step, p.rows),
        (reached, rows),
        "resumed where the GPU stopped"
    );
    assert!(matches!(session.choice().why, Why::GpuLost { .. }));
    let current = session
        .live()
        .current
        .as_ref()
        .expect("the second run goes on");
    assert_eq!(current.steps as f64, reached - 2482.0);
    while !pollster::block_on(session.advance(5000)).unwrap().finished {}
    // the CPU replayed the comparison from the start: the CPU's table
    let whole = compare_cpu(&cfg).unwrap();
    assert_eq!(session.result().rows, whole.rows);
}

/// The deep cell (docs/deep.md §2) follows the same policy: its device destroyed after some
/// GPU steps, it resumes on the CPU at the step the GPU reached (the CPU replays the same
/// seeded batches from the same initial weights) and finishes the run: every record is then
/// the CPU's, equal to the CLI's CPU run; the GPU's records before the loss agree with the
/// replayed ones within relative 2e-2 on the loss (the page's webgpu tolerance,
/// tests/browser/deep.mjs: WebGPU sums in another order).
#[test]
fn a_deep_session_resumes_on_the_cpu_at_the_same_step() {
    let mut cfg = deep_preset("resnet-bt-small").unwrap();
    cfg.steps = 12;
    cfg.record_every = 4;
    let mut session = on_gpu(DeepCell, cfg.clone());
    let p = pollster::block_on(session.advance(4)).unwrap();
    let reached = p.step;
    assert!((4.0..12.0).contains(&reached), "{reached}");
    let gpu_records = session.live().records.clone();
    session.engine().gpu().unwrap().backend().device().destroy();
    // the device's loss surfaces at the next readback (the record closing this interval):
    // the session stops there and resumes on the CPU at that step
    let p = pollster::block_on(session.advance(4)).unwrap();
    assert!(
        (reached..=reached + 4.0).contains(&p.step),
        "{} after {reached}",
        p.step
    );
    assert_eq!(p.state, SessionState::Paused);
    assert!(session.take_choice_changed());
    let Why::GpuLost { step, error } = &session.choice().why else {
        panic!("{:?}", session.choice())
    };
    assert_eq!(*step as f64, p.step, "resumed at the step the GPU reached");
    assert!(error.contains("GPU device lost"), "{error}");
    assert_eq!(session.choice().kind, BackendKind::Cpu);
    // the CPU replayed the steps the GPU ran: the same records within the tolerance
    let replayed = &session.live().records;
    assert!(replayed.len() >= gpu_records.len());
    for (a, b) in replayed.iter().zip(&gpu_records) {
        assert_eq!(a.step, b.step);
        assert!((a.loss - b.loss).abs() / b.loss.abs().max(1.0) <= 2e-2);
    }

    while !pollster::block_on(session.advance(100)).unwrap().finished {}
    let result = session.result();
    let cli = run_deep_cpu(&cfg).unwrap();
    assert_eq!(result.backend, cli.backend, "the CPU finished the run");
    assert_eq!(result.records.len(), cli.records.len());
    for (a, b) in result.records.iter().zip(&cli.records) {
        assert_eq!(a.step, b.step);
        assert_eq!(a.loss, b.loss, "step {}: the same CPU code", a.step);
        assert_eq!(a.eigenvalues, b.eigenvalues, "step {}", a.step);
    }
    let last = result.records.last().unwrap();
    assert_eq!(last.step, 12);
    assert_eq!(
        result.backend_choice.unwrap().kind,
        BackendKind::Cpu,
        "the result says where it finished"
    );
}

/// Table 2's cell on the GPU: each method's run on its own `GpuDeepBackend`, one after
/// another, gives the CPU's alignments within 1e-3 (the backends agree within 5e-5 relative
/// after a few steps: tests/resnet_backend_gpu.rs; an alignment is a smooth function of the
/// embeddings while their d singular values stay apart).
#[test]
fn the_three_methods_run_in_turn_on_the_gpu_and_align_as_on_the_cpu() {
    use stepwise::experiment::deep::methods::compare_methods_cpu;
    use stepwise::experiment::deep::methods_config::MethodsConfig;
    use stepwise::experiment::session::MethodsCell;
    let cfg = MethodsConfig {
        steps: Some(4),
        ..MethodsConfig::default()
    };
    let mut session = on_gpu(MethodsCell, cfg.clone());
    while !pollster::block_on(session.advance(4)).unwrap().finished {}
    assert_eq!(session.progress().step, 12.0);
    let gpu = session.result();
    assert!(
        gpu.results.iter().all(|r| r.backend != "cpu-f32"),
        "ran on the GPU"
    );
    let cpu = compare_methods_cpu(&cfg.configs().unwrap()).unwrap();
    for (g, c) in gpu
        .alignment
        .iter()
        .flatten()
        .zip(cpu.alignment.iter().flatten())
    {
        assert!(
            (g - c).abs() < 1e-3,
            "GPU {:?} vs CPU {:?}",
            gpu.alignment,
            cpu.alignment
        );
    }
    assert_eq!(gpu.chance, cpu.chance);
}
