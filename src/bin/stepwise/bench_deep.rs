//! `stepwise bench deep [--gpu] [--preset NAME]… [--steps N]` (issue 16 §7; docs/deep.md §2):
//! training-step throughput of the deep-network presets on the CPU and, with `--gpu`, on
//! wgpu's adapter (Mesa's lavapipe without a GPU), on the same seeded batches, with the ratio
//! GPU/CPU measured in the same run. Only the SGD steps are timed: the batches are drawn
//! beforehand and no evaluation or tracking runs; one untimed warm-up step builds the
//! buffers (and the GPU's graph) first, and a parameter readback closes the timed steps.
//! The GPU rows end with the time per kernel of one more step (`gpu::profile`: timestamp
//! queries where the device has them, else the wall clock per dispatch).
//! A benchmark, never a test: the numbers depend on the machine and its load.

use std::time::Instant;

use serde::Serialize;
use stepwise::data::augment;
use stepwise::data::rng::{stream, Rng};
use stepwise::experiment::deep::{deep_preset, DeepBackend, DeepPrepared};
use stepwise::experiment::RunError;
use stepwise::gpu::profile::{profile_plan, Profile};
use stepwise::gpu::{GpuContext, GpuDeepBackend, GpuTraining};

use crate::error::{CliError, Usage};
use crate::stdout::say;

/// The presets timed when none is named: the network and its CPU-sized version.
pub const DEFAULT_PRESETS: [&str; 2] = ["resnet-bt", "resnet-bt-small"];

/// One backend's timing of one preset.
#[derive(Debug, Clone, Serialize)]
pub struct DeepBenchRow {
    pub preset: String,
    /// `cpu-f32`, or the GPU backend's name with its adapter.
    pub backend: String,
    pub steps: usize,
    /// Views per step (2B).
    pub views: usize,
    /// Forward FLOPs of one view (`ResNetShape::flops_per_view`).
    pub flops_per_view: usize,
    pub seconds: f64,
    /// max |w_gpu − w_cpu| after the same steps (GPU rows only).
    pub max_param_gap: Option<f64>,
    /// Time per kernel of one step (GPU rows only).
    pub profile: Option<Profile>,
}

impl DeepBenchRow {
    pub fn steps_per_second(&self) -> f64 {
        self.steps as f64 / self.seconds
    }

    /// Forward + backward ≈ 3 x the forward FLOPs of every view of a step.
    pub fn gflops(&self) -> f64 {
        self.steps_per_second() * 3.0 * (self.views * self.flops_per_view) as f64 / 1e9
    }
}

/// The presets a step benchmark times (`named`, else `defaults`) and the wgpu context when
/// `gpu` (shared with `bench mlp`).
pub fn presets_and_gpu(
    named: &[String],
    defaults: &[&str],
    gpu: bool,
) -> Result<(Vec<String>, Option<GpuContext>), CliError> {
    let names = if named.is_empty() {
        defaults.iter().map(|s| s.to_string()).collect()
    } else {
        named.to_vec()
    };
    let ctx = match gpu {
        true => Some(pollster::block_on(GpuContext::new())?),
        false => None,
    };
    Ok((names, ctx))
}

/// Times `steps` (default [`default_steps`]) training steps of every preset (defaults:
/// [`DEFAULT_PRESETS`]) on the CPU and, when `gpu`, on the wgpu adapter; prints the table.
pub fn bench_deep(
    presets: &[String],
    steps: Option<usize>,
    gpu: bool,
) -> Result<Vec<DeepBenchRow>, CliError> {
    let (names, ctx) = presets_and_gpu(presets, &DEFAULT_PRESETS, gpu)?;
    let mut rows = Vec::new();
    for name in &names {
        let cfg = deep_preset(name).ok_or_else(|| Usage::DeepBenchPreset(name.clone()))?;
        let prep = DeepPrepared::new(&cfg)?;
        let flops_per_view = prep.shape.flops_per_view();
        let views = 2 * prep.config.batch;
        let steps = steps.unwrap_or_else(|| default_steps(views * flops_per_view));
        let batches = draw_batches(&prep, steps.max(1) + 1);
        let lr = prep.config.lr as f32;
        let mut cpu = prep.cpu_backend();
        let (cpu_s, cpu_params) = pollster::block_on(time_steps(&mut cpu, &batches, lr))?;
        let row = DeepBenchRow {
            preset: name.clone(),
            backend: "cpu-f32".into(),
            steps: batches.len() - 1,
            views,
            flops_per_view,
            seconds: cpu_s,
            max_param_gap: None,
            profile: None,
        };
        rows.push(row.clone());
        if let Some(ctx) = &ctx {
            let training = GpuTraining::from_config(&prep.config);
            let mut backend = pollster::block_on(GpuDeepBackend::new(
                ctx,
                &prep.shape,
                &prep.params,
                training,
            ))?;
            let backend_name = backend.name();
            let (gpu_s, gpu_params) = pollster::block_on(time_steps(&mut backend, &batches, lr))?;
            let profile = match backend.step_plan() {
                Some(plan) => Some(profile_plan(backend.device(), backend.queue(), &plan, 1)?),
                None => None,
            };
            let gap = cpu_params
                .iter()
                .zip(&gpu_params)
                .map(|(a, b)| f64::from((a - b).abs()))
                .fold(0.0, f64::max);
            rows.push(DeepBenchRow {
                backend: backend_name,
                seconds: gpu_s,
                max_param_gap: Some(gap),
                profile,
                ..row
            });
        }
    }
    print_rows(&rows);
    Ok(rows)
}

/// Steps of about [`DEFAULT_WORK`] FLOPs (≈ 2 s on one core of this CPU), within 3..=100,
/// for a step of `forward_flops` (all views' forward FLOPs; the step does about 3x).
fn default_steps(forward_flops: usize) -> usize {
    let steps = DEFAULT_WORK / (3.0 * forward_flops.max(1) as f64);
    (steps.round() as usize).clamp(3, 100)
}

/// The work a default benchmark times per preset and backend, in FLOPs.
const DEFAULT_WORK: f64 = 2e10;

/// `count` batches of views as a run of `prep` draws them (seeded: the same on every backend).
fn draw_batches(prep: &DeepPrepared, count: usize) -> Vec<Vec<f32>> {
    let cfg = &prep.config;
    let mut batch_rng = Rng::new(cfg.seed, stream::BATCH);
    let mut augment_rng = Rng::new(cfg.seed, stream::AUGMENT);
    (0..count)
        .map(|_| {
            let indices = augment::batch_indices(prep.base.count(), cfg.batch, &mut batch_rng);
            let (crop, flip) = (cfg.data.crop, cfg.data.flip);
            augment::views(&prep.base, &indices, crop, flip, &mut augment_rng)
        })
        .collect()
}

/// Seconds of the steps on `batches[1..]` (after an untimed warm-up step on `batches[0]`),
/// up to the parameters read back, and those parameters.
async fn time_steps<B: DeepBackend>(
    backend: &mut B,
    batches: &[Vec<f32>],
    lr: f32,
) -> Result<(f64, Vec<f32>), CliError> {
    let Some((warm, timed)) = batches.split_first() else {
        return Err(Usage::NoRepeat.into());
    };
    backend.train(warm, lr).await.map_err(RunError::from)?;
    backend.params().await.map_err(RunError::from)?;
    let started = Instant::now();
    for views in timed {
        backend.train(views, lr).await.map_err(RunError::from)?;
    }
    let params = backend.params().await.map_err(RunError::from)?;
    Ok((started.elapsed().as_secs_f64(), params))
}

fn print_rows(rows: &[DeepBenchRow]) {
    say!(
        "deep-network training steps (SGD only, batches drawn beforehand, 1 warm-up step); \
         GFLOP/s = steps/s · 3 · 2B · flops_per_view"
    );
    say!(
        "{:<18} {:<44} {:>6} {:>6} {:>10} {:>10} {:>10} {:>9} {:>10}",
        "preset",
        "backend",
        "steps",
        "views",
        "steps/s",
        "ms/step",
        "GFLOP/s",
        "GPU/CPU",
        "max |Δw|"
    );
    let mut cpu = f64::NAN;
    for row in rows {
        let sps = row.steps_per_second();
        let ratio = if row.max_param_gap.is_some() {
            format!("{:.2}x", sps / cpu)
        } else {
            cpu = sps;
            "-".into()
        };
        say!(
            "{:<18} {:<44} {:>6} {:>6} {:>10.3} {:>10.1} {:>10.3} {:>9} {:>10}",
            row.preset,
            row.backend,
            row.steps,
            row.views,
            sps,
            1e3 / sps,
            row.gflops(),
            ratio,
            row.max_param_gap.map_or("-".into(), |g| format!("{g:.1e}"))
        );
    }
    for row in rows {
        if let Some(p) = &row.profile {
            super::bench_mlp::print_profile(&row.preset, p);
        }
    }
}
