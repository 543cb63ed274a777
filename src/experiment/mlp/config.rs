//! The MLP run's configuration (docs/math.md §7): data, network, loss, optimizer and recording.

use serde::{Deserialize, Serialize};

use crate::data::DatasetConfig;
use crate::experiment::config::{check_record_count, TheoryTime, MAX_SCALE, MAX_STEPS};
use crate::model::spectral::LossVariant;
use crate::model::ssl_loss::SslLoss;
use crate::validate::{self, ConfigError};

/// Largest embedding dimension of the MLP (the loss kernels keep d x d in workgroup memory).
pub const MAX_MLP_D: usize = 32;
/// Largest hidden width.
pub const MAX_WIDTH: usize = 8192;
/// Largest number of pairs: the theory decomposes N x N = 2n x 2n kernels.
pub const MAX_MLP_N: usize = 1024;
/// Largest width · (m + 1) and width · 2n (f32 entries of W̃1 and of H̃): 64 MiB each.
pub const MAX_LAYER_ENTRIES: usize = 16 << 20;
/// Most hidden-covariance eigenvalues recorded.
pub const MAX_HIDDEN_TOP: usize = 64;

/// Which joint-embedding loss trains the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Simplified Barlow Twins, ||C − I||²: the one the theory describes.
    BarlowTwins,
    /// NT-Xent with temperature `temperature`.
    Simclr,
    /// VICReg with coefficients 25 / 25 / 1.
    Vicreg,
}

/// Marks a configuration as an MLP run in JSON files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MlpExperiment {
    Mlp,
}

/// Everything that determines an MLP run. Absent keys take the defaults (`fig2-bt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpConfig {
    pub experiment: MlpExperiment,
    pub dataset: DatasetConfig,
    pub loss: LossKind,
    /// SimCLR's temperature τ.
    pub temperature: f64,
    /// Barlow Twins only: Appendix G's loss variant (docs/math.md §8); not `baseline` runs on the
    /// CPU backend.
    pub variant: LossVariant,
    /// The preconditioner's shift a, for `variant = precondition`.
    pub a: f64,
    /// Embedding dimension d.
    pub d: usize,
    /// Hidden width h.
    pub width: usize,
    /// Factor on PyTorch's default init of the hidden layer.
    pub hidden_scale: f64,
    /// α: factor on PyTorch's default init of the readout layer.
    pub init_scale: f64,
    /// η; `None` (null) picks 0.4 / (4 γ_1) of the NTK's K_Γ.
    pub lr: Option<f64>,
    /// Heavy-ball momentum μ (0: plain gradient descent).
    pub momentum: f64,
    /// Number of steps; `None` (null) runs until t = 1.3 τ_d of the NTK theory.
    pub steps: Option<u64>,
    /// Record every this many steps.
    pub record_every: u64,
    /// Seed of the initial weights.
    pub seed: u64,
    /// How many eigenvalues of the hidden representation's covariance to record (0: none).
    pub hidden_top: usize,
    /// Gradient descent or gradient flow for the theory curves.
    pub theory_time: TheoryTime,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self {
            experiment: MlpExperiment::Mlp,
            dataset: DatasetConfig {
                n: 100,
                crop: 8,
                base: 16,
                ..DatasetConfig::default()
            },
            loss: LossKind::BarlowTwins,
            temperature: 0.2,
            variant: LossVariant::Baseline,
            a: 0.1,
            d: 6,
            width: 2048,
            hidden_scale: 1.0,
            init_scale: 1e-4,
            lr: None,
            momentum: 0.0,
            steps: None,
            record_every: 10,
            seed: 0,
            hidden_top: 12,
            theory_time: TheoryTime::Discrete,
        }
    }
}

impl MlpConfig {
    /// Parses a JSON configuration (absent keys take defaults) and validates it: the
    /// page's parser ([`crate::experiment::query::from_json`]), whose errors name the key.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        crate::experiment::query::from_json(text)
    }

    /// The loss with its parameters.
    pub fn ssl_loss(&self) -> SslLoss {
        match self.loss {
            LossKind::BarlowTwins if self.variant != LossVariant::Baseline => SslLoss::Spectral {
                variant: self.variant,
                a: self.a,
            },
            LossKind::BarlowTwins => SslLoss::BarlowTwins,
            LossKind::Simclr => SslLoss::SimClr {
                temperature: self.temperature,
            },
            LossKind::Vicreg => SslLoss::VicReg,
        }
    }

    /// Checks every bound; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.dataset.validate()?;
        validate::int_in("dataset.n", self.dataset.n, 2, MAX_MLP_N)?;
        let m = self.dataset.m();
        validate::int_in("d", self.d, 1, MAX_MLP_D)?;
        validate::int_in("width", self.width, 1, MAX_WIDTH)?;
        self.check_layer_sizes(m)?;
        validate::real_in("temperature", self.temperature, 0.01, 10.0, false)?;
        if self.variant != LossVariant::Baseline && self.loss != LossKind::BarlowTwins {
            return Err(ConfigError::new(
                "variant",
                "Appendix G's variants modify the Barlow Twins loss: set loss = barlow-twins",
            ));
        }
        validate::real_in("a", self.a, 0.0, 1e6, true)?;
        validate::real_in("hidden_scale", self.hidden_scale, 0.0, MAX_SCALE, true)?;
        validate::real_in("init_scale", self.init_scale, 0.0, MAX_SCALE, true)?;
        if let Some(lr) = self.lr {
            validate::real_in("lr", lr, 0.0, MAX_SCALE, true)?;
        }
        validate::real_in("momentum", self.momentum, 0.0, 0.99, false)?;
        validate::int_in("record_every", self.record_every, 1, MAX_STEPS)?;
        validate::int_in("hidden_top", self.hidden_top, 0, MAX_HIDDEN_TOP)?;
        if let Some(steps) = self.steps {
            validate::int_in("steps", steps, 1, MAX_STEPS)?;
            check_record_count(steps, self.record_every)?;
        }
        validate::seed("seed", self.seed)?;
        let need = crate::experiment::memory::mlp_run_need(self);
        Ok(need.check(crate::experiment::memory::NATIVE_BUDGET)?)
    }

    fn check_layer_sizes(&self, m: usize) -> Result<(), ConfigError> {
        let w1 = self.width * (m + 1);
        let hidden = self.width * 2 * self.dataset.n;
        if w1.max(hidden) > MAX_LAYER_ENTRIES {
            return Err(ConfigError::new(
                "width",
                format!(
                    "width {} with m = {m} and 2n = {} needs {} entries per layer, more than \
                     {MAX_LAYER_ENTRIES}: use a smaller width, crop or n",
                    self.width,
                    2 * self.dataset.n,
                    w1.max(hidden)
                ),
            ));
        }
        Ok(())
    }
}
