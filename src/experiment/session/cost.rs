//! The cost model behind `backend=auto`: seconds of a run's steps on the CPU (in wasm) and
//! on a WebGPU adapter, from the configuration's sizes. The preparation is not counted: it
//! runs on the CPU whichever backend steps.
//!
//! A GPU step costs its dispatches times a per-dispatch latency plus its flops at the
//! adapter's rate; a CPU step its flops at the measured wasm rate. Every constant is here,
//! with where it comes from (README.md's benchmark table; docs/architecture.md). Good to
//! about 2x: enough to tell SwiftShader's 20x gap from a close call.

use super::choice::AdapterInfo;
use crate::experiment::deep::cost::flops_per_step;
use crate::experiment::deep::DeepConfig;
use crate::experiment::estimate::{Cost, CostModel};
use crate::experiment::mlp::MlpConfig;
use crate::experiment::{Prepared, Solver};
use crate::model::resnet::ResNetShape;

/// A WebGPU adapter's throughput at the experiments' small dispatches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuRates {
    /// Seconds of fixed cost per compute dispatch (encoding, validation, launch).
    pub dispatch_seconds: f64,
    /// Flops per second inside a dispatch.
    pub flops: f64,
}

/// A CPU-emulated adapter (SwiftShader, llvmpipe, lavapipe). Fitted to fig1 in headless
/// Chromium on SwiftShader (README.md's benchmark table: 14 673 steps, eigenbasis 16.5 s,
/// truncated with K = 24 3.60 s, three dispatches a step of 4·d²·K flops): 76 µs a dispatch
/// and 0.54 GFLOP/s solve both (1.12 and 0.245 ms a step).
pub const SOFTWARE_GPU: GpuRates = GpuRates {
    dispatch_seconds: 76e-6,
    flops: 0.54e9,
};

/// A hardware adapter: about 10 µs per dispatch through WebGPU's validation and ~1 TFLOP/s
/// of f32 at these sizes (an integrated GPU's order of magnitude; not measured here, no GPU
/// was lent to this work).
pub const HARDWARE_GPU: GpuRates = GpuRates {
    dispatch_seconds: 10e-6,
    flops: 1e12,
};

/// Flops per second of the CPU backend's eigenbasis and truncated steps in Chromium's wasm
/// (`experiment::modal`'s vectorized loops): fig1's 14 673 eigenbasis steps took 287 ms
/// natively, 2.8x that in wasm (README.md), at 4·d²·K = 480 kflop a step: 8.8 GFLOP/s.
pub const CPU_MODAL_FLOPS: f64 = 8.8e9;

/// Flops per second of the literal solver's faer matmuls in wasm (large products, as the
/// MLP's: `estimate::ASSUMED_CPU_MLP_FLOPS`).
pub const CPU_LITERAL_FLOPS: f64 = crate::experiment::estimate::ASSUMED_CPU_MLP_FLOPS;

/// Dispatches of one linear step on the GPU (`gpu::linear_backend`: update, project,
/// correlate).
pub const LINEAR_STEP_DISPATCHES: f64 = 3.0;

/// Dispatches of one MLP step on the GPU (`gpu::mlp_resources`: forward 3, loss gradient
/// 1–2, backward 4, update 2).
pub const MLP_STEP_DISPATCHES: f64 = 10.0;

impl AdapterInfo {
    /// The rates the cost model assumes for this adapter.
    pub fn rates(&self) -> GpuRates {
        if self.software {
            SOFTWARE_GPU
        } else {
            HARDWARE_GPU
        }
    }
}

/// Seconds of `steps` steps of `dispatches` dispatches and `flops` flops each on `adapter`.
pub fn gpu_seconds(adapter: &AdapterInfo, steps: f64, dispatches: f64, flops: f64) -> f64 {
    let r = adapter.rates();
    steps * (dispatches * r.dispatch_seconds + flops / r.flops)
}

/// Flops of one linear step: 4·d²·K in the eigenbasis (K modes), 2·d·m² + 4·d²·m literal.
pub fn linear_step_flops(prep: &Prepared) -> f64 {
    let d = prep.config.d as f64;
    let m = prep.pairs.m as f64;
    match prep.config.solver {
        Solver::Literal => 2.0 * d * m * m + 4.0 * d * d * m,
        Solver::Eigenbasis | Solver::Truncated => 4.0 * d * d * prep.eigen.values.len() as f64,
    }
}

/// Seconds of `steps` linear steps of `prep`'s solver on the CPU in wasm.
pub fn linear_cpu_seconds(prep: &Prepared, steps: f64) -> f64 {
    let rate = match prep.config.solver {
        Solver::Literal => CPU_LITERAL_FLOPS,
        Solver::Eigenbasis | Solver::Truncated => CPU_MODAL_FLOPS,
    };
    steps * linear_step_flops(prep) / rate
}

/// Seconds of `steps` linear steps of `prep`'s solver on `adapter`, with `extra` more
/// dispatches a step (Appendix G's update).
pub fn linear_gpu_seconds(prep: &Prepared, steps: f64, extra: f64, adapter: &AdapterInfo) -> f64 {
    let dispatches = LINEAR_STEP_DISPATCHES + extra;
    gpu_seconds(adapter, steps, dispatches, linear_step_flops(prep))
}

/// Seconds of `steps` steps of `cfg`'s MLP on the CPU in wasm (`mlp::cost`).
pub fn mlp_cpu_seconds(cfg: &MlpConfig, steps: u64) -> f64 {
    cfg.cpu_estimate(steps, true).seconds
}

/// Seconds of `steps` steps of `cfg`'s MLP on `adapter` (2 flops per multiply-add).
pub fn mlp_gpu_seconds(cfg: &MlpConfig, steps: u64, adapter: &AdapterInfo) -> f64 {
    let flops = 2.0 * cfg.step_macs();
    gpu_seconds(adapter, steps as f64, MLP_STEP_DISPATCHES, flops)
}

/// Dispatches of one deep step on the GPU per convolution (forward: conv, batchnorm, ReLU;
/// backward: ReLU, batchnorm, input and weight gradients; the update), as `gpu::resnet_*`
/// plans them; the projector and the loss add [`MLP_STEP_DISPATCHES`].
pub const DEEP_DISPATCHES_PER_CONV: f64 = 8.0;

/// Flops of one deep step (2·batch views forward and backward: `deep::flops_per_step`) and
/// of one record (the 2·eval evaluation views forward), docs/deep.md §1.
pub fn deep_flops(cfg: &DeepConfig, shape: &ResNetShape) -> (f64, f64) {
    let step = flops_per_step(cfg) as f64;
    let record = shape.flops_per_view() as f64 * 2.0 * cfg.data.eval as f64;
    (step, record)
}

/// The flops of `cfg`'s whole run: its steps and its records.
fn deep_run_flops(cfg: &DeepConfig, shape: &ResNetShape) -> f64 {
    let (step, record) = deep_flops(cfg, shape);
    let records = (cfg.steps / cfg.record_every.max(1) + 1) as f64;
    cfg.steps as f64 * step + records * record
}

/// Seconds of `cfg`'s run on the CPU in wasm: its flops at the MLP's matmul rate (the
/// convolutions are im2col matmuls of the same kind).
pub fn deep_cpu_seconds(cfg: &DeepConfig, shape: &ResNetShape) -> f64 {
    deep_run_flops(cfg, shape) / CPU_LITERAL_FLOPS
}

/// Seconds of `cfg`'s run on `adapter`: per step one set of dispatches per convolution.
pub fn deep_gpu_seconds(cfg: &DeepConfig, shape: &ResNetShape, adapter: &AdapterInfo) -> f64 {
    let stages = cfg.channels.len();
    // the stem, two per basic block, and a projection shortcut where each later stage starts
    let convs = (1 + stages * cfg.blocks * 2 + stages.saturating_sub(1)) as f64;
    let dispatches = convs * DEEP_DISPATCHES_PER_CONV + MLP_STEP_DISPATCHES;
    let per_step = deep_run_flops(cfg, shape) / cfg.steps.max(1) as f64;
    gpu_seconds(adapter, cfg.steps as f64, dispatches, per_step)
}

/// The page's cost of `cfg` before it is prepared (check_config's `cost`): no preparation
/// to speak of, its steps with their share of the records.
pub fn deep_cost(cfg: &DeepConfig) -> Cost {
    let shape = cfg.shape();
    Cost {
        prepare_flops: 0.0,
        step_flops: deep_run_flops(cfg, &shape) / cfg.steps.max(1) as f64,
        steps: Some(cfg.steps),
        runs: 1.0,
        model: CostModel::Mlp,
    }
}

/// The cost of Table 2's comparison: its runs' steps one after another (docs/deep.md §5).
pub fn methods_cost(configs: &[DeepConfig]) -> Cost {
    let flops: f64 = configs.iter().map(|c| deep_run_flops(c, &c.shape())).sum();
    let steps: u64 = configs.iter().map(|c| c.steps).sum();
    Cost {
        step_flops: flops / steps.max(1) as f64,
        steps: Some(steps),
        ..deep_cost(configs.first().unwrap_or(&DeepConfig::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::deep::deep_preset;

    fn adapter(software: bool) -> AdapterInfo {
        AdapterInfo {
            name: "test".into(),
            software,
            limits: None,
        }
    }

    #[test]
    fn the_small_deep_presets_fit_the_cpu_and_the_full_ones_want_a_gpu() {
        for loss in ["bt", "simclr", "vicreg"] {
            let small = deep_preset(&format!("resnet-{loss}-small")).expect("small preset");
            let full = deep_preset(&format!("resnet-{loss}")).expect("full preset");
            let cpu_small = deep_cpu_seconds(&small, &small.shape());
            // the page's CPU default: about a minute (docs/deep.md §2)
            assert!(cpu_small < 120.0, "{loss}-small: {cpu_small} s on the CPU");
            let cpu_full = deep_cpu_seconds(&full, &full.shape());
            let gpu_full = deep_gpu_seconds(&full, &full.shape(), &adapter(false));
            assert!(
                gpu_full < cpu_full / 10.0,
                "{loss}: GPU {gpu_full} s, CPU {cpu_full} s"
            );
            // a CPU-emulated adapter is no faster than the CPU at the small size
            let soft = deep_gpu_seconds(&small, &small.shape(), &adapter(true));
            assert!(
                soft > cpu_small,
                "{loss}-small: software GPU {soft} s vs CPU {cpu_small} s"
            );
        }
    }

    #[test]
    fn a_deep_runs_cost_is_its_steps_and_its_records() {
        let cfg = deep_preset("resnet-bt-small").expect("preset");
        let shape = cfg.shape();
        let (step, record) = deep_flops(&cfg, &shape);
        let records = (cfg.steps / cfg.record_every + 1) as f64;
        let cost = deep_cost(&cfg);
        assert_eq!(cost.steps, Some(cfg.steps));
        let total = cost.step_flops * cfg.steps as f64;
        let want = step * cfg.steps as f64 + record * records;
        assert!((total / want - 1.0).abs() < 1e-12, "{total} vs {want}");
        // a record evaluates 2E views forward: the step's 2B views cost 3x a forward pass
        let per_view = shape.flops_per_view() as f64;
        assert_eq!(record, 2.0 * cfg.data.eval as f64 * per_view);
        assert_eq!(step, 3.0 * cfg.views_per_step() as f64 * per_view);
    }
}
