//! The configuration of Table 2's comparison (docs/deep.md §5): which family of presets the
//! three methods come from, and the few keys that apply to all three (as `stepwise compare
//! methods --set KEY=V` does). The page's cell and the CLI build the three runs' configurations
//! here, so both compare the same runs.

use serde::{Deserialize, Serialize};

use super::config::{DeepConfig, LossKind};
use super::methods::check_comparable;
use super::presets::deep_preset;
use crate::experiment::configurable::Config;
use crate::experiment::overrides;
use crate::validate::ConfigError;

/// The three methods, in the order of Table 2's rows and columns.
pub const METHODS: [&str; 3] = ["bt", "simclr", "vicreg"];

/// The short name of a method (the page's figure, summary and progress).
pub fn method_name(loss: LossKind) -> &'static str {
    match loss {
        LossKind::BarlowTwins => "Barlow Twins",
        LossKind::Simclr => "SimCLR",
        LossKind::Vicreg => "VICReg",
    }
}

/// A family of deep-network presets: the same network and data for the three losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodsFamily {
    /// `resnet-{bt,simclr,vicreg}-small`: sized for one CPU core.
    #[default]
    Small,
    /// `resnet-{bt,simclr,vicreg}`: the measured network (GPU-sized).
    Full,
    /// `resnet-…-small-standard`: the small ones at standard init.
    SmallStandard,
    /// `resnet-…-standard`: the full ones at standard init.
    Standard,
}

impl MethodsFamily {
    const ALL: [Self; 4] = [Self::Small, Self::Full, Self::SmallStandard, Self::Standard];

    /// What follows `resnet-LOSS` in the family's preset names.
    fn suffix(self) -> &'static str {
        match self {
            Self::Small => "-small",
            Self::Full => "",
            Self::SmallStandard => "-small-standard",
            Self::Standard => "-standard",
        }
    }

    /// The family of a preset of any of the three losses (`resnet-simclr-small` → `Small`).
    pub fn of_preset(name: &str) -> Option<Self> {
        let rest = name.strip_prefix("resnet-")?;
        let suffix = METHODS.iter().find_map(|m| {
            rest.strip_prefix(m)
                .filter(|s| s.is_empty() || s.starts_with('-'))
        })?;
        Self::ALL.into_iter().find(|f| f.suffix() == suffix)
    }

    /// The three presets of the family, Barlow Twins, SimCLR, VICReg.
    pub fn configs(self) -> Vec<DeepConfig> {
        METHODS
            .iter()
            .filter_map(|m| deep_preset(&format!("resnet-{m}{}", self.suffix())))
            .collect()
    }

    /// The family's three configurations with the same `--set KEY=V` overrides applied to
    /// each (`stepwise compare methods`), validated and checked comparable; the error names
    /// the key at fault.
    pub fn configs_with<S: AsRef<str>>(self, set: &[S]) -> Result<Vec<DeepConfig>, ConfigError> {
        let configs = self
            .configs()
            .into_iter()
            .map(|cfg| overrides::apply_all(cfg, set))
            .collect::<Result<Vec<_>, _>>()?;
        check_comparable(&configs)?;
        Ok(configs)
    }
}

/// Table 2's comparison: a family of presets and the keys set for all three runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MethodsConfig {
    pub family: MethodsFamily,
    /// Steps of every run (`None`: each preset's own).
    pub steps: Option<u64>,
    /// Initialization seed of every run (`seed`).
    pub seed: u64,
    /// Data seed (patches, evaluation views) of every run (`data.seed`).
    pub data_seed: u64,
}

impl MethodsConfig {
    /// The three runs' configurations, checked comparable (same data, same d).
    pub fn configs(&self) -> Result<Vec<DeepConfig>, ConfigError> {
        let configs: Vec<DeepConfig> = self
            .family
            .configs()
            .into_iter()
            .map(|mut cfg| {
                cfg.steps = self.steps.unwrap_or(cfg.steps);
                cfg.seed = self.seed;
                cfg.data.seed = self.data_seed;
                cfg
            })
            .collect();
        check_comparable(&configs).map_err(own_error)?;
        Ok(configs)
    }
}

/// The key of [`MethodsConfig`] that sets a key of its runs' configurations: `data_seed` sets
/// `data.seed`, `steps` the step count (and so the number of records); anything else is the
/// family's presets'.
fn own_key(run_key: &str) -> &'static str {
    match run_key {
        "data.seed" => "data_seed",
        "seed" => "seed",
        "steps" | "record_every" => "steps",
        _ => "family",
    }
}

/// A run's error under the key of [`MethodsConfig`] that set it (a link's notice and the
/// page's form name that key); the message names the run's key when that is another setting
/// (`record_every` for `steps`, a preset's key for `family`).
fn own_error(e: ConfigError) -> ConfigError {
    let key = own_key(&e.key);
    match key {
        "data_seed" | "seed" => ConfigError::new(key, e.message),
        _ if key == e.key => e,
        _ => ConfigError::new(key, format!("the runs' `{}`: {}", e.key, e.message)),
    }
}

/// The presets the page lists, named after the table they reproduce.
pub const METHODS_PRESETS: &[(&str, &str, MethodsFamily)] = &[
    (
        "table2-small",
        "Table 2 on one CPU core: resnet-bt-small, resnet-simclr-small and resnet-vicreg-small in turn",
        MethodsFamily::Small,
    ),
    (
        "table2",
        "Table 2 at the issue's network (GPU-sized): resnet-bt, resnet-simclr and resnet-vicreg in turn",
        MethodsFamily::Full,
    ),
    (
        "table2-small-standard",
        "table2-small at standard init",
        MethodsFamily::SmallStandard,
    ),
];

impl Config for MethodsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        self.configs().map(|_| ())
    }

    /// The three runs go in turn, each freeing its buffers before the next: the largest one's
    /// need (docs/architecture.md §7).
    fn memory_need(&self) -> crate::experiment::memory::MemoryNeed {
        use crate::experiment::memory::{deep_need, peak};
        let configs = self.configs().unwrap_or_else(|_| self.family.configs());
        let mut need = configs
            .iter()
            .map(deep_need)
            .reduce(peak)
            .unwrap_or_default();
        need.cpu_key = own_key(&need.cpu_key).to_string();
        need.gpu_key = own_key(&need.gpu_key).to_string();
        need
    }

    fn presets() -> Vec<(&'static str, Self)> {
        METHODS_PRESETS
            .iter()
            .map(|&(name, _, family)| {
                let cfg = Self {
                    family,
                    ..Self::default()
                };
                (name, cfg)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_come_from_the_preset_name_of_any_loss() {
        assert_eq!(
            MethodsFamily::of_preset("resnet-simclr-small"),
            Some(MethodsFamily::Small)
        );
        assert_eq!(
            MethodsFamily::of_preset("resnet-bt"),
            Some(MethodsFamily::Full)
        );
        assert_eq!(
            MethodsFamily::of_preset("resnet-vicreg-small-standard"),
            Some(MethodsFamily::SmallStandard)
        );
        assert_eq!(MethodsFamily::of_preset("resnet-btx"), None);
        assert_eq!(MethodsFamily::of_preset("fig1"), None);
    }

    #[test]
    fn every_family_gives_three_comparable_losses_as_their_presets() {
        for family in MethodsFamily::ALL {
            let cfg = MethodsConfig {
                family,
                ..MethodsConfig::default()
            };
            let configs = cfg.configs().expect("comparable");
            // the default keys leave each preset as it is
            assert_eq!(configs, family.configs());
            let losses: Vec<LossKind> = configs.iter().map(|c| c.loss).collect();
            assert_eq!(
                losses,
                [LossKind::BarlowTwins, LossKind::Simclr, LossKind::Vicreg]
            );
        }
    }

    #[test]
    fn the_shared_keys_set_all_three_and_bad_steps_name_the_key() {
        let cfg = MethodsConfig {
            steps: Some(40),
            seed: 3,
            data_seed: 5,
            ..MethodsConfig::default()
        };
        for c in cfg.configs().expect("valid") {
            assert_eq!((c.steps, c.seed, c.data.seed), (40, 3, 5));
        }
        let bad = MethodsConfig {
            steps: Some(0),
            ..MethodsConfig::default()
        };
        assert_eq!(bad.validate().expect_err("0 steps").key, "steps");
    }
}
