//! `stepwise bench mlp [--gpu] [--preset NAME]… [--steps N]` (issue 18 §3; docs/architecture.md
//! §3): full-batch training steps of the MLP presets on the CPU backend and, with `--gpu`, on
//! wgpu's adapter (Mesa's lavapipe without a GPU), from the same initial weights, with the
//! ratio GPU/CPU measured in the same run, the GPU's dispatches per step and its time per
//! kernel (timestamp queries where the device has them, else the wall clock per dispatch).
//! One untimed warm-up step first; the timed steps end with the embeddings read back.
//! A benchmark, never a test: the numbers depend on the machine and its load.

use std::time::Instant;

use serde::Serialize;
use stepwise::experiment::mlp::{mlp_preset, MlpBackend, MlpPrepared};
use stepwise::experiment::RunError;
use stepwise::gpu::profile::{profile_plan, Profile};
use stepwise::gpu::GpuMlpBackend;

use crate::bench_deep::presets_and_gpu;
use crate::error::{CliError, Usage};
use crate::stdout::say;

/// The presets timed when none is named: Figure 2's network and a small, dispatch-bound one.
pub const DEFAULT_PRESETS: [&str; 2] = ["fig2-bt", "mlp-small-bt"];

/// One backend's timing of one preset.
#[derive(Debug, Clone, Serialize)]
pub struct MlpBenchRow {
    pub preset: String,
    /// `cpu-f32`, or the GPU backend's name with its adapter.
    pub backend: String,
    pub steps: u32,
    pub seconds: f64,
    /// Dispatches of one step (GPU rows only).
    pub dispatches_per_step: Option<f64>,
    /// max |F_gpu − F_cpu| / max |F_cpu| after the same steps (GPU rows only).
    pub embedding_gap: Option<f64>,
    /// Time per kernel of one step (GPU rows only).
    pub profile: Option<Profile>,
}

impl MlpBenchRow {
    pub fn ms_per_step(&self) -> f64 {
        1e3 * self.seconds / f64::from(self.steps.max(1))
    }
}

/// Times `steps` (default [`default_steps`]) training steps of every preset (defaults:
/// [`DEFAULT_PRESETS`]) on the CPU and, when `gpu`, on the wgpu adapter; prints the table.
pub fn bench_mlp(
    presets: &[String],
    steps: Option<usize>,
    gpu: bool,
) -> Result<Vec<MlpBenchRow>, CliError> {
    let (names, ctx) = presets_and_gpu(presets, &DEFAULT_PRESETS, gpu)?;
    let mut rows = Vec::new();
    for name in &names {
        let cfg = mlp_preset(name).ok_or_else(|| Usage::MlpBenchPreset(name.clone()))?;
        let steps = steps.map_or_else(|| default_steps(cfg.step_macs()), |s| s.max(1) as u32);
        let prep = MlpPrepared::new(&cfg)?;
        let (cpu_s, cpu_f) = pollster::block_on(time_steps(&mut prep.cpu_backend(), steps))?;
        let row = MlpBenchRow {
            preset: name.clone(),
            backend: "cpu-f32".into(),
            steps,
            seconds: cpu_s,
            dispatches_per_step: None,
            embedding_gap: None,
            profile: None,
        };
        rows.push(row.clone());
        if let Some(ctx) = &ctx {
            let mut backend = pollster::block_on(GpuMlpBackend::from_prepared(ctx, &prep))?;
            let (gpu_s, gpu_f) = pollster::block_on(time_steps(&mut backend, steps))?;
            let plan = backend.step_plan();
            let profile = profile_plan(backend.device(), backend.queue(), &plan, 3)?;
            rows.push(MlpBenchRow {
                backend: backend.name(),
                seconds: gpu_s,
                dispatches_per_step: Some(plan.dispatches_per_step()),
                embedding_gap: Some(relative_gap(&gpu_f, &cpu_f)),
                profile: Some(profile),
                ..row
            });
        }
    }
    print_rows(&rows);
    Ok(rows)
}

/// Steps of about [`DEFAULT_MACS`] multiply-adds, within 3..=500.
fn default_steps(step_macs: f64) -> u32 {
    (DEFAULT_MACS / step_macs.max(1.0))
        .round()
        .clamp(3.0, 500.0) as u32
}

/// The work a default benchmark times per preset and backend (fig2-bt: 12 steps, about
/// a second on lavapipe).
const DEFAULT_MACS: f64 = 2e9;

/// Seconds of `steps` steps after an untimed warm-up step, up to the embeddings read
/// back, and those embeddings.
async fn time_steps<B: MlpBackend>(
    backend: &mut B,
    steps: u32,
) -> Result<(f64, Vec<f32>), CliError> {
    backend.advance(1, false).await.map_err(RunError::from)?;
    let started = Instant::now();
    let snapshot = backend
        .advance(steps, false)
        .await
        .map_err(RunError::from)?;
    Ok((started.elapsed().as_secs_f64(), snapshot.embeddings))
}

fn relative_gap(a: &[f32], b: &[f32]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
    let worst = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max(f64::from((x - y).abs())));
    worst / scale.max(1e-30)
}

fn print_rows(rows: &[MlpBenchRow]) {
    say!("MLP training steps (full batch, 1 warm-up step, embeddings read back at the end)");
    say!(
        "{:<14} {:<40} {:>6} {:>10} {:>9} {:>11} {:>12}",
        "preset",
        "backend",
        "steps",
        "ms/step",
        "GPU/CPU",
        "disp./step",
        "|ΔF|/max|F|"
    );
    let mut cpu = f64::NAN;
    for row in rows {
        let ms = row.ms_per_step();
        let ratio = if row.embedding_gap.is_some() {
            format!("{:.2}x", cpu / ms)
        } else {
            cpu = ms;
            "-".into()
        };
        say!(
            "{:<14} {:<40} {:>6} {:>10.2} {:>9} {:>11} {:>12}",
            row.preset,
            row.backend,
            row.steps,
            ms,
            ratio,
            row.dispatches_per_step
                .map_or("-".into(), |d| format!("{d:.0}")),
            row.embedding_gap.map_or("-".into(), |g| format!("{g:.1e}"))
        );
    }
    for row in rows {
        if let Some(p) = &row.profile {
            print_profile(&row.preset, p);
        }
    }
}

/// Time per kernel name of one step, slowest first.
pub fn print_profile(preset: &str, profile: &Profile) {
    let total = profile.total_seconds();
    say!(
        "{preset}: time per kernel ({}), {:.2} ms/step in all",
        profile.timer.describe(),
        1e3 * total
    );
    for k in &profile.kernels {
        say!(
            "    {:<28} {:>5.0} dispatches {:>10.3} ms {:>6.1}%",
            k.name,
            k.dispatches,
            1e3 * k.seconds,
            100.0 * k.seconds / total.max(1e-30)
        );
    }
}
