//! [`AppgCell`]: cell 7's comparison of Appendix G's loss variants: the linear model on the
//! CPU or WebGPU, the MLP on the CPU only.

use serde::Serialize;

use super::cell::{Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::cost::{linear_cpu_seconds, linear_gpu_seconds, mlp_cpu_seconds};
use super::engine::Engine;
use super::session::Progress;
use super::stepper::Stepper;
use crate::data::photos::Photo;
use crate::experiment::appg::{
    AppgConfig, AppgModel, AppgResult, Comparison, ComparisonRow, CpuVariants, LinearTrials,
    MlpTrials, Progress as Tasks,
};
use crate::experiment::estimate::appg_cost;
use crate::experiment::mlp::{MlpPrepared, MlpSetup};
use crate::experiment::{prepare_with_photos, BackendError, Config, Prepared, RunError};
use crate::gpu::{GpuContext, GpuError, GpuVariants};

/// The comparison of an [`AppgConfig`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AppgCell;

/// The baseline's prepared run (linear or MLP) and the configuration.
pub enum AppgPrepared {
    Linear { cfg: AppgConfig, prep: Prepared },
    Mlp { cfg: AppgConfig, prep: MlpPrepared },
}

/// A comparison on the CPU: the linear model's or the MLP's.
pub enum AppgCpu {
    Linear(Box<Comparison<LinearTrials<CpuVariants>>>),
    Mlp(Box<Comparison<MlpTrials>>),
}

/// The linear comparison on WebGPU.
pub type AppgGpu = Comparison<LinearTrials<GpuVariants>>;

/// Evaluates `$body` with `$c` bound to the engine's comparison, whatever its backend.
macro_rules! each {
    ($engine:expr, $c:ident => $body:expr) => {
        match $engine {
            Engine::Cpu(AppgCpu::Linear($c)) => $body,
            Engine::Cpu(AppgCpu::Mlp($c)) => $body,
            Engine::Gpu($c) => $body,
        }
    };
}

impl Stepper for AppgCpu {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        match self {
            Self::Linear(c) => Stepper::advance(c.as_mut(), budget).await,
            Self::Mlp(c) => Stepper::advance(c.as_mut(), budget).await,
        }
    }

    fn step(&self) -> u64 {
        match self {
            Self::Linear(c) => Stepper::step(c.as_ref()),
            Self::Mlp(c) => Stepper::step(c.as_ref()),
        }
    }

    fn total_steps(&self) -> u64 {
        match self {
            Self::Linear(c) => c.total_steps(),
            Self::Mlp(c) => c.total_steps(),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Self::Linear(c) => c.is_finished(),
            Self::Mlp(c) => c.is_finished(),
        }
    }
}

/// What is drawn: the finished rows (speedups filled in), the row still running, and where
/// the comparison stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppgLive {
    pub result: AppgResult,
    /// The run in progress as far as it got (`None` between runs and while probing).
    pub current: Option<ComparisonRow>,
    /// Tasks (runs and stable-η searches) done, of `total`, and what runs now.
    pub done: u32,
    pub total: u32,
    pub running: String,
    pub finished: bool,
}

impl AppgCell {
    fn tasks(engine: &EngineOf<Self>) -> Tasks {
        each!(engine, c => c.progress())
    }
}

impl Cell for AppgCell {
    type Config = AppgConfig;
    type Prepared = AppgPrepared;
    type Cpu = AppgCpu;
    type Gpu = AppgGpu;
    type Live = AppgLive;
    type Extras = ();
    type Result = AppgResult;

    fn prepare(
        &self,
        cfg: &AppgConfig,
        photos: Option<&[Photo]>,
    ) -> Result<AppgPrepared, RunError> {
        Config::validate(cfg)?;
        Ok(match cfg.model {
            AppgModel::Linear => AppgPrepared::Linear {
                cfg: cfg.clone(),
                prep: prepare_with_photos(&cfg.run, photos)?,
            },
            AppgModel::Mlp => AppgPrepared::Mlp {
                cfg: cfg.clone(),
                prep: MlpPrepared::from_setup(MlpSetup::with_photos(&cfg.mlp, photos)?)?,
            },
        })
    }

    fn cpu_only(&self, prep: &AppgPrepared) -> Option<String> {
        matches!(prep, AppgPrepared::Mlp { .. }).then(|| "the MLP comparison".to_string())
    }

    async fn start_cpu(&self, prep: &AppgPrepared) -> Result<AppgCpu, RunError> {
        Ok(match prep {
            AppgPrepared::Linear { cfg, prep } => {
                let trials = LinearTrials::new(prep.clone(), CpuVariants::new(prep, cfg));
                AppgCpu::Linear(Box::new(Comparison::new(cfg, trials)))
            }
            AppgPrepared::Mlp { cfg, prep } => {
                let trials = MlpTrials::new(prep.clone(), cfg);
                AppgCpu::Mlp(Box::new(Comparison::new(cfg, trials)))
            }
        })
    }

    async fn start_gpu(&self, ctx: &GpuContext, prep: &AppgPrepared) -> Result<AppgGpu, RunError> {
        match prep {
            AppgPrepared::Linear { cfg, prep } => {
                let trials = LinearTrials::new(prep.clone(), GpuVariants::new(ctx, prep, cfg));
                Ok(Comparison::new(cfg, trials))
            }
            AppgPrepared::Mlp { .. } => {
                let e = GpuError::Unsupported("the MLP comparison runs on the CPU".into());
                Err(BackendError::Gpu(e).into())
            }
        }
    }

    /// Every run of the comparison (one per variant and η policy, probes as a share of a
    /// run: `estimate::appg_cost`), each the baseline's steps; Appendix G's update as one
    /// more dispatch a step on the GPU.
    fn estimate(
        &self,
        prep: &AppgPrepared,
        kind: BackendKind,
        adapter: &AdapterInfo,
    ) -> Option<f64> {
        match (prep, kind) {
            (AppgPrepared::Linear { cfg, prep }, kind) => {
                let (runs, steps) = (appg_cost(cfg).runs, prep.steps() as f64);
                Some(match kind {
                    BackendKind::Cpu => runs * linear_cpu_seconds(prep, steps),
                    BackendKind::WebGpu => runs * linear_gpu_seconds(prep, steps, 1.0, adapter),
                })
            }
            (AppgPrepared::Mlp { cfg, prep }, BackendKind::Cpu) => {
                Some(appg_cost(cfg).runs * mlp_cpu_seconds(&prep.config, prep.steps()))
            }
            (AppgPrepared::Mlp { .. }, BackendKind::WebGpu) => None,
        }
    }

    fn extras(&self, _prep: &AppgPrepared) {}

    fn live(&self, prep: &AppgPrepared, engine: &EngineOf<Self>) -> AppgLive {
        let mut live = AppgLive {
            result: each!(engine, c => c.result()),
            current: None,
            done: 0,
            total: 0,
            running: String::new(),
            finished: false,
        };
        self.sync(&mut live, prep, engine);
        live
    }

    /// Progress and the running row; the result again when a row finished (or all did).
    fn sync(&self, live: &mut AppgLive, _prep: &AppgPrepared, engine: &EngineOf<Self>) {
        let tasks = Self::tasks(engine);
        let finished = engine.is_finished();
        let rows = each!(engine, c => c.rows().len());
        if rows != live.result.rows.len() || finished {
            live.result = each!(engine, c => c.result());
        }
        live.current = each!(engine, c => c.current_row());
        live.done = tasks.done as u32;
        live.total = tasks.total as u32;
        live.running = tasks.current;
        live.finished = finished;
    }

    fn progress(&self, live: &AppgLive, progress: &mut Progress) {
        progress.records = live.current.as_ref().map_or(0, |r| r.records.len() as u32);
        progress.done = Some(live.done);
        progress.total_tasks = Some(live.total);
        progress.current = Some(live.running.clone());
        progress.rows = Some(live.result.rows.len() as u32);
    }

    fn result(&self, _prep: &AppgPrepared, live: &AppgLive, choice: &BackendChoice) -> AppgResult {
        let mut result = live.result.clone();
        result.backend_choice = Some(choice.clone());
        result
    }
}
