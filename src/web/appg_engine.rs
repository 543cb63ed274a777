//! One comparison of Appendix G's loss variants (cell "Can SSL learn faster?") on whichever
//! backend the session picked: the linear model on WebGPU when an adapter can run it, else
//! on the CPU in wasm; the MLP (`model = mlp`) on the CPU.

use super::local_photos;
use super::probe::webgpu_adapter;
use crate::experiment::appg::{
    AppgConfig, AppgModel, AppgResult, Comparison, ComparisonRow, CpuVariants, LinearTrials,
    MlpTrials, Progress,
};
use crate::experiment::mlp::MlpPrepared;
use crate::experiment::{Config, RunError};
use crate::gpu::{GpuContext, GpuError, GpuVariants};

/// A [`Comparison`] on one backend.
pub enum AppgEngine {
    Cpu(Box<Comparison<LinearTrials<CpuVariants>>>),
    Gpu(Box<Comparison<LinearTrials<GpuVariants>>>),
    CpuMlp(Box<Comparison<MlpTrials>>),
}

/// Evaluates `$body` with `$c` bound to the engine's comparison, whatever its backend
/// (one line per arm: the only place the arms are listed besides the enum).
macro_rules! each {
    ($engine:expr, $c:ident => $body:expr) => {
        match $engine {
            AppgEngine::Cpu($c) => $body,
            AppgEngine::Gpu($c) => $body,
            AppgEngine::CpuMlp($c) => $body,
        }
    };
}

/// A started comparison and the backend notice.
pub struct Started {
    pub engine: AppgEngine,
    /// `WebGPU: <adapter>` or `CPU (<why>)`.
    pub notice: String,
}

/// Starts `cfg` on the backend `want` asks for (`"cpu"`; `"cpu-autostart"`: the CPU for the
/// default comparison the page starts by itself, about a second there while a CPU-emulated
/// WebGPU adapter takes minutes; anything else means WebGPU when an adapter is available and
/// the comparison can run there). A bad configuration is reported before anything is
/// computed.
pub async fn start_appg(cfg: &AppgConfig, want: &str) -> Result<Started, RunError> {
    Config::validate(cfg)?;
    let why = if cfg.model == AppgModel::Mlp {
        "the MLP comparison runs on the CPU".to_string()
    } else if want == "cpu" {
        "requested with backend=cpu".to_string()
    } else if want == "cpu-autostart" {
        "started by itself: this small comparison takes about a second on the CPU; \
         Run computes it again on WebGPU when there is an adapter"
            .to_string()
    } else {
        match webgpu_adapter().await {
            Err(reason) => format!("no WebGPU adapter: {reason}"),
            Ok(adapter) => match start_gpu(cfg).await {
                Ok(engine) => {
                    return Ok(Started {
                        engine,
                        notice: format!("WebGPU: {adapter}"),
                    })
                }
                Err(e) => format!("the WebGPU adapter {adapter} could not run this: {e}"),
            },
        }
    };
    start_cpu(cfg, &why)
}

/// The linear comparison of `cfg` on a WebGPU device (its backends are made run by run).
async fn start_gpu(cfg: &AppgConfig) -> Result<AppgEngine, GpuError> {
    let ctx = GpuContext::new().await?;
    let prep =
        local_photos::prepare_on_active(&cfg.run).map_err(|e| GpuError::Device(e.to_string()))?;
    let backends = GpuVariants::new(&ctx, &prep, cfg);
    let trials = LinearTrials::new(prep, backends);
    Ok(AppgEngine::Gpu(Box::new(Comparison::new(cfg, trials))))
}

/// The comparison of `cfg` on the CPU; `why` says why the CPU runs it.
pub fn start_cpu(cfg: &AppgConfig, why: &str) -> Result<Started, RunError> {
    let engine = match cfg.model {
        AppgModel::Linear => {
            let prep = local_photos::prepare_on_active(&cfg.run)?;
            let backends = CpuVariants::new(&prep, cfg);
            let trials = LinearTrials::new(prep, backends);
            AppgEngine::Cpu(Box::new(Comparison::new(cfg, trials)))
        }
        AppgModel::Mlp => {
            let setup = local_photos::mlp_setup_on_active(&cfg.mlp)?;
            let trials = MlpTrials::new(MlpPrepared::from_setup(setup)?, cfg);
            AppgEngine::CpuMlp(Box::new(Comparison::new(cfg, trials)))
        }
    };
    Ok(Started {
        engine,
        notice: format!("CPU ({why})"),
    })
}

impl AppgEngine {
    /// The WebGPU device of a GPU comparison.
    pub fn gpu_device(&self) -> Option<&wgpu::Device> {
        match self {
            AppgEngine::Gpu(c) => Some(c.trials().backends().device()),
            _ => None,
        }
    }

    /// Runs about `budget` more steps (runs and probes alike); true once every row is done.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        each!(self, c => c.advance(budget).await)
    }

    pub fn is_finished(&self) -> bool {
        each!(self, c => c.is_finished())
    }

    /// Tasks done, of how many, and what runs now.
    pub fn progress(&self) -> Progress {
        each!(self, c => c.progress())
    }

    /// How many rows are finished.
    pub fn rows_done(&self) -> usize {
        each!(self, c => c.rows().len())
    }

    /// The row still running, as far as it got.
    pub fn current_row(&self) -> Option<ComparisonRow> {
        each!(self, c => c.current_row())
    }

    /// The finished rows with their speedups, in the CLI's schema.
    pub fn result(&self) -> AppgResult {
        each!(self, c => c.result())
    }
}
