//! Named deep-network configurations (docs/deep.md §2): the measured ResNet per loss
//! (GPU-sized), small CPU versions (tests, the page's CPU fallback), and standard-init
//! variants of both (Figure 3's contrast).
//!
//! The small presets were tuned on this CPU model (and first in a JAX twin): ResNet 4/8/16
//! with a 32-wide projector, d = 4, 8 px crops of 1024 patches of 12 px, batch 64, the one
//! small projector layer at 1e-3. Steps at which each mode reached half its final value
//! (`tests/deep_steps.rs`, seed 0):
//!
//! | loss (η, steps)          | small init            | standard init (300 steps) |
//! |--------------------------|-----------------------|---------------------------|
//! | Barlow Twins (0.02, 700) | 19, 130, 310, —       | 2, 11, 23, 81             |
//! | SimCLR (0.002, 600)      | 0, 4.7, 49, 174       | 0, 1.1, 22, 32            |
//! | VICReg (0.003, 1500)     | 6, 317, 848, —        | 4, 11, —, —               |
//!
//! SimCLR's mode 1 is at 0: the covariance of the *normalized* embeddings is not small at
//! init (normalizing undoes the small scale). Larger crops (12 of 16 px) stepped as cleanly
//! but barely moved the Barlow Twins embedding probe; 8 of 16 px learned all four Barlow Twins
//! modes but with a weak hidden jump at mode 2, and VICReg's third mode only at step 1340.

use super::config::{DeepConfig, DeepDataConfig, LossKind};

/// A named deep-network configuration with a one-line description.
pub struct DeepPreset {
    pub name: &'static str,
    pub description: &'static str,
    pub config: fn() -> DeepConfig,
}

/// Every deep-network preset.
pub const DEEP_PRESETS: &[DeepPreset] = &[
    DeepPreset {
        name: "resnet-bt",
        description: "Figs 1C/D, 2C/D, 5: ResNet 16/32/64 + projector 256 → 8, Barlow Twins, 24 px crops of 32 px photo patches, batch 128, last projector layer at 1e-3 (GPU-sized)",
        config: || full(LossKind::BarlowTwins),
    },
    DeepPreset {
        name: "resnet-simclr",
        description: "Fig 2E/F: as resnet-bt with SimCLR (τ = 0.2), first projector layer at 1e-3",
        config: || full(LossKind::Simclr),
    },
    DeepPreset {
        name: "resnet-vicreg",
        description: "Fig 2 (VICReg): as resnet-bt with VICReg (25/25/1)",
        config: || full(LossKind::Vicreg),
    },
    DeepPreset {
        name: "resnet-bt-standard",
        description: "Fig 3: resnet-bt at standard init (every projector layer at scale 1): modes rise a few at a time",
        config: || standard(full(LossKind::BarlowTwins)),
    },
    DeepPreset {
        name: "resnet-simclr-standard",
        description: "Fig 3: resnet-simclr at standard init",
        config: || standard(full(LossKind::Simclr)),
    },
    DeepPreset {
        name: "resnet-vicreg-standard",
        description: "Fig 3: resnet-vicreg at standard init",
        config: || standard(full(LossKind::Vicreg)),
    },
    DeepPreset {
        name: "resnet-bt-small",
        description: "resnet-bt sized for one CPU core (tests, the page's CPU fallback): ResNet 4/8/16 + projector 32 → 4, 8 px crops of 12 px patches, batch 64",
        config: || small(LossKind::BarlowTwins),
    },
    DeepPreset {
        name: "resnet-simclr-small",
        description: "resnet-simclr sized for one CPU core, as resnet-bt-small",
        config: || small(LossKind::Simclr),
    },
    DeepPreset {
        name: "resnet-vicreg-small",
        description: "resnet-vicreg sized for one CPU core, as resnet-bt-small",
        config: || small(LossKind::Vicreg),
    },
    DeepPreset {
        name: "resnet-bt-small-standard",
        description: "resnet-bt-small at standard init",
        config: || standard(small(LossKind::BarlowTwins)),
    },
    DeepPreset {
        name: "resnet-simclr-small-standard",
        description: "resnet-simclr-small at standard init",
        config: || standard(small(LossKind::Simclr)),
    },
    DeepPreset {
        name: "resnet-vicreg-small-standard",
        description: "resnet-vicreg-small at standard init",
        config: || standard(small(LossKind::Vicreg)),
    },
];

/// Looks a deep-network preset up by name.
pub fn deep_preset(name: &str) -> Option<DeepConfig> {
    DEEP_PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| (p.config)())
}

/// Small init of ONE projector layer (docs/deep.md §2): the last for Barlow Twins and VICReg,
/// the first for SimCLR (whose normalized loss ignores the embedding's scale).
pub fn small_projector_scales(loss: LossKind, layers: usize, scale: f64) -> Vec<f64> {
    let mut scales = vec![1.0; layers];
    let small = match loss {
        LossKind::Simclr => 0,
        LossKind::BarlowTwins | LossKind::Vicreg => layers - 1,
    };
    scales[small] = scale;
    scales
}

/// The measured shape for `loss`.
fn full(loss: LossKind) -> DeepConfig {
    let (lr, steps) = match loss {
        LossKind::BarlowTwins => (0.01, 800),
        LossKind::Simclr => (0.001, 800),
        LossKind::Vicreg => (0.002, 800),
    };
    DeepConfig {
        loss,
        projector_scales: small_projector_scales(loss, 2, 1e-3),
        lr,
        steps,
        ..DeepConfig::default()
    }
}

/// The CPU-sized network for `loss` (tuned as the module docs say).
fn small(loss: LossKind) -> DeepConfig {
    let (lr, steps, d) = match loss {
        LossKind::BarlowTwins => (0.02, 700, 4),
        LossKind::Simclr => (0.002, 600, 4),
        LossKind::Vicreg => (0.003, 1500, 4),
    };
    DeepConfig {
        data: DeepDataConfig {
            count: 1024,
            base: 12,
            crop: 8,
            eval: 256,
            ..DeepDataConfig::default()
        },
        loss,
        channels: vec![4, 8, 16],
        projector: vec![32],
        d,
        projector_scales: small_projector_scales(loss, 2, 1e-3),
        lr,
        steps,
        batch: 64,
        record_every: 5,
        hidden_top: 8,
        ..DeepConfig::default()
    }
}

/// `cfg` at standard init: every projector layer at scale 1.
fn standard(cfg: DeepConfig) -> DeepConfig {
    DeepConfig {
        projector_scales: vec![1.0; cfg.projector.len() + 1],
        ..cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_validates_and_names_are_unique() {
        for (i, p) in DEEP_PRESETS.iter().enumerate() {
            (p.config)()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert!(DEEP_PRESETS[..i].iter().all(|q| q.name != p.name));
        }
    }

    #[test]
    fn small_init_shrinks_the_layer_each_loss_needs() {
        assert_eq!(
            small_projector_scales(LossKind::BarlowTwins, 2, 1e-3),
            [1.0, 1e-3]
        );
        assert_eq!(
            small_projector_scales(LossKind::Simclr, 3, 1e-3),
            [1e-3, 1.0, 1.0]
        );
    }
}
