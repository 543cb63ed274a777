//! Where a comparison gets its runs: fresh backends holding the shared initial weights, one
//! variant's update rule and one η — for the linear model ([`LinearTrials`]) and the MLP
//! ([`MlpTrials`], CPU).

use std::sync::Arc;

use faer::Mat;

use super::config::AppgConfig;
use super::rule::{data_moment, SpectralRule};
use super::trial::{Setting, TrialPlan, Trials};
use crate::experiment::mlp::{CpuMlpBackend, MlpPrepared, MlpRun};
use crate::experiment::{
    CpuBackend, LinearBackend, LinearRun, Prepared, RunError, RunPlan, Solver,
};
use crate::model::spectral::LossVariant;

/// Makes linear backends holding W(0) that step one variant at one η.
#[allow(async_fn_in_trait)] // used through generics only
pub trait VariantBackends {
    type Backend: LinearBackend;

    async fn create(
        &mut self,
        prep: &Prepared,
        variant: LossVariant,
        lr: f64,
    ) -> Result<Self::Backend, RunError>;
}

/// CPU backends (f32, the prepared run's solver).
pub struct CpuVariants {
    a: f64,
    /// Σ = ΦᵀΦ/(2n) in the solver's basis, when preconditioning is compared.
    moment: Option<Arc<Mat<f32>>>,
}

impl CpuVariants {
    pub fn new(prep: &Prepared, cfg: &AppgConfig) -> Self {
        let basis = match prep.config.solver {
            Solver::Eigenbasis | Solver::Truncated => Some(prep.eigen.vectors.as_ref()),
            Solver::Literal => None,
        };
        let moment = cfg
            .variants
            .precondition
            .then(|| Arc::new(data_moment(&prep.pairs, basis)));
        Self { a: cfg.a, moment }
    }
}

impl VariantBackends for CpuVariants {
    type Backend = CpuBackend;

    async fn create(
        &mut self,
        prep: &Prepared,
        variant: LossVariant,
        lr: f64,
    ) -> Result<CpuBackend, RunError> {
        let backend = prep.cpu_backend_at(lr);
        if variant == LossVariant::Baseline {
            return Ok(backend);
        }
        let moment = variant
            .needs_moment()
            .then(|| self.moment.clone())
            .flatten();
        Ok(backend.with_rule(SpectralRule::new(variant, self.a, moment)))
    }
}

/// Linear runs of a prepared baseline on backends from `F`.
pub struct LinearTrials<F> {
    prep: Prepared,
    backends: F,
}

impl<F: VariantBackends> LinearTrials<F> {
    pub fn new(prep: Prepared, backends: F) -> Self {
        Self { prep, backends }
    }

    pub fn prepared(&self) -> &Prepared {
        &self.prep
    }

    pub fn backends(&self) -> &F {
        &self.backends
    }
}

impl<F: VariantBackends> Trials for LinearTrials<F> {
    type Trial = LinearRun<F::Backend>;

    fn setting(&self) -> Setting {
        Setting {
            lr: self.prep.lr(),
            steps: self.prep.steps(),
            record_every: self.prep.config.record_every,
            m: self.prep.pairs.m,
            gamma_1: self.prep.eigen.values[0],
            local_images: self.prep.local_images,
        }
    }

    async fn start(
        &mut self,
        variant: LossVariant,
        plan: TrialPlan,
    ) -> Result<Self::Trial, RunError> {
        let backend = self.backends.create(&self.prep, variant, plan.lr).await?;
        let plan = RunPlan {
            lr: plan.lr,
            total_steps: plan.total_steps,
            record_every: plan.record_every,
            ..RunPlan::of(&self.prep)
        };
        LinearRun::with_plan(backend, plan).await
    }
}

/// MLP runs (Barlow Twins with each variant) of a prepared baseline, on the CPU.
pub struct MlpTrials {
    prep: MlpPrepared,
    a: f64,
}

impl MlpTrials {
    pub fn new(prep: MlpPrepared, cfg: &AppgConfig) -> Self {
        Self { prep, a: cfg.a }
    }
}

impl Trials for MlpTrials {
    type Trial = MlpRun<CpuMlpBackend>;

    fn setting(&self) -> Setting {
        Setting {
            lr: self.prep.lr(),
            steps: self.prep.steps(),
            record_every: self.prep.config.record_every,
            m: self.prep.pairs.m,
            gamma_1: self
                .prep
                .kernel
                .gamma_top
                .first()
                .copied()
                .unwrap_or(f64::NAN),
            local_images: self.prep.local_images,
        }
    }

    async fn start(
        &mut self,
        variant: LossVariant,
        plan: TrialPlan,
    ) -> Result<Self::Trial, RunError> {
        let mut prep = self.prep.clone();
        let cfg = &mut prep.config;
        cfg.variant = variant;
        cfg.a = self.a;
        cfg.lr = Some(plan.lr);
        cfg.steps = Some(plan.total_steps);
        cfg.record_every = plan.record_every;
        cfg.hidden_top = 0;
        MlpRun::start(prep.cpu_backend(), &prep).await
    }
}
