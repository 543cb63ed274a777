//! The run configuration: one serde struct for the CLI, JSON files and share links.

use serde::{Deserialize, Serialize};

use crate::data::DatasetConfig;
use crate::validate::{self, ConfigError};

/// Largest embedding dimension d.
pub const MAX_D: usize = 64;
/// Largest number of gradient steps.
pub const MAX_STEPS: u64 = 2_000_000;
/// Largest number of records (steps / record_every).
pub const MAX_RECORDS: u64 = 100_000;
/// Largest init scale α and learning rate η accepted.
pub const MAX_SCALE: f64 = 100.0;

/// Which experiment a configuration describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentKind {
    /// Linear Barlow Twins (docs/math.md §2).
    Linear,
}

/// How the CPU integrates the (identical) gradient-descent trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// In Γ's eigenbasis: d²m per step, full f32 precision for tiny modes.
    Eigenbasis,
    /// W ← W − 4η (C − I) W Γ literally: dm² per step.
    Literal,
    /// The eigenbasis solver on Γ's top K modes (block Lanczos instead of the full
    /// eigendecomposition; d²K per step), K chosen by a stated error bound
    /// (see `experiment::truncation`). The default: when no K < m meets the bound it keeps
    /// every mode, and is then the eigenbasis solver.
    Truncated,
}

/// Which closed form the theory curves use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryTime {
    /// Gradient descent with the run's step η: rate 2 ln(1 + 4ηγ)/η (the default).
    Discrete,
    /// The paper's gradient flow: rate 8γ (Eq. 10, 16).
    Flow,
}

/// Everything that determines a run. Absent keys take the defaults (the `fig1` preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    pub experiment: ExperimentKind,
    pub dataset: DatasetConfig,
    /// Embedding dimension.
    pub d: usize,
    /// α: W(0) has i.i.d. N(0, α²) entries.
    pub init_scale: f64,
    /// η; `None` (null) picks 0.4 / (4 γ_1).
    pub lr: Option<f64>,
    /// Number of steps; `None` (null) runs until t = 1.3 τ_d.
    pub steps: Option<u64>,
    /// Record loss and eigenvalues every this many steps.
    pub record_every: u64,
    /// Seed of W(0).
    pub seed: u64,
    /// CPU integration of the trajectory.
    pub solver: Solver,
    /// Gradient descent or gradient flow for the theory curves.
    pub theory_time: TheoryTime,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            experiment: ExperimentKind::Linear,
            dataset: DatasetConfig::default(),
            d: 10,
            init_scale: 1e-7,
            lr: None,
            steps: None,
            record_every: 20,
            seed: 0,
            solver: Solver::Truncated,
            theory_time: TheoryTime::Discrete,
        }
    }
}

impl RunConfig {
    /// Parses a JSON configuration (absent keys take defaults) and validates it: the
    /// page's parser ([`crate::experiment::query::from_json`]), whose errors name the key.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        crate::experiment::query::from_json(text)
    }

    /// Checks every bound; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.dataset.validate()?;
        let m = self.dataset.m();
        validate::int_in("d", self.d, 1, MAX_D.min(m))?;
        validate::real_in("init_scale", self.init_scale, 0.0, MAX_SCALE, true)?;
        if let Some(lr) = self.lr {
            validate::real_in("lr", lr, 0.0, MAX_SCALE, true)?;
        }
        validate::int_in("record_every", self.record_every, 1, MAX_STEPS)?;
        if let Some(steps) = self.steps {
            validate::int_in("steps", steps, 1, MAX_STEPS)?;
            check_record_count(steps, self.record_every)?;
        }
        validate::seed("seed", self.seed)?;
        Ok(super::memory::run_need(self).check(super::memory::NATIVE_BUDGET)?)
    }
}

/// At most [`MAX_RECORDS`] records after step 0 for `steps` steps recorded every
/// `record_every` (with the [`schedule`](super::schedule)'s early records).
pub fn check_record_count(steps: u64, record_every: u64) -> Result<(), ConfigError> {
    if super::schedule::record_count(steps, record_every) - 1 > MAX_RECORDS {
        return Err(ConfigError::new(
            "record_every",
            format!(
                "{steps} steps recorded every {record_every} would make more than {MAX_RECORDS} \
                 records"
            ),
        ));
    }
    Ok(())
}
