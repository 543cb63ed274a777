//! The memory formulas (docs/architecture.md §7) against the buffers a GPU
//! backend really creates, and the fallback to the CPU when a buffer is over the adapter's
//! limits: natively on lavapipe, with a device asked for artificially small limits.
//!
//! No test here is skipped: without a GPU adapter every test fails saying so.

mod common;
use common::ctx;

use stepwise::experiment::memory::{BufferLimits, MemoryNeed};
use stepwise::experiment::session::{
    AdapterInfo, BackendKind, BackendWant, LinearCell, Opening, Why,
};
use stepwise::experiment::{prepare, preset, Config, RunConfig, Solver};
use stepwise::gpu::{GpuContext, GpuError, GpuLinearBackend};

/// The planted preset at m = 64 with the literal solver: Γ (64 x 64 f32, 16 KiB) is its
/// largest buffer.
fn literal() -> RunConfig {
    let mut cfg = RunConfig {
        solver: Solver::Literal,
        steps: Some(40),
        ..preset("planted").expect("preset")
    };
    cfg.dataset.dim = 64;
    cfg
}

/// The formula's GPU total and largest buffer equal what the backend holds, for both
/// solvers (the formula is exact for the linear run's buffers).
#[test]
fn the_linear_formula_is_the_backends_buffers() {
    for solver in [Solver::Literal, Solver::Eigenbasis] {
        let cfg = RunConfig {
            solver,
            ..literal()
        };
        let prep = prepare(&cfg).expect("prepares");
        let backend =
            pollster::block_on(GpuLinearBackend::from_prepared(ctx(), &prep)).expect("starts");
        let sizes = backend.buffer_bytes();
        let need = cfg.memory_need();
        assert_eq!(
            need.gpu_total_bytes,
            sizes.iter().sum::<u64>(),
            "{solver:?}"
        );
        assert_eq!(
            need.gpu_largest_buffer_bytes,
            sizes.iter().copied().max().unwrap_or(0),
            "{solver:?}"
        );
    }
}

/// A device created with smaller buffer limits has them, and refuses a larger buffer.
#[test]
fn a_device_with_a_small_cap_reports_and_enforces_it() {
    let cfg = literal();
    let need: MemoryNeed = cfg.memory_need();
    let cap = need.gpu_largest_buffer_bytes - 4;
    let small = pollster::block_on(GpuContext::with_buffer_cap(cap)).expect("a device");
    let limits = small.buffer_limits();
    assert_eq!(limits.largest_buffer(), cap);
    let err = limits.admit(&need).expect_err("over the cap");
    assert_eq!(err.key, "dataset.dim");
    let prep = prepare(&cfg).expect("prepares");
    match pollster::block_on(GpuLinearBackend::from_prepared(&small, &prep)) {
        Err(GpuError::TooLarge { bytes, limit, .. }) => {
            assert_eq!((bytes, limit), (need.gpu_largest_buffer_bytes, cap));
        }
        Err(e) => panic!("expected TooLarge, got {e}"),
        Ok(_) => panic!("the device accepted a buffer over its limit"),
    }
}

/// `backend=gpu` on an adapter whose limits are one vec4 short of the run's largest buffer
/// runs on the CPU, saying which key sizes that buffer; with the exact limit, on the GPU.
#[test]
fn a_run_over_the_adapters_limits_runs_on_the_cpu_with_a_notice() {
    let cfg = literal();
    let need = cfg.memory_need();
    let adapter = |limit| {
        AdapterInfo::from_wgpu(&ctx().adapter_info).with_limits(BufferLimits {
            max_storage_buffer_binding_size: limit,
            max_buffer_size: limit,
        })
    };
    let start = |limit| {
        let opening = Opening::new(LinearCell, cfg.clone());
        pollster::block_on(opening.start(BackendWant::Gpu, Ok(adapter(limit)))).expect("starts")
    };
    let over = start(need.gpu_largest_buffer_bytes - 4);
    let choice = over.choice();
    assert_eq!(choice.kind, BackendKind::Cpu);
    match &choice.why {
        Why::GpuBufferTooLarge { key, bytes, limit } => {
            assert_eq!(key, "dataset.dim");
            assert_eq!(*bytes, need.gpu_largest_buffer_bytes);
            assert_eq!(*limit, need.gpu_largest_buffer_bytes - 4);
        }
        other => panic!("expected GpuBufferTooLarge, got {other:?}"),
    }
    assert!(choice.to_string().contains("dataset.dim"), "{choice}");
    let fits = start(need.gpu_largest_buffer_bytes);
    assert_eq!(fits.choice().kind, BackendKind::WebGpu);
}

/// The MLP's training buffers are the formula's GPU total and largest buffer, for every
/// loss, with and without momentum and hidden tracking.
#[test]
fn the_mlp_formula_is_the_backends_buffers() {
    use stepwise::experiment::mlp::{LossKind, MlpConfig, MlpPrepared};
    use stepwise::gpu::GpuMlpBackend;
    for (loss, momentum, hidden_top) in [
        (LossKind::BarlowTwins, 0.0, 12),
        (LossKind::Simclr, 0.9, 0),
        (LossKind::Vicreg, 0.0, 4),
    ] {
        let mut cfg = MlpConfig {
            loss,
            momentum,
            hidden_top,
            width: 70,
            d: 5,
            steps: Some(10),
            ..MlpConfig::default()
        };
        cfg.dataset.n = 18;
        cfg.dataset.crop = 3;
        cfg.dataset.base = 6;
        let prep = MlpPrepared::new(&cfg).expect("prepares");
        let backend =
            pollster::block_on(GpuMlpBackend::from_prepared(ctx(), &prep)).expect("starts");
        let sizes = backend.buffer_bytes();
        let held: u64 = sizes.iter().sum();
        let need = cfg.memory_need();
        println!(
            "{loss:?}: held {held} B in {} buffers, need {need:?}",
            sizes.len()
        );
        // training's buffers outweigh the NTK pass's here: the formula is exact
        assert_eq!(held, need.gpu_total_bytes, "{loss:?}: {need:?}");
        let largest = sizes.iter().copied().max().unwrap_or(0);
        assert_eq!(largest, need.gpu_largest_buffer_bytes, "{loss:?}");
    }
}

/// The deep network's buffers, after a training graph (2B views) and an evaluation graph
/// (2E views) are built, are the formula's GPU total and largest buffer, with and without
/// batch normalization and SimCLR's scratch.
#[test]
fn the_deep_formula_is_the_backends_buffers() {
    use stepwise::experiment::deep::{DeepConfig, DeepDataConfig, LossKind};
    use stepwise::gpu::{GpuDeepBackend, GpuTraining};
    for (batchnorm, loss) in [(true, LossKind::BarlowTwins), (false, LossKind::Simclr)] {
        let cfg = DeepConfig {
            channels: vec![4, 8],
            projector: vec![16],
            d: 4,
            batchnorm,
            loss,
            batch: 6,
            data: DeepDataConfig {
                count: 16,
                base: 10,
                crop: 8,
                eval: 5,
                ..DeepDataConfig::default()
            },
            ..DeepConfig::default()
        };
        cfg.validate().expect("valid");
        let shape = cfg.shape();
        let params = vec![0.01f32; shape.parameters()];
        let training = GpuTraining::from_config(&cfg);
        let mut gpu = pollster::block_on(GpuDeepBackend::new(ctx(), &shape, &params, training))
            .expect("backend");
        pollster::block_on(gpu.prepare_training(cfg.views_per_step())).expect("training graph");
        let count = 2 * cfg.data.eval;
        let views = vec![0.5f32; count * 3 * cfg.data.crop * cfg.data.crop];
        pollster::block_on(gpu.evaluate_views(&views, count)).expect("evaluation graph");
        let sizes = gpu.buffer_bytes();
        let held: u64 = sizes.iter().sum();
        let need = cfg.memory_need();
        println!("batchnorm {batchnorm}: held {held} B, need {need:?}");
        assert!(held <= need.gpu_total_bytes, "{held} > {need:?}");
        assert!(
            need.gpu_total_bytes <= held + held / 4,
            "{need:?} vs {held}"
        );
        let largest = sizes.iter().copied().max().unwrap_or(0);
        assert_eq!(
            largest, need.gpu_largest_buffer_bytes,
            "batchnorm {batchnorm}"
        );
    }
}
