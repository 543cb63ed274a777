//! Everything an MLP run needs before its first step: data, X̃, the initial weights, the
//! empirical NTK's theory, and the resolved η and step count.
//!
//! Two phases, so that the NTK can come from the CPU formula or from the GPU:
//! [`MlpSetup::new`] builds data and weights, [`MlpSetup::finish`] takes the kernel.

use faer::Mat;

use super::config::MlpConfig;
use super::cpu::CpuMlpBackend;
use crate::data::photos::Photo;
use crate::data::{self, Pairs};
use crate::experiment::config::TheoryTime;
use crate::experiment::prepare::auto_steps;
use crate::experiment::RunError;
use crate::model::mlp::{self, MlpShape, MlpWeights};
use crate::theory::ntk::{self, KernelTheory};

/// How many of K_Γ's top eigenvalues a result lists.
const GAMMA_TOP: usize = 32;

/// Data and initial weights of an MLP run.
#[derive(Clone)]
pub struct MlpSetup {
    pub config: MlpConfig,
    pub pairs: Pairs,
    /// X̃ = [X; X'] with a column of ones, N x (m+1).
    pub inputs: Mat<f32>,
    pub weights: MlpWeights,
    /// How many of the visitor's own images the photo patches come from (`None`: bundled).
    pub local_images: Option<usize>,
}

/// A run ready to start.
#[derive(Clone)]
pub struct MlpPrepared {
    /// The configuration with `lr` and `steps` resolved.
    pub config: MlpConfig,
    pub pairs: Pairs,
    pub inputs: Mat<f32>,
    /// The initial weights.
    pub weights: MlpWeights,
    /// The NTK theory (kernel PCA of K_Γ with the init's alignment).
    pub kernel: KernelTheory,
    /// How many of the visitor's own images the photo patches come from (`None`: bundled).
    pub local_images: Option<usize>,
}

impl MlpSetup {
    /// Validates `cfg`, builds the data and draws the weights.
    pub fn new(cfg: &MlpConfig) -> Result<Self, RunError> {
        Self::with_photos(cfg, None)
    }

    /// [`MlpSetup::new`] with the photo patches cut from `local` photos (the visitor's own
    /// images) instead of the bundled ones when given (see [`data::build_from`]).
    pub fn with_photos(cfg: &MlpConfig, local: Option<&[Photo]>) -> Result<Self, RunError> {
        cfg.validate()?;
        let pairs = data::build_from(&cfg.dataset, local)?;
        let shape = MlpShape {
            inputs: pairs.m,
            hidden: cfg.width,
            outputs: cfg.d,
        };
        let weights = MlpWeights::init(shape, cfg.hidden_scale, cfg.init_scale, cfg.seed);
        Ok(Self {
            config: cfg.clone(),
            inputs: mlp::augmented_inputs(&pairs),
            pairs,
            weights,
            local_images: data::local_images(&cfg.dataset, local),
        })
    }

    /// The empirical NTK at init by the CPU formula (f64).
    pub fn ntk_cpu(&self) -> Mat<f64> {
        ntk::empirical_ntk(&self.weights, self.inputs.as_ref())
    }

    /// The theory from `kernel` (N x N), then `lr` and `steps` resolved from it.
    pub fn finish(self, kernel: Mat<f64>) -> Result<MlpPrepared, RunError> {
        let f0 = self.weights.forward(self.inputs.as_ref()).embeddings;
        let f0 = Mat::from_fn(f0.nrows(), f0.ncols(), |i, j| f64::from(f0[(i, j)]));
        let mut kernel = ntk::kernel_theory(kernel.as_ref(), f0.as_ref(), GAMMA_TOP)?;
        let gamma1 = kernel.theory.gamma[0];
        if gamma1.is_nan() || gamma1 <= 0.0 {
            return Err(RunError::NoPositiveMode);
        }
        let lr = self.config.lr.unwrap_or(0.4 / (4.0 * gamma1));
        if self.config.theory_time == TheoryTime::Discrete {
            kernel.theory = kernel.theory.discrete(lr);
        }
        let config = resolve(&self.config, lr, &kernel)?;
        Ok(MlpPrepared {
            config,
            pairs: self.pairs,
            inputs: self.inputs,
            weights: self.weights,
            kernel,
            local_images: self.local_images,
        })
    }
}

impl MlpPrepared {
    /// Data, weights and theory with the NTK computed on the CPU.
    pub fn new(cfg: &MlpConfig) -> Result<Self, RunError> {
        Self::from_setup(MlpSetup::new(cfg)?)
    }

    /// `setup` finished with the NTK computed on the CPU.
    pub fn from_setup(setup: MlpSetup) -> Result<Self, RunError> {
        let k = setup.ntk_cpu();
        setup.finish(k)
    }

    /// η of the run.
    pub fn lr(&self) -> f64 {
        self.config.lr.unwrap_or(0.0)
    }

    /// Number of steps of the run.
    pub fn steps(&self) -> u64 {
        self.config.steps.unwrap_or(0)
    }

    /// The CPU backend holding the initial weights.
    pub fn cpu_backend(&self) -> CpuMlpBackend {
        CpuMlpBackend::new(
            self.inputs.clone(),
            self.weights.clone(),
            self.config.ssl_loss(),
            self.lr() as f32,
            self.config.momentum as f32,
        )
    }

    /// The stability bound 1/(4 γ_1) of the NTK's K_Γ.
    pub fn stable_lr_bound(&self) -> f64 {
        1.0 / (4.0 * self.kernel.theory.gamma[0])
    }
}

fn resolve(cfg: &MlpConfig, lr: f64, kernel: &KernelTheory) -> Result<MlpConfig, RunError> {
    let steps = match cfg.steps {
        Some(s) => s,
        None => auto_steps(lr, &kernel.theory)?,
    };
    let out = MlpConfig {
        lr: Some(lr),
        steps: Some(steps),
        ..cfg.clone()
    };
    out.validate()?;
    Ok(out)
}
