//! One comparison of Appendix G's loss variants (cell "Can SSL learn faster?") on whichever
//! backend the session picked. For now the CPU in wasm runs it in both browser modes; the
//! notice says so, and names the WebGPU adapter that a GPU arm would use.

use super::probe::webgpu_adapter;
use crate::experiment::appg::{
    AppgConfig, AppgResult, Comparison, ComparisonRow, CpuVariants, Progress,
};
use crate::experiment::{prepare, Config, RunError};

/// A [`Comparison`] on one backend.
///
/// A `Gpu(Box<Comparison<GpuVariants>>)` arm follows once `stepwise::gpu::GpuVariants`
/// (WebGPU) is in: add the arm here and to [`each!`], and start it in [`start_appg`] where
/// its comment says.
pub enum AppgEngine {
    Cpu(Box<Comparison<CpuVariants>>),
}

/// Evaluates `$body` with `$c` bound to the engine's comparison, whatever its backend
/// (one line per arm: the only place the arms are listed besides the enum).
macro_rules! each {
    ($engine:expr, $c:ident => $body:expr) => {
        match $engine {
            AppgEngine::Cpu($c) => $body,
        }
    };
}

/// A started comparison and the backend notice.
pub struct Started {
    pub engine: AppgEngine,
    /// `CPU (<why>)` (later `WebGPU: <adapter>`).
    pub notice: String,
}

/// Starts `cfg` on the backend `want` asks for (`"cpu"`; anything else means WebGPU when
/// an adapter is available and the comparison can run there). A bad configuration is
/// reported before anything is computed.
pub async fn start_appg(cfg: &AppgConfig, want: &str) -> Result<Started, RunError> {
    Config::validate(cfg)?;
    let why = if want == "cpu" {
        "requested with backend=cpu".to_string()
    } else {
        match webgpu_adapter().await {
            Err(reason) => format!("no WebGPU adapter: {reason}"),
            // The GPU arm starts here: build `GpuVariants` on a `GpuContext`, and on
            // success return `AppgEngine::Gpu` with the notice `WebGPU: {adapter}`; on
            // failure fall through to the CPU with the error as `why`.
            Ok(adapter) => format!(
                "this comparison runs on the CPU in wasm for now; the WebGPU adapter \
                 {adapter} is not used"
            ),
        }
    };
    start_cpu(cfg, &why)
}

/// The comparison of `cfg` on the CPU; `why` says why the CPU runs it.
pub fn start_cpu(cfg: &AppgConfig, why: &str) -> Result<Started, RunError> {
    let prep = prepare(&cfg.run)?;
    let factory = CpuVariants::new(&prep, cfg);
    Ok(Started {
        engine: AppgEngine::Cpu(Box::new(Comparison::new(cfg, prep, factory))),
        notice: format!("CPU ({why})"),
    })
}

impl AppgEngine {
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
