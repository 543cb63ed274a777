//! Appendix G on the GPU: what a [`super::GpuLinearBackend`] adds to step one variant —
//! B (d x d), and for preconditioning Σ (m x m), R = WΣ (d x m) and M = RWᵀ (d x d) — and
//! the dispatches that form them at the start of every step, before W ← W − η B P.

use super::context::GpuError;
use super::kernel::{matrix_storage, Binding};
use super::linear_resources::Matrices;
use super::matmul::{MatmulKernel, MatmulShape};
use super::spectral_update::{identity_basis, SpectralUpdateKernel, SpectralUpdateParams};
use crate::model::spectral::LossVariant;

/// Which variant a backend steps, with what it needs.
#[derive(Debug, Clone, Copy)]
pub struct VariantSpec<'a> {
    pub variant: LossVariant,
    /// The preconditioner's shift a.
    pub a: f32,
    /// Σ = ΦᵀΦ/(2n) in the solver's basis (row-major m x m), for preconditioning.
    pub moment: Option<&'a [f32]>,
}

/// The buffers and bound dispatches of the variant's extra work.
pub(super) struct SpectralStep {
    pub(super) b: wgpu::Buffer,
    /// The eigenvectors of the last step's solve, its warm start (the identity at first).
    basis: wgpu::Buffer,
    /// Σ, R and M, kept alive with the bindings that read them.
    _moment: Option<[wgpu::Buffer; 3]>,
    bindings: Vec<Binding>,
}

impl SpectralStep {
    /// Bytes of each buffer it holds (B, and Σ, R, M when kept).
    pub(super) fn buffer_bytes(&self) -> Vec<u64> {
        let moment = self._moment.iter().flatten();
        [&self.b, &self.basis]
            .into_iter()
            .chain(moment)
            .map(|b| b.size())
            .collect()
    }

    pub(super) fn new(
        device: &wgpu::Device,
        (m, d): (usize, usize),
        spec: &VariantSpec<'_>,
        x: &Matrices,
    ) -> Result<Self, GpuError> {
        let b = matrix_storage(
            device,
            "B: Appendix G update (d x d)",
            (d, d),
            &vec![0.0; d * d],
        )?;
        let params = SpectralUpdateParams::new(spec.variant, d, spec.a)?;
        let basis = identity_basis(device, d)?;
        let update = SpectralUpdateKernel::new(device);
        if !spec.variant.needs_moment() {
            let bound = update.bind(device, params, (&x.c, &x.c, &b, &basis))?;
            return Ok(Self {
                b,
                basis,
                _moment: None,
                bindings: vec![bound],
            });
        }
        let (moment, [r_binding, m_binding]) = Moment::new(device, (m, d), spec, x)?;
        let bindings = vec![
            r_binding,
            m_binding,
            update.bind(device, params, (&x.c, &moment.m, &b, &basis))?,
        ];
        Ok(Self {
            b,
            basis,
            _moment: Some([moment.sigma, moment.r, moment.m]),
            bindings,
        })
    }

    /// The variant's dispatches, in order (B, after M for preconditioning).
    pub(super) fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Records the variant's dispatches (B, after M for preconditioning) into `pass`.
    pub(super) fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        for binding in &self.bindings {
            binding.encode(pass);
        }
    }
}

/// Preconditioning's Σ (m x m, in the solver's basis), R = WΣ (d x m) and M = RWᵀ (d x d).
pub(super) struct Moment {
    pub(super) sigma: wgpu::Buffer,
    pub(super) r: wgpu::Buffer,
    pub(super) m: wgpu::Buffer,
}

impl Moment {
    /// Uploads `spec`'s Σ and binds the two matmuls that form M from the current W (or A):
    /// R = WΣ, then M = RWᵀ.
    pub(super) fn new(
        device: &wgpu::Device,
        (m, d): (usize, usize),
        spec: &VariantSpec<'_>,
        x: &Matrices,
    ) -> Result<(Self, [Binding; 2]), GpuError> {
        let sigma = spec.moment.ok_or_else(|| {
            GpuError::Shape("preconditioning needs the data's second moment Σ".into())
        })?;
        if sigma.len() != m * m {
            return Err(GpuError::Shape(format!(
                "Σ has {} entries, expected {m} x {m}",
                sigma.len()
            )));
        }
        let sigma = matrix_storage(device, "Σ = ΦᵀΦ/2n (m x m)", (m, m), sigma)?;
        let r = matrix_storage(device, "R = WΣ (d x m)", (d, m), &vec![0.0; d * m])?;
        let moment = matrix_storage(device, "M = WΣWᵀ (d x d)", (d, d), &vec![0.0; d * d])?;
        let matmul = MatmulKernel::new(device);
        let bindings = [
            matmul.bind(
                device,
                "R = WΣ",
                MatmulShape::ab(d, m, m),
                (&x.w, &sigma, &r),
            )?,
            matmul.bind(
                device,
                "M = RWᵀ",
                MatmulShape::abt(d, d, m),
                (&r, &x.w, &moment),
            )?,
        ];
        Ok((
            Self {
                sigma,
                r,
                m: moment,
            },
            bindings,
        ))
    }
}
