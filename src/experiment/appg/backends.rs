//! Where a comparison gets a fresh backend for each run and probe: W(0) of the prepared run,
//! one variant's update rule, one η.

use std::sync::Arc;

use faer::Mat;

use super::config::AppgConfig;
use super::rule::{data_moment, SpectralRule};
use crate::experiment::{CpuBackend, LinearBackend, Prepared, RunError, Solver};
use crate::model::spectral::LossVariant;

/// Makes backends holding W(0) that step one variant at one η.
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
            Solver::Eigenbasis => Some(prep.eigen.vectors.as_ref()),
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
