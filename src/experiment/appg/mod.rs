//! Appendix G made real (SPEC §5): the loss variants run side by side with the baseline on
//! the same data and W(0), at the baseline's η and at each variant's own largest stable η.

mod backends;
mod compare;
mod config;
mod finder;
mod probe;
mod result;
mod rule;

pub use backends::{CpuVariants, VariantBackends};
pub use compare::{Comparison, Progress};
pub use config::{AppgConfig, EtaPolicy, FinderConfig, VariantSet, MAX_APPG_D};
pub use finder::{EtaSearch, Probe};
pub use probe::SETTLED_TOL;
pub use result::{AppgResult, ComparisonRow, Policy, StableEta};
pub use rule::{data_moment, SpectralRule};

use super::prepare::prepare;
use super::RunError;

/// Prepares and runs the whole comparison `cfg` on the CPU.
pub fn compare_cpu(cfg: &AppgConfig) -> Result<AppgResult, RunError> {
    crate::experiment::Config::validate(cfg)?;
    let prep = prepare(&cfg.run)?;
    let factory = CpuVariants::new(&prep, cfg);
    let mut comparison = Comparison::new(cfg, prep, factory);
    pollster::block_on(comparison.finish())?;
    Ok(comparison.result())
}
