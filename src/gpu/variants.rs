//! [`GpuVariants`]: GPU backends for Appendix G's comparison, one per run or probe, on one
//! device.

use super::context::GpuContext;
use super::linear_backend::GpuLinearBackend;
use super::spectral_step::VariantSpec;
use crate::experiment::appg::{data_moment, AppgConfig, VariantBackends};
use crate::experiment::{Prepared, RunError, Solver};
use crate::model::spectral::LossVariant;

/// Makes [`GpuLinearBackend`]s holding W(0) that step one variant at one η.
pub struct GpuVariants {
    ctx: GpuContext,
    a: f32,
    /// Σ = ΦᵀΦ/(2n) in the solver's basis (row-major m x m), when preconditioning is compared.
    moment: Option<Vec<f32>>,
}

impl GpuVariants {
    pub fn new(ctx: &GpuContext, prep: &Prepared, cfg: &AppgConfig) -> Self {
        let basis = match prep.config.solver {
            Solver::Eigenbasis | Solver::Truncated => Some(prep.eigen.vectors.as_ref()),
            Solver::Literal => None,
        };
        let moment = cfg.variants.precondition.then(|| {
            let sigma = data_moment(&prep.pairs, basis);
            let m = sigma.nrows();
            (0..m * m).map(|k| sigma[(k / m, k % m)]).collect()
        });
        Self {
            ctx: ctx.clone(),
            a: cfg.a as f32,
            moment,
        }
    }
}

impl GpuVariants {
    /// The device every backend runs on.
    pub fn device(&self) -> &wgpu::Device {
        &self.ctx.device
    }
}

impl VariantBackends for GpuVariants {
    type Backend = GpuLinearBackend;

    async fn create(
        &mut self,
        prep: &Prepared,
        variant: LossVariant,
        lr: f64,
    ) -> Result<GpuLinearBackend, RunError> {
        let spec = VariantSpec {
            variant,
            a: self.a,
            moment: self.moment.as_deref(),
        };
        let backend = GpuLinearBackend::from_prepared_variant(&self.ctx, prep, lr, Some(spec))
            .await
            .map_err(crate::experiment::BackendError::from)?;
        Ok(backend)
    }
}
