//! [`MethodsCell`]: cell 10's comparison of the three methods (the paper's Table 2,
//! docs/deep.md §5): Barlow Twins, SimCLR and VICReg trained in turn on the same data and
//! evaluated on the same views ([`MethodsRun`], as `stepwise compare methods`), then the
//! alignment of their embedding subspaces. Each run prepares and steps as [`DeepCell`]'s,
//! on the CPU or on WebGPU.

use serde::Serialize;

use super::cell::{Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::deep::{timed, DeepCell};
use super::engine::Engine;
use super::machine::Progress;
use crate::data::photos::Photo;
use crate::experiment::deep::methods::{compare, MethodsComparison};
use crate::experiment::deep::methods_config::{method_name, MethodsConfig};
use crate::experiment::deep::methods_run::{CpuBackends, MakeBackend, MethodsRun};
use crate::experiment::deep::{assemble_deep, DeepPrepared, DeepResult, LossKind};
use crate::experiment::{BackendError, RunError};
use crate::gpu::{GpuContext, GpuDeepBackend, GpuTraining};

/// The three-method comparison of a [`MethodsConfig`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MethodsCell;

/// The three runs, prepared (on the same photos).
pub struct MethodsPrepared {
    pub config: MethodsConfig,
    pub preps: Vec<DeepPrepared>,
}

/// The GPU's backends: each run's network on `ctx`'s device.
#[derive(Clone)]
pub struct GpuBackends {
    pub ctx: GpuContext,
}

impl MakeBackend for GpuBackends {
    type Backend = GpuDeepBackend;
    async fn make(&self, prep: &DeepPrepared) -> Result<GpuDeepBackend, RunError> {
        let training = GpuTraining::from_config(&prep.config);
        let backend = GpuDeepBackend::new(&self.ctx, &prep.shape, &prep.params, training);
        Ok(backend.await.map_err(BackendError::Gpu)?)
    }
}

/// What is drawn: every started method's records and the finished ones' alignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodsLive {
    /// The finished methods, then the one running (as far as it got).
    pub runs: Vec<DeepResult>,
    /// The finished methods' comparison (without their results: those are `runs`).
    pub comparison: MethodsComparison,
    /// Every method of the comparison, in order.
    pub losses: Vec<LossKind>,
    pub finished: bool,
}

impl MethodsCell {
    fn live_of<M: MakeBackend>(run: &MethodsRun<M>, live: &mut MethodsLive) {
        let done = run.done();
        if live.comparison.methods.len() != done.len() {
            let first = run.prepared().first();
            let (rows, d) = first.map_or((0, 0), |p| (p.eval_count(), p.config.d));
            live.comparison = compare(done.to_vec(), rows, d);
            live.comparison.results.clear();
        }
        live.runs = done.iter().map(|(r, _)| r.clone()).collect();
        live.runs
            .extend(run.current().map(|r| assemble_deep(r, 0.0)));
        live.finished = run.is_finished();
    }
}

/// Evaluates `$body` with `$run` bound to the engine's [`MethodsRun`], whatever its backend.
macro_rules! each {
    ($engine:expr, $run:ident => $body:expr) => {
        match $engine {
            Engine::Cpu($run) => $body,
            Engine::Gpu($run) => $body,
        }
    };
}

impl Cell for MethodsCell {
    type Config = MethodsConfig;
    type Prepared = MethodsPrepared;
    type Cpu = MethodsRun<CpuBackends>;
    type Gpu = MethodsRun<GpuBackends>;
    type Live = MethodsLive;
    type Extras = ();
    type Result = MethodsComparison;

    /// Each method's run as [`DeepCell`] prepares it.
    fn prepare(
        &self,
        cfg: &MethodsConfig,
        photos: Option<&[Photo]>,
    ) -> Result<MethodsPrepared, RunError> {
        let configs = cfg.configs()?;
        let preps = configs.iter().map(|c| DeepCell.prepare(c, photos));
        Ok(MethodsPrepared {
            config: cfg.clone(),
            preps: preps.collect::<Result<_, _>>()?,
        })
    }

    async fn start_cpu(&self, prep: &MethodsPrepared) -> Result<Self::Cpu, RunError> {
        MethodsRun::start(CpuBackends, prep.preps.clone()).await
    }

    async fn start_gpu(
        &self,
        ctx: &GpuContext,
        prep: &MethodsPrepared,
    ) -> Result<Self::Gpu, RunError> {
        let maker = GpuBackends { ctx: ctx.clone() };
        MethodsRun::start(maker, prep.preps.clone()).await
    }

    /// The three runs' seconds, each as [`DeepCell`] estimates it.
    fn estimate(
        &self,
        prep: &MethodsPrepared,
        kind: BackendKind,
        adapter: &AdapterInfo,
    ) -> Option<f64> {
        let each = prep
            .preps
            .iter()
            .map(|p| DeepCell.estimate(p, kind, adapter));
        each.sum()
    }

    fn extras(&self, _prep: &MethodsPrepared) {}

    fn live(&self, prep: &MethodsPrepared, engine: &EngineOf<Self>) -> MethodsLive {
        let first = prep.preps.first();
        let (rows, d) = first.map_or((0, 0), |p| (p.eval_count(), p.config.d));
        let mut live = MethodsLive {
            runs: Vec::new(),
            comparison: compare(Vec::new(), rows, d),
            losses: prep.preps.iter().map(|p| p.config.loss).collect(),
            finished: false,
        };
        self.sync(&mut live, prep, engine);
        live
    }

    fn sync(&self, live: &mut MethodsLive, _prep: &MethodsPrepared, engine: &EngineOf<Self>) {
        each!(engine, run => Self::live_of(run, live));
    }

    fn progress(&self, live: &MethodsLive, progress: &mut Progress) {
        let done = live.comparison.methods.len();
        progress.records = live.runs.get(done).map_or(0, |r| r.records.len() as u32);
        progress.done = Some(done as u32);
        progress.total_tasks = Some(live.losses.len() as u32);
        progress.current = live.losses.get(done).map(|l| method_name(*l).to_string());
        progress.rows = Some(done as u32);
    }

    /// The comparison so far with every started run's result, each timed by the session's
    /// measured milliseconds per step (as [`DeepCell`]'s).
    fn result(
        &self,
        _prep: &MethodsPrepared,
        live: &MethodsLive,
        choice: &BackendChoice,
    ) -> MethodsComparison {
        let mut result = live.comparison.clone();
        result.results = live.runs.iter().map(|r| timed(r, choice)).collect();
        for (m, r) in result.methods.iter_mut().zip(&result.results) {
            m.seconds = r.timing.seconds;
        }
        result
    }
}
