//! [`DeepCell`]: cells 8 and 9's deep-network run (docs/deep.md): a small ResNet plus
//! projector trained by SGD on fresh crops, on the CPU or on WebGPU ([`Cell::start_gpu`]:
//! the same prepared run, so the same batches and initial weights on either backend; a lost
//! GPU resumes on the CPU at the same step by replaying the run's steps).

use super::cell::{Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::cost::{deep_cpu_seconds, deep_gpu_seconds};
use super::engine::Engine;
use super::machine::Progress;
use super::methods::GpuBackends;
use crate::data::photos::Photo;
use crate::experiment::deep::methods_run::MakeBackend;
use crate::experiment::deep::{
    assemble_deep, photo_base, CpuDeepBackend, DeepConfig, DeepPrepared, DeepResult, DeepRun,
};
use crate::experiment::RunError;
use crate::gpu::{GpuContext, GpuDeepBackend};

/// The deep-network run of a [`DeepConfig`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DeepCell;

impl DeepCell {
    /// The records so far; the timing is [`Cell::result`]'s (from the session's measured
    /// time per step: the wasm build has no clock of its own here).
    fn assemble(engine: &EngineOf<Self>) -> DeepResult {
        match engine {
            Engine::Cpu(run) => assemble_deep(run, 0.0),
            Engine::Gpu(run) => assemble_deep(run, 0.0),
        }
    }
}

impl Cell for DeepCell {
    type Config = DeepConfig;
    type Prepared = DeepPrepared;
    type Cpu = DeepRun<CpuDeepBackend>;
    type Gpu = DeepRun<GpuDeepBackend>;
    type Live = DeepResult;
    type Extras = ();
    type Result = DeepResult;

    fn prepare(
        &self,
        cfg: &DeepConfig,
        photos: Option<&[Photo]>,
    ) -> Result<DeepPrepared, RunError> {
        let base = photo_base(cfg, photos)?;
        DeepPrepared::with_base(cfg, base, photos.map(<[Photo]>::len))
    }

    async fn start_cpu(&self, prep: &DeepPrepared) -> Result<Self::Cpu, RunError> {
        DeepRun::start(prep.cpu_backend(), prep.clone()).await
    }

    async fn start_gpu(
        &self,
        ctx: &GpuContext,
        prep: &DeepPrepared,
    ) -> Result<Self::Gpu, RunError> {
        let backend = GpuBackends { ctx: ctx.clone() }.make(prep).await?;
        DeepRun::start(backend, prep.clone()).await
    }

    /// Seconds of the run's steps and records from its flops (docs/deep.md §1).
    fn estimate(
        &self,
        prep: &DeepPrepared,
        kind: BackendKind,
        adapter: &AdapterInfo,
    ) -> Option<f64> {
        Some(match kind {
            BackendKind::Cpu => deep_cpu_seconds(&prep.config, &prep.shape),
            BackendKind::WebGpu => deep_gpu_seconds(&prep.config, &prep.shape, adapter),
        })
    }

    fn extras(&self, _prep: &DeepPrepared) {}

    fn live(&self, _prep: &DeepPrepared, engine: &EngineOf<Self>) -> DeepResult {
        Self::assemble(engine)
    }

    /// The records so far (the run's result is cheap to assemble: no final analysis).
    fn sync(&self, live: &mut DeepResult, _prep: &DeepPrepared, engine: &EngineOf<Self>) {
        *live = Self::assemble(engine);
    }

    fn progress(&self, live: &DeepResult, progress: &mut Progress) {
        progress.records = live.records.len() as u32;
    }

    /// The result so far, timed by the session's measured milliseconds per step.
    fn result(
        &self,
        _prep: &DeepPrepared,
        live: &DeepResult,
        choice: &BackendChoice,
    ) -> DeepResult {
        timed(live, choice)
    }
}

/// `live` timed by the session's measured milliseconds per step, with `choice`.
pub(super) fn timed(live: &DeepResult, choice: &BackendChoice) -> DeepResult {
    let mut result = live.clone();
    let step_ms = choice.measured_step_ms.unwrap_or(0.0);
    let steps = live.records.last().map_or(0, |r| r.step) as f64;
    result.timing.seconds = step_ms * steps / 1e3;
    result.timing.steps_per_second = if step_ms > 0.0 { 1e3 / step_ms } else { 0.0 };
    result.backend_choice = Some(choice.clone());
    result
}
