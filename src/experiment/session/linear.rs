//! [`LinearCell`]: cell 1's linear run (Figure 1), on the CPU or the WebGPU backend, with
//! replay snapshots of W.

use super::cell::{Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::cost::{linear_cpu_seconds, linear_gpu_seconds};
use super::engine::Engine;
use super::session::Progress;
use super::snapshots::Snapshots;
use crate::data::photos::Photo;
use crate::experiment::{
    assemble_without_digest, prepare_with_photos, record_grid, theory_records, BackendError,
    Coordinates, CpuBackend, LinearBackend, LinearRun, Prepared, Record, RunConfig, RunError,
    RunResult,
};
use crate::gpu::{GpuContext, GpuLinearBackend};

/// The linear run of a [`RunConfig`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LinearCell;

impl LinearCell {
    /// The current W, row-major d x m (in the original basis whatever the solver).
    pub async fn weights(engine: &mut EngineOf<Self>) -> Result<Vec<f32>, BackendError> {
        match engine {
            Engine::Cpu(run) => run.backend_mut().weights().await,
            Engine::Gpu(run) => run.backend_mut().weights().await,
        }
    }

    /// The current weights in the backend's own coordinates (see [`Coordinates`]).
    pub async fn coordinates(engine: &mut EngineOf<Self>) -> Result<Coordinates, BackendError> {
        match engine {
            Engine::Cpu(run) => run.backend_mut().coordinates().await,
            Engine::Gpu(run) => run.backend_mut().coordinates().await,
        }
    }

    /// The records the engine made so far.
    pub fn records(engine: &EngineOf<Self>) -> &[Record] {
        match engine {
            Engine::Cpu(run) => run.records(),
            Engine::Gpu(run) => run.records(),
        }
    }

    /// The backend's name, as written into results.
    pub fn backend_name(engine: &EngineOf<Self>) -> String {
        match engine {
            Engine::Cpu(run) => run.backend().name(),
            Engine::Gpu(run) => run.backend().name(),
        }
    }
}

impl Cell for LinearCell {
    type Config = RunConfig;
    type Prepared = Prepared;
    type Cpu = LinearRun<CpuBackend>;
    type Gpu = LinearRun<GpuLinearBackend>;
    type Live = RunResult;
    type Extras = Snapshots;
    type Result = RunResult;

    fn prepare(&self, cfg: &RunConfig, photos: Option<&[Photo]>) -> Result<Prepared, RunError> {
        prepare_with_photos(cfg, photos)
    }

    async fn start_cpu(&self, prep: &Prepared) -> Result<Self::Cpu, RunError> {
        LinearRun::start(prep.cpu_backend(), prep).await
    }

    async fn start_gpu(&self, ctx: &GpuContext, prep: &Prepared) -> Result<Self::Gpu, RunError> {
        let backend = GpuLinearBackend::from_prepared(ctx, prep)
            .await
            .map_err(BackendError::from)?;
        LinearRun::start(backend, prep).await
    }

    fn estimate(&self, prep: &Prepared, kind: BackendKind, adapter: &AdapterInfo) -> Option<f64> {
        let steps = prep.steps() as f64;
        Some(match kind {
            BackendKind::Cpu => linear_cpu_seconds(prep, steps),
            BackendKind::WebGpu => linear_gpu_seconds(prep, steps, 0.0, adapter),
        })
    }

    fn extras(&self, prep: &Prepared) -> Snapshots {
        Snapshots::plan(prep)
    }

    /// The records so far with the theory on the whole run's time grid.
    fn live(&self, prep: &Prepared, engine: &EngineOf<Self>) -> RunResult {
        let mut live = match engine {
            Engine::Cpu(run) => assemble_without_digest(prep, run, false),
            Engine::Gpu(run) => assemble_without_digest(prep, run, false),
        };
        let grid = record_grid(prep.steps(), prep.config.record_every, prep.lr());
        live.theory.records = theory_records(&prep.theory, &grid);
        live
    }

    fn sync(&self, live: &mut RunResult, _prep: &Prepared, engine: &EngineOf<Self>) {
        live.backend = Self::backend_name(engine);
        let have = live.records.len();
        if let Some(new) = Self::records(engine).get(have..) {
            live.records.extend_from_slice(new);
        }
    }

    fn progress(&self, live: &RunResult, progress: &mut Progress) {
        progress.records = live.records.len() as u32;
    }

    fn next_stop(&self, extras: &Snapshots, step: u64) -> Option<u64> {
        extras.next_stop(step)
    }

    async fn checkpoint(
        &self,
        extras: &mut Snapshots,
        engine: &mut EngineOf<Self>,
    ) -> Result<(), RunError> {
        let step = engine_step(engine);
        if extras.due(step) {
            extras.push(step, Self::coordinates(engine).await?);
        }
        Ok(())
    }

    /// As `experiment::assemble` makes it: the theory on the records' grid, the data's
    /// digest, the truncation report for the records so far.
    fn result(&self, prep: &Prepared, live: &RunResult, choice: &BackendChoice) -> RunResult {
        let mut result = live.clone();
        result.theory.records = theory_records(&prep.theory, &result.records);
        result.data_digest = prep.data_digest();
        result.truncation = prep
            .truncation
            .as_ref()
            .map(|t| t.report(prep.lr(), &result.records));
        result.backend_choice = Some(choice.clone());
        result
    }
}

fn engine_step(engine: &EngineOf<LinearCell>) -> u64 {
    match engine {
        Engine::Cpu(run) => run.step(),
        Engine::Gpu(run) => run.step(),
    }
}
