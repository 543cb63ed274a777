//! The comparison's configuration: the linear run it starts from, which variants to run,
//! the preconditioner's shift, the threshold and the learning-rate policy.

use serde::{Deserialize, Serialize};

use crate::experiment::config::{RunConfig, Solver};
use crate::experiment::configurable::Config;
use crate::experiment::memory::NATIVE_BUDGET;
use crate::experiment::mlp::{mlp_preset, LossKind, MlpConfig};
use crate::experiment::presets;
use crate::model::spectral::LossVariant;
use crate::validate::{self, ConfigError};

/// Largest d of a comparison: the GPU's spectral kernel keeps d x d matrices in one
/// workgroup's memory.
pub const MAX_APPG_D: usize = 32;
/// Largest factor the stable-η finder searches above the baseline η.
pub const MAX_FINDER_FACTOR: f64 = 1e6;

/// Marks a configuration as an Appendix G comparison in JSON files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppgExperiment {
    Appg,
}

/// Which model the variants train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppgModel {
    /// The linear model of `run` (CPU or GPU).
    Linear,
    /// The MLP of `mlp` with Barlow Twins (CPU).
    Mlp,
}

/// Which learning rates each variant runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EtaPolicy {
    /// The baseline's η for every variant.
    Equal,
    /// Each variant's own largest stable η (found by bisection).
    Stable,
    /// Both (the default).
    Both,
}

impl EtaPolicy {
    pub fn equal(self) -> bool {
        self != EtaPolicy::Stable
    }

    pub fn stable(self) -> bool {
        self != EtaPolicy::Equal
    }
}

/// The variants compared with the baseline (which always runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VariantSet {
    pub sharp: bool,
    pub smooth: bool,
    pub quartic: bool,
    pub precondition: bool,
}

impl Default for VariantSet {
    fn default() -> Self {
        Self {
            sharp: true,
            smooth: true,
            quartic: true,
            precondition: true,
        }
    }
}

impl VariantSet {
    /// The baseline, then the chosen variants in [`LossVariant::ALL`]'s order.
    pub fn list(&self) -> Vec<LossVariant> {
        LossVariant::ALL
            .into_iter()
            .filter(|v| match v {
                LossVariant::Baseline => true,
                LossVariant::Sharp => self.sharp,
                LossVariant::Smooth => self.smooth,
                LossVariant::Quartic => self.quartic,
                LossVariant::Precondition => self.precondition,
            })
            .collect()
    }
}

/// How the largest stable η is searched.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FinderConfig {
    /// η is searched up to this factor above the baseline η (doubling, then bisecting).
    pub max_factor: f64,
    /// Bisections in log η after the doubling brackets the edge (precision 2^(1/2^k)).
    pub bisections: u32,
    /// Each probe runs until t = this factor times the baseline's time to learn its top mode.
    pub probe_factor: f64,
}

impl Default for FinderConfig {
    fn default() -> Self {
        Self {
            max_factor: 256.0,
            bisections: 4,
            probe_factor: 3.0,
        }
    }
}

/// Everything that determines a comparison. Absent keys take the defaults (fig1's data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppgConfig {
    pub experiment: AppgExperiment,
    pub model: AppgModel,
    /// The linear run every variant starts from: data, d, α, W(0)'s seed, the baseline η
    /// and the step budget (every run gets the same number of steps).
    pub run: RunConfig,
    /// The MLP run every variant starts from (with `model = mlp`; its loss must be Barlow
    /// Twins and its `variant` the baseline).
    pub mlp: MlpConfig,
    pub variants: VariantSet,
    /// The preconditioner's shift a in (FᵀF/(2n) + aI)⁻¹.
    pub a: f64,
    /// A mode counts as learned once its eigenvalue exceeds this.
    pub threshold: f64,
    pub eta: EtaPolicy,
    pub finder: FinderConfig,
}

/// `cfg` on the eigenbasis solver: the truncated solver's bound (docs/math.md §3,
/// `experiment::truncation`) is derived for plain Barlow Twins, and the preconditioner mixes
/// Γ's modes, so Appendix G's runs keep every mode.
fn eigenbasis(cfg: RunConfig) -> RunConfig {
    RunConfig {
        solver: Solver::Eigenbasis,
        ..cfg
    }
}

impl Default for AppgConfig {
    fn default() -> Self {
        Self {
            experiment: AppgExperiment::Appg,
            model: AppgModel::Linear,
            run: eigenbasis(RunConfig::default()),
            mlp: mlp_preset("mlp-small-bt").unwrap_or_default(),
            variants: VariantSet::default(),
            a: 0.1,
            threshold: 0.5,
            eta: EtaPolicy::Both,
            finder: FinderConfig::default(),
        }
    }
}

impl AppgConfig {
    /// Parses a JSON configuration (absent keys take defaults) and validates it: the
    /// page's parser ([`crate::experiment::query::from_json`]), whose errors name the key.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        crate::experiment::query::from_json(text)
    }

    /// Fills in the model's automatic η and step count.
    pub fn resolve(&mut self, lr: f64, steps: u64) {
        match self.model {
            AppgModel::Linear => {
                self.run.lr = Some(lr);
                self.run.steps = Some(steps);
            }
            AppgModel::Mlp => {
                self.mlp.lr = Some(lr);
                self.mlp.steps = Some(steps);
            }
        }
    }

    /// The embedding dimension of the model compared.
    pub fn d(&self) -> usize {
        match self.model {
            AppgModel::Linear => self.run.d,
            AppgModel::Mlp => self.mlp.d,
        }
    }

    fn validate_model(&self) -> Result<(), ConfigError> {
        let prefixed = |prefix: &str, e: ConfigError| ConfigError {
            key: format!("{prefix}.{}", e.key),
            message: e.message,
        };
        match self.model {
            AppgModel::Linear => {
                self.run.validate().map_err(|e| prefixed("run", e))?;
                if self.run.solver == Solver::Truncated {
                    return Err(ConfigError::new(
                        "run.solver",
                        "the truncated solver's error bound covers plain Barlow Twins only, not \
                         Appendix G's variants: use eigenbasis or literal",
                    ));
                }
                validate::int_in("run.d", self.run.d, 1, MAX_APPG_D)
            }
            AppgModel::Mlp => {
                self.mlp.validate().map_err(|e| prefixed("mlp", e))?;
                if self.mlp.loss != LossKind::BarlowTwins {
                    return Err(ConfigError::new(
                        "mlp.loss",
                        "Appendix G's variants modify Barlow Twins: use barlow-twins",
                    ));
                }
                if self.mlp.variant != LossVariant::Baseline {
                    return Err(ConfigError::new(
                        "mlp.variant",
                        "the comparison sets each run's variant: leave it at baseline",
                    ));
                }
                Ok(())
            }
        }
    }
}

impl Config for AppgConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        self.validate_model()?;
        validate::real_in("a", self.a, 0.0, 1e6, true)?;
        validate::real_in("threshold", self.threshold, 0.0, 0.99, true)?;
        let f = &self.finder;
        validate::real_in(
            "finder.max_factor",
            f.max_factor,
            1.0,
            MAX_FINDER_FACTOR,
            false,
        )?;
        validate::int_in("finder.bisections", f.bisections, 0, 12)?;
        validate::real_in("finder.probe_factor", f.probe_factor, 1.0, 100.0, false)?;
        Ok(self.memory_need().check(NATIVE_BUDGET)?)
    }

    fn memory_need(&self) -> crate::experiment::memory::MemoryNeed {
        crate::experiment::memory::appg_need(self)
    }

    /// The linear presets' data and runs, then the Barlow Twins MLP presets.
    fn presets() -> Vec<(&'static str, Self)> {
        let linear = presets::PRESETS.iter().map(|p| {
            let cfg = AppgConfig {
                run: eigenbasis((p.config)()),
                ..AppgConfig::default()
            };
            (p.name, cfg)
        });
        let mlp = ["mlp-small-bt", "fig2-bt"].into_iter().filter_map(|name| {
            let cfg = AppgConfig {
                model: AppgModel::Mlp,
                mlp: mlp_preset(name)?,
                ..AppgConfig::default()
            };
            Some((name, cfg))
        });
        linear.chain(mlp).collect()
    }
}
