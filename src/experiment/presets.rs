//! Named configurations.

use super::config::RunConfig;
use crate::data::{DatasetConfig, DatasetKind};

/// A named configuration with a one-line description.
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub config: fn() -> RunConfig,
}

/// Every preset, the paper's figure first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "fig1",
        description: "Figure 1 A/B: photo patches, n = 500, 20x20 RGB crops (m = 1200), d = 10, α = 1e-7, centered",
        config: RunConfig::default,
    },
    Preset {
        name: "small",
        description: "quick run: photo patches, n = 200, 6x6 crops of 12x12 patches (m = 108), d = 4, α = 1e-6",
        config: small,
    },
    Preset {
        name: "planted",
        description: "exact test: planted spectrum 4, 3, 2, 1.5, 1, 0.7, 0.5, 0.3 in m = 24, n = 64, d = 4, α = 1e-5, η = 1e-3",
        config: planted,
    },
];

/// Looks a preset up by name.
pub fn preset(name: &str) -> Option<RunConfig> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| (p.config)())
}

fn small() -> RunConfig {
    RunConfig {
        dataset: DatasetConfig {
            n: 200,
            crop: 6,
            base: 12,
            ..DatasetConfig::default()
        },
        d: 4,
        init_scale: 1e-6,
        record_every: 5,
        ..RunConfig::default()
    }
}

fn planted() -> RunConfig {
    RunConfig {
        dataset: DatasetConfig {
            kind: DatasetKind::Planted,
            n: 64,
            dim: 24,
            ..DatasetConfig::default()
        },
        d: 4,
        init_scale: 1e-5,
        // small η: gradient descent tracks gradient flow (the theory) to within 1%
        lr: Some(1e-3),
        record_every: 10,
        ..RunConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid() {
        for p in PRESETS {
            (p.config)()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
        assert!(preset("nope").is_none());
    }
}
