//! [`MlpCell`]: cells 5 and 6's MLP run, on WebGPU (the NTK computed there too) or on the
//! CPU, where a run the reader did not size (`auto_size`) takes
//! [`cpu_fallback`]'s smaller data at the same width.

use super::cell::{advance_to, Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::cost::{mlp_cpu_seconds, mlp_gpu_seconds};
use super::engine::Engine;
use super::session::Progress;
use super::stepper::Stepper;
use crate::data::photos::Photo;
use crate::experiment::mlp::{
    assemble_mlp, cpu_fallback, CpuMlpBackend, MlpBackend, MlpConfig, MlpPrepared, MlpResult,
    MlpRun, MlpSetup, TYPICAL_AUTO_STEPS,
};
use crate::experiment::{record_grid, theory_records, Record, RunError};
use crate::gpu::{prepare_on_gpu, GpuContext, GpuMlpBackend};

/// The MLP run of an [`MlpConfig`]; `auto_size`: the reader did not size the run, so the
/// CPU may run it on [`cpu_fallback`]'s smaller data.
#[derive(Debug, Clone, Copy, Default)]
pub struct MlpCell {
    pub auto_size: bool,
}

/// The data and initial weights of the requested run, and of the CPU fallback's.
pub struct MlpPlan {
    pub requested: MlpConfig,
    pub setup: MlpSetup,
    /// The smaller data the CPU runs instead (with `auto_size`, when the run is too slow).
    pub fallback: Option<MlpSetup>,
}

/// An MLP run with the prepared run it steps (the NTK's theory, resolved η and steps).
pub struct MlpStepper<B> {
    pub prep: MlpPrepared,
    pub run: MlpRun<B>,
}

impl<B: MlpBackend> MlpStepper<B> {
    async fn start(prep: MlpPrepared, backend: B) -> Result<Self, RunError> {
        let run = MlpRun::start(backend, &prep).await?;
        Ok(Self { prep, run })
    }

    fn assemble(&self) -> MlpResult {
        assemble_mlp(&self.prep, &self.run)
    }
}

impl<B: MlpBackend> Stepper for MlpStepper<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        self.run.advance(budget).await
    }

    fn step(&self) -> u64 {
        self.run.step()
    }

    fn total_steps(&self) -> u64 {
        self.run.total_steps()
    }

    fn is_finished(&self) -> bool {
        self.run.is_finished()
    }

    fn interval(&self) -> u64 {
        Stepper::interval(&self.run)
    }
}

impl MlpCell {
    /// The resolved configuration the engine runs (the CPU fallback's data, if it shrank).
    pub fn run_config(engine: &EngineOf<Self>) -> &MlpConfig {
        match engine {
            Engine::Cpu(s) => &s.prep.config,
            Engine::Gpu(s) => &s.prep.config,
        }
    }

    fn assemble(engine: &EngineOf<Self>) -> MlpResult {
        match engine {
            Engine::Cpu(s) => s.assemble(),
            Engine::Gpu(s) => s.assemble(),
        }
    }

    fn records(engine: &EngineOf<Self>) -> (&[Record], &[crate::experiment::mlp::HiddenRecord]) {
        match engine {
            Engine::Cpu(s) => (s.run.records(), s.run.hidden_records()),
            Engine::Gpu(s) => (s.run.records(), s.run.hidden_records()),
        }
    }
}

/// "n = 100 pairs, m = 192".
fn data_words(cfg: &MlpConfig) -> String {
    format!("n = {} pairs, m = {}", cfg.dataset.n, cfg.dataset.m())
}

impl Cell for MlpCell {
    type Config = MlpConfig;
    type Prepared = MlpPlan;
    type Cpu = MlpStepper<CpuMlpBackend>;
    type Gpu = MlpStepper<GpuMlpBackend>;
    type Live = MlpResult;
    type Extras = ();
    type Result = MlpResult;

    fn prepare(&self, cfg: &MlpConfig, photos: Option<&[Photo]>) -> Result<MlpPlan, RunError> {
        let setup = MlpSetup::with_photos(cfg, photos)?;
        let small = cpu_fallback(cfg).filter(|_| self.auto_size);
        let fallback = small
            .map(|small| MlpSetup::with_photos(&small, photos))
            .transpose()?;
        Ok(MlpPlan {
            requested: cfg.clone(),
            setup,
            fallback,
        })
    }

    async fn start_cpu(&self, plan: &MlpPlan) -> Result<Self::Cpu, RunError> {
        let setup = plan.fallback.as_ref().unwrap_or(&plan.setup).clone();
        let prep = MlpPrepared::from_setup(setup)?;
        MlpStepper::start(prep.clone(), prep.cpu_backend()).await
    }

    async fn start_gpu(&self, ctx: &GpuContext, plan: &MlpPlan) -> Result<Self::Gpu, RunError> {
        let (prep, backend) = prepare_on_gpu(ctx, plan.setup.clone()).await?;
        MlpStepper::start(prep, backend).await
    }

    /// The GPU's prepared run (its NTK theory, η and steps) on the CPU backend: the same
    /// data and initial weights, so the same trajectory, brought to `step`.
    async fn resume_cpu(
        &self,
        _plan: &MlpPlan,
        gpu: &Self::Gpu,
        step: u64,
    ) -> Result<Self::Cpu, RunError> {
        let prep = gpu.prep.clone();
        let mut cpu = MlpStepper::start(prep.clone(), prep.cpu_backend()).await?;
        advance_to(&mut cpu, step).await?;
        Ok(cpu)
    }

    /// Seconds for the run's steps (before the NTK fixes an automatic count:
    /// [`TYPICAL_AUTO_STEPS`]); on the CPU, of the data it would run.
    fn estimate(&self, plan: &MlpPlan, kind: BackendKind, adapter: &AdapterInfo) -> Option<f64> {
        let cfg = match kind {
            BackendKind::Cpu => &plan.fallback.as_ref().unwrap_or(&plan.setup).config,
            BackendKind::WebGpu => &plan.requested,
        };
        let steps = cfg.steps.unwrap_or(TYPICAL_AUTO_STEPS);
        Some(match kind {
            BackendKind::Cpu => mlp_cpu_seconds(cfg, steps),
            BackendKind::WebGpu => mlp_gpu_seconds(cfg, steps, adapter),
        })
    }

    fn extras(&self, _plan: &MlpPlan) {}

    /// The records so far with the NTK theory on the whole run's time grid.
    fn live(&self, _plan: &MlpPlan, engine: &EngineOf<Self>) -> MlpResult {
        let mut live = Self::assemble(engine);
        let prep = match engine {
            Engine::Cpu(s) => &s.prep,
            Engine::Gpu(s) => &s.prep,
        };
        let grid = record_grid(prep.steps(), prep.config.record_every, prep.lr());
        live.theory.records = theory_records(&prep.kernel.theory, &grid);
        live
    }

    /// New records; at the end, the complete result (the final embeddings' alignment).
    fn sync(&self, live: &mut MlpResult, _plan: &MlpPlan, engine: &EngineOf<Self>) {
        if engine.is_finished() {
            let full_theory = std::mem::take(&mut live.theory.records);
            *live = Self::assemble(engine);
            live.theory.records = full_theory;
            return;
        }
        live.backend = match engine {
            Engine::Cpu(s) => s.run.backend().name(),
            Engine::Gpu(s) => s.run.backend().name(),
        };
        let (records, hidden) = Self::records(engine);
        if let Some(new) = records.get(live.records.len()..) {
            live.records.extend_from_slice(new);
        }
        if let Some(new) = hidden.get(live.hidden.len()..) {
            live.hidden.extend_from_slice(new);
        }
    }

    fn progress(&self, live: &MlpResult, progress: &mut Progress) {
        progress.records = live.records.len() as u32;
    }

    /// On the CPU fallback's data: what it runs instead and why.
    fn notices(&self, plan: &MlpPlan, engine: &EngineOf<Self>) -> Vec<String> {
        let (run, cfg) = (Self::run_config(engine), &plan.requested);
        if run.dataset == cfg.dataset {
            return Vec::new();
        }
        vec![format!(
            "CPU fallback: {} instead of {} (width {} kept, so the NTK theory holds); set the \
             width to run the full data",
            data_words(run),
            data_words(cfg),
            cfg.width
        )]
    }

    /// As `assemble_mlp` makes it: the theory on the records' steps.
    fn result(&self, _plan: &MlpPlan, live: &MlpResult, choice: &BackendChoice) -> MlpResult {
        let mut result = live.clone();
        result.theory.records = on_steps(&live.theory.records, &live.records);
        result.backend_choice = Some(choice.clone());
        result
    }
}

/// The theory's records (on the whole run's grid) at the steps of `records`.
pub(super) fn on_steps(theory: &[Record], records: &[Record]) -> Vec<Record> {
    let mut out = Vec::with_capacity(records.len());
    let mut it = theory.iter().peekable();
    for r in records {
        while it.next_if(|x| x.step < r.step).is_some() {}
        if let Some(x) = it.next_if(|x| x.step == r.step) {
            out.push(x.clone());
        }
    }
    out
}
