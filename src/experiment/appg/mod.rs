//! Appendix G made real (docs/math.md §8): the loss variants run side by side with the baseline on
//! the same data and W(0), at the baseline's η and at each variant's own largest stable η.

mod backends;
mod compare;
mod config;
mod finder;
mod probe;
mod result;
mod rule;
mod trial;

pub use backends::{CpuVariants, LinearTrials, MlpTrials, VariantBackends};
pub use compare::{Comparison, Progress, MAX_ROW_RECORDS};
pub use config::{AppgConfig, AppgModel, EtaPolicy, FinderConfig, VariantSet, MAX_APPG_D};
pub use finder::{EtaSearch, Probe};
pub use probe::SETTLED_TOL;
pub use result::{AppgResult, ComparisonRow, Policy, StableEta};
pub use rule::{data_moment, SpectralRule};
pub use trial::{Setting, Trial, TrialPlan, Trials};

use super::mlp::MlpPrepared;
use super::prepare::prepare;
use super::RunError;

/// Prepares and runs the whole comparison `cfg` on the CPU.
pub fn compare_cpu(cfg: &AppgConfig) -> Result<AppgResult, RunError> {
    crate::experiment::Config::validate(cfg)?;
    match cfg.model {
        AppgModel::Linear => {
            let prep = prepare(&cfg.run)?;
            let backends = CpuVariants::new(&prep, cfg);
            run_to_end(cfg, LinearTrials::new(prep, backends))
        }
        AppgModel::Mlp => {
            let prep = MlpPrepared::new(&cfg.mlp)?;
            run_to_end(cfg, MlpTrials::new(prep, cfg))
        }
    }
}

/// Runs a comparison to the end.
pub fn run_to_end<T: Trials>(cfg: &AppgConfig, trials: T) -> Result<AppgResult, RunError> {
    let mut comparison = Comparison::new(cfg, trials);
    pollster::block_on(comparison.finish())?;
    Ok(comparison.result())
}
