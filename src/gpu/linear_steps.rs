//! How a [`super::GpuLinearBackend`] dispatches its steps (docs/architecture.md §3): three
//! dispatches a step [update; P; C] (plus Appendix G's B, and M for preconditioning), or, for
//! the eigenbasis and truncated solvers at shapes that fit, a fused kernel that runs many
//! steps a dispatch — [`super::linear_fused`] for Barlow Twins, [`super::spectral_fused`] for
//! a variant at d ≤ 8.

use std::cell::RefCell;
use std::collections::btree_map::{BTreeMap, Entry};

use super::context::GpuError;
use super::kernel::{matrix_storage, zeroed_storage, Binding, KernelCache};
use super::linear_fused::{LinearFusedKernel, LinearFusedParams};
use super::linear_resources::{Matrices, StepBindings};
use super::profile::StepPlan;
use super::spectral_fused::{SpectralFusedKernel, SpectralFusedParams};
use super::spectral_step::{SpectralStep, VariantSpec};
use super::spectral_update::identity_basis;
use crate::linalg::JACOBI_SWEEPS;
use crate::model::spectral::LossVariant;

/// Whole fused dispatches per queue submission.
const FUSED_PER_SUBMIT: u32 = 64;

/// Either way of stepping.
pub(super) enum Stepper {
    Unfused {
        step: StepBindings,
        /// Appendix G's extra dispatches, when a variant other than plain Barlow Twins runs.
        spectral: Option<SpectralStep>,
    },
    Fused(FusedStep),
}

impl Stepper {
    /// Appends `steps` steps to `pass`.
    pub(super) fn encode(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        steps: u32,
    ) -> Result<(), GpuError> {
        match self {
            Stepper::Unfused { step, spectral } => {
                for _ in 0..steps {
                    if let Some(spectral) = spectral {
                        spectral.encode(pass);
                    }
                    step.update.encode(pass);
                    step.project.encode(pass);
                    step.correlate.encode(pass);
                }
                Ok(())
            }
            Stepper::Fused(fused) => fused.encode(pass, steps),
        }
    }

    /// Appends the dispatches that form P (unfused) and C from the current W.
    pub(super) fn refresh(&self, pass: &mut wgpu::ComputePass<'_>) -> Result<(), GpuError> {
        match self {
            Stepper::Unfused { step, .. } => {
                step.project.encode(pass);
                step.correlate.encode(pass);
                Ok(())
            }
            Stepper::Fused(fused) => fused.dispatch(pass, 0),
        }
    }

    /// Steps encoded per queue submission: `unfused` (a few thousand dispatches), or as many
    /// whole fused dispatches.
    pub(super) fn steps_per_submit(&self, unfused: u32) -> u32 {
        match self {
            Stepper::Unfused { .. } => unfused,
            Stepper::Fused(fused) => fused.max_steps.saturating_mul(FUSED_PER_SUBMIT),
        }
    }

    /// Dispatches [`Self::encode`] issues for `steps` steps.
    pub(super) fn dispatches(&self, steps: u32) -> u64 {
        match self {
            Stepper::Unfused { spectral, .. } => {
                let extra = spectral.as_ref().map_or(0, |s| s.bindings().len());
                u64::from(steps) * (3 + extra) as u64
            }
            Stepper::Fused(fused) => u64::from(steps.div_ceil(fused.max_steps)),
        }
    }

    /// The dispatches that advance the smallest whole number of steps.
    pub(super) fn plan(&self) -> StepPlan<'_> {
        match self {
            Stepper::Unfused { step, spectral } => {
                let extra = spectral.iter().flat_map(|s| s.bindings());
                StepPlan {
                    dispatches: extra
                        .chain([&step.update, &step.project, &step.correlate])
                        .collect(),
                    steps: 1,
                }
            }
            Stepper::Fused(fused) => StepPlan {
                dispatches: vec![&fused.full],
                steps: fused.max_steps,
            },
        }
    }
}

/// Which fused kernel, with the parameters of a whole dispatch.
enum Kind {
    Linear(LinearFusedKernel, LinearFusedParams),
    Spectral(SpectralFusedKernel, SpectralFusedParams),
}

/// A fused kernel bound over the backend's matrices: one binding per step count (the full
/// `max_steps`, the rest made when an interval first needs them).
pub(super) struct FusedStep {
    binder: Binder,
    max_steps: u32,
    full: Binding,
    partial: RefCell<BTreeMap<u32, Binding>>,
}

/// What the variant's kernel adds: its warm-start basis (d x d) and, for preconditioning, Σ
/// (K x K, in the solver's basis) and the scratch R = AΣ (d x K; else a vec4 never read).
struct VariantBuffers {
    basis: wgpu::Buffer,
    sigma: Option<wgpu::Buffer>,
    r: wgpu::Buffer,
}

/// What binding the kernel for another step count takes.
struct Binder {
    device: wgpu::Device,
    kind: Kind,
    variant: Option<VariantBuffers>,
    /// Λ (1 x K), A (d x K) and C (d x d): the backend's buffers.
    lambda: wgpu::Buffer,
    w: wgpu::Buffer,
    c: wgpu::Buffer,
}

impl FusedStep {
    /// The fused step for a d x K A (`k`), or `None` where no fused kernel applies; its
    /// pipeline from `cache` where given.
    pub(super) fn new(
        device: &wgpu::Device,
        (k, d, lr): (usize, usize, f32),
        x: &Matrices,
        variant: Option<&VariantSpec<'_>>,
        cache: Option<&KernelCache>,
    ) -> Result<Option<Self>, GpuError> {
        let spec = variant.filter(|v| v.variant != LossVariant::Baseline);
        let (kind, max_steps, variant) = match spec {
            None => {
                let max_steps = LinearFusedParams::max_steps(d, k);
                if max_steps == 0 {
                    return Ok(None);
                }
                let params = LinearFusedParams::new(d, k, lr, max_steps)?;
                let kernel = LinearFusedKernel::cached(device, cache);
                (Kind::Linear(kernel, params), max_steps, None)
            }
            Some(spec) => {
                let max_steps = SpectralFusedParams::max_steps(spec.variant, d, k, JACOBI_SWEEPS);
                if max_steps == 0 {
                    return Ok(None);
                }
                let params =
                    SpectralFusedParams::new(spec.variant, (d, k), (spec.a, lr), max_steps)?;
                let (sigma, r) = match spec.variant.needs_moment() {
                    true => (
                        Some(upload_sigma(device, k, spec)?),
                        matrix_storage(device, "R = AΣ (d x K)", (d, k), &vec![0.0; d * k])?,
                    ),
                    false => (None, zeroed_storage(device, "R: unused", 4)?),
                };
                let basis = identity_basis(device, d)?;
                let kernel = SpectralFusedKernel::cached(device, cache);
                let buffers = VariantBuffers { basis, sigma, r };
                (Kind::Spectral(kernel, params), max_steps, Some(buffers))
            }
        };
        let binder = Binder {
            device: device.clone(),
            kind,
            variant,
            lambda: x.gamma.clone(),
            w: x.w.clone(),
            c: x.c.clone(),
        };
        Ok(Some(Self {
            full: binder.bind(max_steps)?,
            binder,
            max_steps,
            partial: RefCell::new(BTreeMap::new()),
        }))
    }

    /// Bytes of the buffers it adds (the basis, R, and Σ for preconditioning).
    pub(super) fn buffer_bytes(&self) -> Vec<u64> {
        let Some(v) = &self.binder.variant else {
            return Vec::new();
        };
        [&v.basis, &v.r]
            .into_iter()
            .chain(&v.sigma)
            .map(|b| b.size())
            .collect()
    }

    /// Appends `steps` steps: whole dispatches of `max_steps` steps, then the rest.
    fn encode(&self, pass: &mut wgpu::ComputePass<'_>, steps: u32) -> Result<(), GpuError> {
        let mut left = steps;
        while left > 0 {
            let n = left.min(self.max_steps);
            self.dispatch(pass, n)?;
            left -= n;
        }
        Ok(())
    }

    /// Appends the kernel's dispatch for `steps` steps (0: C from A only).
    fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, steps: u32) -> Result<(), GpuError> {
        if steps == self.max_steps {
            self.full.encode(pass);
            return Ok(());
        }
        let mut partial = self.partial.borrow_mut();
        let binding = match partial.entry(steps) {
            Entry::Occupied(bound) => bound.into_mut(),
            Entry::Vacant(slot) => slot.insert(self.binder.bind(steps)?),
        };
        binding.encode(pass);
        Ok(())
    }
}

impl Binder {
    /// The kernel bound for `steps` steps a dispatch.
    fn bind(&self, steps: u32) -> Result<Binding, GpuError> {
        let (device, w, c) = (&self.device, &self.w, &self.c);
        match &self.kind {
            Kind::Linear(kernel, params) => {
                kernel.bind(device, params.with_steps(steps)?, (&self.lambda, w, c))
            }
            Kind::Spectral(kernel, params) => {
                let v = self.variant.as_ref().ok_or_else(|| {
                    GpuError::Shape("fused variant step without its basis".into())
                })?;
                // Σ for preconditioning, else any read-only buffer (Λ): not read
                let sigma = v.sigma.as_ref().unwrap_or(&self.lambda);
                let params = params.with_steps(steps)?;
                kernel.bind(
                    device,
                    params,
                    (&self.lambda, sigma),
                    (w, c, &v.basis, &v.r),
                )
            }
        }
    }
}

/// Σ (K x K, in the solver's basis) from `spec`, checked and uploaded.
fn upload_sigma(
    device: &wgpu::Device,
    k: usize,
    spec: &VariantSpec<'_>,
) -> Result<wgpu::Buffer, GpuError> {
    match spec.moment {
        Some(sigma) if sigma.len() == k * k => {
            matrix_storage(device, "Σ = ΦᵀΦ/2n (K x K)", (k, k), sigma)
        }
        Some(sigma) => Err(GpuError::Shape(format!(
            "Σ has {} entries, expected {k} x {k}",
            sigma.len()
        ))),
        None => Err(GpuError::Shape(
            "preconditioning needs the data's second moment Σ".into(),
        )),
    }
}
