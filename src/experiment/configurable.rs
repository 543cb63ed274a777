//! What every configuration (the linear run's, the MLP run's) offers to `--set` overrides
//! and share links: serde with defaults, validation, and named presets.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::config::RunConfig;
use super::memory::{self, Budget, MemoryNeed};
use super::presets;
use crate::validate::ConfigError;

/// A configuration that can be overridden by dotted key and round-tripped through a query.
pub trait Config: Serialize + DeserializeOwned + Clone + PartialEq + Default {
    /// Checks every bound; the error names the first offending key.
    fn validate(&self) -> Result<(), ConfigError>;

    /// Every preset of this kind, by name.
    fn presets() -> Vec<(&'static str, Self)>;

    /// The peak CPU and GPU bytes a run of this configuration needs, from its sizes alone
    /// (docs/architecture.md §7).
    fn memory_need(&self) -> MemoryNeed;

    /// [`Config::validate`], then the memory need against `budget` (validation alone holds
    /// it to [`memory::NATIVE_BUDGET`]; the page passes [`memory::PAGE_BUDGET`]).
    fn validate_within(&self, budget: Budget) -> Result<(), ConfigError> {
        self.validate()?;
        Ok(self.memory_need().check(budget)?)
    }

    /// The preset of this kind called `name`.
    fn preset(name: &str) -> Option<Self> {
        Self::presets()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
    }
}

impl Config for RunConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        RunConfig::validate(self)
    }

    fn memory_need(&self) -> MemoryNeed {
        memory::run_need(self)
    }

    fn presets() -> Vec<(&'static str, Self)> {
        presets::PRESETS
            .iter()
            .map(|p| (p.name, (p.config)()))
            .collect()
    }
}
