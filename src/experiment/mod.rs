//! Runs: configuration, presets, backends behind one trait, recording and results.

pub mod appg;
mod backend;
pub mod cells;
mod config;
mod configurable;
mod cpu;
pub mod deep;
pub mod estimate;
pub mod measures;
pub mod memory;
pub mod mlp;
mod modal;
mod native;
pub mod overrides;
pub mod phases;
mod prepare;
mod presets;
pub mod python_export;
pub mod query;
pub mod replay;
mod result;
mod run;
pub mod schedule;
pub mod session;
pub mod share;
pub mod share_notice;
mod truncation;

pub use backend::{BackendError, Coordinates, LinearBackend, MAX_BATCH};
pub use config::{ExperimentKind, RunConfig, Solver, TheoryTime, MAX_D, MAX_RECORDS, MAX_STEPS};
pub use configurable::Config;
pub use cpu::CpuBackend;
pub use native::{
    assemble, assemble_without_digest, record_grid, run_cpu, run_cpu_with_photos, theory_records,
};
pub use prepare::{init_weights, prepare, prepare_with_photos, prepare_with_tolerance, Prepared};
pub use presets::{preset, Preset, PRESETS};
pub use result::{crossing_times, DataExport, Record, RunResult, TheoryResult};
pub use run::{LinearRun, RunPlan, DIVERGENCE_BOUND};
pub use truncation::{truncated_eigen, Truncation, TruncationReport, RITZ_TOL, TRUNCATION_TOL};

use crate::data::DataError;
use crate::linalg::LinalgError;
use crate::validate::ConfigError;

/// Why a run could not be prepared or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Linalg(#[from] LinalgError),
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("Γ has no positive eigenvalue among the top d: no mode can be learned")]
    NoPositiveMode,
    #[error(
        "the run diverged by step {step} (C became NaN/inf or exceeded 1e6): the learning rate \
         η = {lr:.4e} is too large; use η below the stability bound 1/(4γ₁) = {stable_lr:.4e}"
    )]
    Diverged { step: u64, lr: f64, stable_lr: f64 },
    #[error(
        "the network diverged by step {step} (embeddings became NaN/inf or exceeded 1e6): the \
         learning rate η = {lr:.4e} is too large; try a smaller `lr`"
    )]
    MlpDiverged { step: u64, lr: f64 },
}
