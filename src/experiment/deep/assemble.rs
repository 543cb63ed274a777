//! A finished deep-network run as a [`DeepResult`], and running one to the end on the CPU.

use super::backend::DeepBackend;
#[cfg(not(target_arch = "wasm32"))]
use super::config::DeepConfig;
#[cfg(not(target_arch = "wasm32"))]
use super::prepare::DeepPrepared;
use super::result::{half_final_crossings, DeepResult, DeepTiming};
use super::run::DeepRun;
use crate::experiment::result::digest;
#[cfg(not(target_arch = "wasm32"))]
use crate::experiment::RunError;

/// The result of a finished `run`, which took `seconds` of wall-clock time.
pub fn assemble_deep<B: DeepBackend>(run: &DeepRun<B>, seconds: f64) -> DeepResult {
    let prep = run.prepared();
    let cfg = &prep.config;
    DeepResult {
        config: cfg.clone(),
        backend: run.backend().name(),
        parameters: prep.shape.parameters(),
        hidden_dim: prep.shape.hidden_dim(),
        base_count: prep.base.count(),
        classes: prep.base.classes.clone(),
        records: run.records().to_vec(),
        hidden: run.hidden_records().to_vec(),
        probe: run.probe_records().to_vec(),
        rank: run.rank_records().to_vec(),
        crossings: half_final_crossings(run.records(), cfg.d),
        timing: DeepTiming {
            seconds,
            steps_per_second: run.step() as f64 / seconds.max(1e-9),
            flops_per_view: prep.shape.flops_per_view() as u64,
        },
        data_digest: digest(&[&prep.base.pixels, &prep.eval_views, &prep.params]),
        local_images: prep.local_images,
        backend_choice: None,
    }
}

/// Prepares `cfg` on the bundled photos and runs it to the end on the CPU.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_deep_cpu(cfg: &DeepConfig) -> Result<DeepResult, RunError> {
    run_deep_prepared_cpu(DeepPrepared::new(cfg)?)
}

/// Runs `prep` to the end on the CPU, timing it.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_deep_prepared_cpu(prep: DeepPrepared) -> Result<DeepResult, RunError> {
    let started = std::time::Instant::now();
    pollster::block_on(async {
        let mut run = DeepRun::start(prep.cpu_backend(), prep).await?;
        run.finish().await?;
        Ok(assemble_deep(&run, started.elapsed().as_secs_f64()))
    })
}
