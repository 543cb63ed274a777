//! `shaders/spectral_fused.wgsl` (with `shaders/spectral_core.wgsl` appended): `steps` steps
//! of an Appendix G loss variant in the eigenbasis solver in one dispatch of one invocation
//! for d ≤ [`SERIAL_MAX_DIM`]: B from C (and M) by the warm-started Jacobi of
//! [`super::spectral_update`], A ← A − η B A Λ, C = A Λ Aᵀ (docs/architecture.md §3).
//! Preconditioning forms M = A Σ Aᵀ in the kernel too, before each step's B.

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Access, Binding, Kernel, KernelCache, WORKGROUP};
use super::layout::{pad4, padded_len, unpack};
use super::spectral_update::{SpectralUpdateParams, SERIAL_MAX_DIM};
use crate::model::spectral::LossVariant;

const SHADER: &str = concat!(
    include_str!("../../shaders/spectral_fused.wgsl"),
    include_str!("../../shaders/spectral_core.wgsl")
);

/// Loop iterations one dispatch may cost its invocation: half of the 65,535 after which Mesa
/// 22.3's lavapipe silently stops it (the shader's header gives the costs).
pub const STEP_BUDGET: u64 = 32_768;

/// The most steps one dispatch runs, whatever the budget allows.
pub const MAX_STEPS_PER_DISPATCH: u32 = 256;

/// The shader's `Params`, field by field; the first six are [`SpectralUpdateParams`]'.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SpectralFusedParams {
    pub d: u32,
    pub d4: u32,
    pub variant: u32,
    pub a: f32,
    pub sharp_floor: f32,
    pub sweeps: u32,
    /// vec4s per row of A and of Λ.
    pub k4: u32,
    /// Steps one dispatch runs (0 forms C only).
    pub steps: u32,
    /// η.
    pub lr: f32,
    /// Sharp's least guard floor ([`SpectralUpdateParams`]' `sharp_floor_min`).
    pub sharp_floor_min: f32,
    pub _pad1: u32,
    pub _pad2: u32,
}

/// Invocations of the kernel's one workgroup (the shader's `FUSED_LANES`).
pub const LANES: u64 = 8;

/// Loop iterations of invocation 0, which does the most: (a step, forming C first + writing
/// it back).
fn costs(variant: LossVariant, d: usize, k: usize, sweeps: u32) -> (u64, u64) {
    let (d, k4, sweeps) = (d as u64, (pad4(k) / 4) as u64, u64::from(sweeps));
    let d4 = pad4(d as usize) as u64;
    let share = |n: u64| n.div_ceil(LANES);
    let correlate = share(d4 * d4) * (k4 + 1) + 2;
    let moment = match variant.needs_moment() {
        true => share(d * k4) * (4 * k4 + 1) + share(d4 * d4) * (k4 + 1) + 8,
        false => 0,
    };
    let even = d + d % 2;
    let sweep = (even - 1) * (even / 2 + 2 * d * d + 2) + d * d + 4;
    // + d: sharp's floor sums |λ| after the solve
    let jacobi = sweeps * sweep + 4 * d.pow(3) + 10 * d * d + d + 200;
    let update = share(k4) * (2 + d + d * d) + 2;
    let fixed = 2 * share(d4 * d4) + correlate + 8;
    (moment + jacobi + update + correlate + 2, fixed)
}

impl SpectralFusedParams {
    /// The most steps one dispatch may run: what [`STEP_BUDGET`] allows, at most
    /// [`MAX_STEPS_PER_DISPATCH`]; 0 where the kernel does not apply (the baseline, d outside
    /// 1..=[`SERIAL_MAX_DIM`], K = 0, or a step over the budget).
    pub fn max_steps(variant: LossVariant, d: usize, k: usize, sweeps: u32) -> u32 {
        if variant == LossVariant::Baseline || !(1..=SERIAL_MAX_DIM).contains(&d) || k == 0 {
            return 0;
        }
        let (step, fixed) = costs(variant, d, k, sweeps);
        let steps = STEP_BUDGET.saturating_sub(fixed) / step;
        steps.min(u64::from(MAX_STEPS_PER_DISPATCH)) as u32
    }

    /// Parameters for `steps` steps of `variant` on a d x K A at learning rate `lr`, with the
    /// preconditioner's shift `a`; fails with [`GpuError::Shape`] where
    /// [`SpectralUpdateParams::new`] does or `steps` exceeds [`Self::max_steps`].
    pub fn new(
        variant: LossVariant,
        (d, k): (usize, usize),
        (a, lr): (f32, f32),
        steps: u32,
    ) -> Result<Self, GpuError> {
        let b = SpectralUpdateParams::new(variant, d, a)?;
        let params = Self {
            d: b.d,
            d4: b.d4,
            variant: b.variant,
            a: b.a,
            sharp_floor: b.sharp_floor,
            sweeps: b.sweeps,
            k4: (pad4(k) / 4) as u32,
            steps: 0,
            lr,
            sharp_floor_min: b.sharp_floor_min,
            _pad1: 0,
            _pad2: 0,
        };
        params.with_steps(steps)
    }

    /// The same parameters for another step count (checked as in [`Self::new`]).
    pub fn with_steps(&self, steps: u32) -> Result<Self, GpuError> {
        let variant = LossVariant::ALL
            .into_iter()
            .find(|v| v.code() == self.variant)
            .unwrap_or(LossVariant::Baseline);
        let (d, k) = (self.d as usize, 4 * self.k4 as usize);
        let most = Self::max_steps(variant, d, k, self.sweeps);
        if steps > most || most == 0 {
            return Err(GpuError::Shape(format!(
                "fused {} step at d = {d}, K = {k}: {steps} steps in one dispatch, at most {most}",
                variant.name()
            )));
        }
        Ok(Self { steps, ..*self })
    }
}

/// The compiled pipeline.
pub struct SpectralFusedKernel(Kernel);

impl SpectralFusedKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self::cached(device, None)
    }

    /// The kernel from `cache` where given (compiled into it the first time).
    pub fn cached(device: &wgpu::Device, cache: Option<&KernelCache>) -> Self {
        Self(KernelCache::make_in(cache, "spectral fused step", || {
            Self::compile(device)
        }))
    }

    fn compile(device: &wgpu::Device) -> Kernel {
        let access = [
            Access::Read,
            Access::Read,
            Access::ReadWrite,
            Access::ReadWrite,
            Access::ReadWrite,
            Access::ReadWrite,
        ];
        Kernel::with_storage_params(device, "spectral fused step", (SHADER, "main"), &access)
    }

    /// Binds `params.steps` steps over padded `lambda` (1 x K), `sigma` (Σ, K x K; read by
    /// preconditioning only, any other read-only buffer otherwise), `a` (d x K), `c` (d x d),
    /// `basis` (d x d, the warm start: initially the identity) and `r` (scratch for R = AΣ,
    /// d x K, for preconditioning; any other buffer otherwise); `a`, `c` and `basis` are
    /// updated in place.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: SpectralFusedParams,
        (lambda, sigma): (&wgpu::Buffer, &wgpu::Buffer),
        (a, c, basis, r): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let storage = [lambda, sigma, a, c, basis, r];
        self.0
            .bind_all(device, "spectral fused step", &params, &storage, WORKGROUP)
    }
}

/// Runs `params.steps` steps from A(0) = `a` (d x K row-major) with eigenvalues `values`,
/// `sigma` (Σ, K x K row-major, for preconditioning; zero if `None`) and a cold start, in one
/// dispatch, and reads A and C = A Λ Aᵀ back, unpadded (tests).
pub async fn spectral_fused_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    params: SpectralFusedParams,
    values: &[f32],
    a: &[f32],
    sigma: Option<&[f32]>,
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    let (d, k) = (params.d as usize, values.len());
    let square = sigma.is_none_or(|s| s.len() == k * k);
    if a.len() != d * k || pad4(k) / 4 != params.k4 as usize || !square {
        return Err(GpuError::Shape(format!(
            "fused variant step with d = {d}, K = {k}: operands have wrong lengths"
        )));
    }
    let zeros = vec![0.0; d * d];
    let no_sigma = vec![0.0; k * k];
    let sigma = sigma.unwrap_or(&no_sigma);
    let identity = super::spectral_update::identity(d);
    let read = kernel::run_reading(device, queue, || {
        let lambda = matrix_storage(device, "fused Λ", (1, k), values)?;
        let sigma = matrix_storage(device, "fused Σ", (k, k), sigma)?;
        let a = matrix_storage(device, "fused A", (d, k), a)?;
        let c = matrix_storage(device, "fused C", (d, d), &zeros)?;
        let basis = matrix_storage(device, "fused basis", (d, d), &identity)?;
        let r = matrix_storage(device, "fused R", (d, k), &vec![0.0; d * k])?;
        let binding = SpectralFusedKernel::new(device).bind(
            device,
            params,
            (&lambda, &sigma),
            (&a, &c, &basis, &r),
        )?;
        let outputs = vec![(a, padded_len(d, k)), (c, padded_len(d, d))];
        Ok((vec![binding], outputs))
    })
    .await?;
    Ok((unpack(d, k, &read[0]), unpack(d, d, &read[1])))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::linalg::JACOBI_SWEEPS;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<SpectralFusedParams>(
            SHADER, "Params", 12,
        );
    }

    #[test]
    fn budget_and_applicability() {
        let most = |v, d, k| SpectralFusedParams::max_steps(v, d, k, JACOBI_SWEEPS);
        // App. G small: d = 4, K = 108
        assert_eq!(most(LossVariant::Sharp, 4, 108), 11);
        assert_eq!(most(LossVariant::Precondition, 4, 108), 7);
        assert_eq!(most(LossVariant::Baseline, 4, 108), 0);
        assert_eq!(most(LossVariant::Sharp, SERIAL_MAX_DIM + 1, 108), 0);
        assert_eq!(most(LossVariant::Quartic, 4, 0), 0);
        // preconditioning's M at a large K: a step is over the budget
        assert_eq!(most(LossVariant::Precondition, 8, 1200), 0);
        for v in [LossVariant::Sharp, LossVariant::Precondition] {
            let (step, fixed) = costs(v, 4, 108, JACOBI_SWEEPS);
            assert!(fixed + u64::from(most(v, 4, 108)) * step <= STEP_BUDGET);
        }
        let p = SpectralFusedParams::new(LossVariant::Sharp, (5, 7), (0.1, 0.5), 2).unwrap();
        assert_eq!((p.d, p.d4, p.k4, p.steps, p.lr), (5, 8, 2, 2, 0.5));
        assert!(p.with_steps(MAX_STEPS_PER_DISPATCH + 1).is_err());
        let pre = (0.1, 0.5);
        assert!(SpectralFusedParams::new(LossVariant::Precondition, (3, 7), pre, 2).is_ok());
        assert!(SpectralFusedParams::new(LossVariant::Baseline, (3, 7), pre, 1).is_err());
    }
}
