//! The GPU rows of `stepwise bench fig1 --gpu`: the complete run on the wgpu backend
//! (lavapipe without a GPU), from the configuration to the result with theory.

use std::time::Instant;

use stepwise::experiment::{self, LinearRun, RunConfig, RunResult};
use stepwise::gpu::{GpuContext, GpuLinearBackend};

use crate::error::{CliError, Usage};

/// Timings of one GPU configuration.
pub struct GpuTiming {
    /// Seconds to the complete result, every run (the device is created once, before).
    pub totals: Vec<f64>,
    /// Seconds in the gradient steps and records (best run).
    pub steps_s: f64,
    pub result: RunResult,
    pub dispatches: Dispatches,
}

/// GPU dispatches per step (issue 18 §3): as the run encoded them, and the backend's plan.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Dispatches {
    /// Over the whole run: whole dispatches and the shorter ones that end a record interval.
    pub measured_per_step: f64,
    /// The plan's dispatches and the steps they advance (1 unfused, the most a fused
    /// dispatch runs).
    pub plan_dispatches: usize,
    pub plan_steps: u32,
}

/// Runs `cfg` on `ctx` `repeat` times.
pub fn time_gpu(ctx: &GpuContext, cfg: &RunConfig, repeat: usize) -> Result<GpuTiming, CliError> {
    let (mut totals, mut steps_s, mut last) = (Vec::new(), f64::INFINITY, None);
    let mut dispatches = None;
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        let prep = experiment::prepare(cfg)?;
        let backend = pollster::block_on(GpuLinearBackend::from_prepared(ctx, &prep))?;
        let clock = Instant::now();
        let run = pollster::block_on(async {
            let mut run = LinearRun::start(backend, &prep).await?;
            run.finish().await?;
            Ok::<_, experiment::RunError>(run)
        })?;
        steps_s = steps_s.min(clock.elapsed().as_secs_f64());
        let backend = run.backend();
        let plan = backend.step_plan();
        dispatches = Some(Dispatches {
            measured_per_step: backend.measured_dispatches_per_step(),
            plan_dispatches: plan.dispatches.len(),
            plan_steps: plan.steps,
        });
        let result = experiment::assemble(&prep, &run, false);
        totals.push(started.elapsed().as_secs_f64());
        last = Some(result);
    }
    let result = last.ok_or(Usage::NoRepeat)?;
    let dispatches = dispatches.ok_or(Usage::NoRepeat)?;
    Ok(GpuTiming {
        totals,
        steps_s,
        result,
        dispatches,
    })
}
