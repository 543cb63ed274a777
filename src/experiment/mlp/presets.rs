//! Named MLP configurations: the paper's Figure 2 settings and small variants for tests.

use super::config::{LossKind, MlpConfig};
use crate::data::DatasetConfig;

/// A named MLP configuration with a one-line description.
pub struct MlpPreset {
    pub name: &'static str,
    pub description: &'static str,
    pub config: fn() -> MlpConfig,
}

/// Every MLP preset.
pub const MLP_PRESETS: &[MlpPreset] = &[
    MlpPreset {
        name: "fig2-bt",
        description: "Figure 2 A/B: ReLU MLP, width 2048, Barlow Twins, n = 100 photo-patch pairs (8x8 RGB, m = 192), d = 6, readout α = 1e-4, NTK theory",
        config: MlpConfig::default,
    },
    MlpPreset {
        name: "fig2-bt-cpu",
        description: "fig2-bt sized for the CPU (the notebook's fallback without WebGPU): the same width-2048 network, loss and readout α on n = 32 pairs of 4x4 crops (m = 48), so that the width stays ≫ n and the NTK theory holds",
        config: fig2_bt_cpu,
    },
    MlpPreset {
        name: "fig2-simclr",
        description: "Figure 2 C/D on the MLP: SimCLR (τ = 0.2), readout α = 0.1, η = 0.1, same network and data as fig2-bt",
        config: fig2_simclr,
    },
    MlpPreset {
        name: "fig2-vicreg",
        description: "Figure 2 E/F on the MLP: VICReg (25/25/1), η = 0.01, same network and data as fig2-bt",
        config: fig2_vicreg,
    },
    MlpPreset {
        name: "mlp-small-bt",
        description: "quick MLP run: width 64, n = 24 pairs of 4x4 crops (m = 48), d = 3, Barlow Twins (too narrow for the NTK theory: the figure omits it)",
        config: small_bt,
    },
    MlpPreset {
        name: "mlp-small-simclr",
        description: "quick MLP run: as mlp-small-bt with SimCLR",
        config: small_simclr,
    },
    MlpPreset {
        name: "mlp-small-vicreg",
        description: "quick MLP run: as mlp-small-bt with VICReg",
        config: small_vicreg,
    },
];

/// Looks an MLP preset up by name.
pub fn mlp_preset(name: &str) -> Option<MlpConfig> {
    MLP_PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| (p.config)())
}

// NT-Xent is scale-free: its gradient grows as 1/|f|, so a readout as small as Barlow
// Twins' would be blown up by the first step. A tenth of PyTorch's scale still grows the
// covariance eigenvalues one after the other.
fn fig2_simclr() -> MlpConfig {
    MlpConfig {
        loss: LossKind::Simclr,
        init_scale: 0.1,
        lr: Some(0.1),
        steps: Some(3000),
        record_every: 20,
        ..MlpConfig::default()
    }
}

fn fig2_bt_cpu() -> MlpConfig {
    MlpConfig {
        dataset: DatasetConfig {
            n: 32,
            crop: 4,
            base: 8,
            ..MlpConfig::default().dataset
        },
        ..MlpConfig::default()
    }
}

fn fig2_vicreg() -> MlpConfig {
    MlpConfig {
        loss: LossKind::Vicreg,
        lr: Some(1e-2),
        steps: Some(3000),
        record_every: 20,
        ..MlpConfig::default()
    }
}

fn small_bt() -> MlpConfig {
    MlpConfig {
        dataset: DatasetConfig {
            n: 24,
            crop: 4,
            base: 8,
            ..DatasetConfig::default()
        },
        d: 3,
        width: 64,
        record_every: 5,
        hidden_top: 6,
        ..MlpConfig::default()
    }
}

fn small_simclr() -> MlpConfig {
    MlpConfig {
        loss: LossKind::Simclr,
        init_scale: 0.1,
        lr: Some(0.1),
        steps: Some(600),
        record_every: 10,
        ..small_bt()
    }
}

fn small_vicreg() -> MlpConfig {
    MlpConfig {
        loss: LossKind::Vicreg,
        lr: Some(1e-2),
        steps: Some(1200),
        record_every: 10,
        ..small_bt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mlp_preset_is_valid() {
        for p in MLP_PRESETS {
            (p.config)()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
        assert!(mlp_preset("fig1").is_none());
    }
}
