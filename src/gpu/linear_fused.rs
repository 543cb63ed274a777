//! `shaders/linear_fused.wgsl`: `steps` steps of linear Barlow Twins in the eigenbasis (or
//! truncated) solver in one dispatch of one workgroup, A (d x K) and Λ in workgroup memory:
//! A ← A − 4η (C − I) A Λ, then C = A Λ Aᵀ (docs/architecture.md §3). For shapes that fit
//! ([`LinearFusedParams::fits`]); larger ones keep the three-dispatch step.

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Access, Binding, Kernel, KernelCache, WORKGROUP};
use super::layout::{pad4, padded_len, unpack};

const SHADER: &str = include_str!("../../shaders/linear_fused.wgsl");

/// Invocations of the kernel's one workgroup (the shader's `WG`).
pub const LANES: u64 = 8;

/// vec4s of workgroup memory for A and Λ (the shader's `POOL`).
pub const POOL_VEC4: usize = 760;

/// The largest d (the shader's C is at most 32 x 32).
pub const MAX_DIM: usize = 32;

/// Loop iterations one dispatch may cost each invocation: half of the 65,535 after which Mesa
/// 22.3's lavapipe silently stops an invocation (the shader's header gives the costs).
pub const STEP_BUDGET: u64 = 32_768;

/// The most steps one dispatch runs, whatever the budget allows (a long dispatch delays
/// everything else queued on the device).
pub const MAX_STEPS_PER_DISPATCH: u32 = 1024;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LinearFusedParams {
    /// Rows of A and C.
    pub d: u32,
    /// pad4(d): C's row length in storage.
    pub d4: u32,
    /// vec4s per row of A and of Λ.
    pub k4: u32,
    /// Steps one dispatch runs (0 forms C only).
    pub steps: u32,
    /// 4η.
    pub scale: f32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
}

/// Loop iterations per invocation: (a step, loading + the first C + writing back).
fn costs(d: usize, k: usize) -> (u64, u64) {
    let k4 = (pad4(k) / 4) as u64;
    let d = d as u64;
    let wg = LANES;
    let na = (d * k4).div_ceil(wg);
    let nc = (d * (d + 1) / 2).div_ceil(wg);
    let step = na * (d + 2) + nc * (k4 + 1) + 3;
    let fixed = ((d + 1) * k4).div_ceil(wg) + nc * (k4 + 1) + (pad4(d as usize) as u64).pow(2) / wg;
    (step, fixed + na + 8)
}

impl LinearFusedParams {
    /// Whether a d x K A fits the kernel: 1 ≤ d ≤ [`MAX_DIM`], K ≥ 1, and A and Λ within
    /// [`POOL_VEC4`] vec4s of workgroup memory.
    pub fn fits(d: usize, k: usize) -> bool {
        (1..=MAX_DIM).contains(&d) && k >= 1 && (d + 1) * (pad4(k) / 4) <= POOL_VEC4
    }

    /// The most steps one dispatch may run at this shape: what [`STEP_BUDGET`] allows, at
    /// most [`MAX_STEPS_PER_DISPATCH`] (0 if the shape does not fit).
    pub fn max_steps(d: usize, k: usize) -> u32 {
        if !Self::fits(d, k) {
            return 0;
        }
        let (step, fixed) = costs(d, k);
        let steps = STEP_BUDGET.saturating_sub(fixed) / step;
        steps.min(u64::from(MAX_STEPS_PER_DISPATCH)) as u32
    }

    /// Parameters for `steps` steps of a d x K A at learning rate `lr`; fails with
    /// [`GpuError::Shape`] if the shape does not fit or `steps` exceeds [`Self::max_steps`].
    pub fn new(d: usize, k: usize, lr: f32, steps: u32) -> Result<Self, GpuError> {
        if !Self::fits(d, k) {
            return Err(GpuError::Shape(format!(
                "fused step of a {d} x {k} A: needs 1 ≤ d ≤ {MAX_DIM} and (d + 1)·pad4(K)/4 ≤ \
                 {POOL_VEC4}"
            )));
        }
        let most = Self::max_steps(d, k);
        if steps > most {
            return Err(GpuError::Shape(format!(
                "fused step of a {d} x {k} A: {steps} steps in one dispatch, at most {most}"
            )));
        }
        Ok(Self {
            d: d as u32,
            d4: pad4(d) as u32,
            k4: (pad4(k) / 4) as u32,
            steps,
            scale: 4.0 * lr,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
        })
    }

    /// The same parameters for another step count (checked as in [`Self::new`]).
    pub fn with_steps(&self, steps: u32) -> Result<Self, GpuError> {
        let (d, k) = (self.d as usize, 4 * self.k4 as usize);
        if steps > Self::max_steps(d, k) {
            return Err(GpuError::Shape(format!(
                "fused step: {steps} steps in one dispatch, at most {}",
                Self::max_steps(d, k)
            )));
        }
        Ok(Self { steps, ..*self })
    }
}

/// The compiled pipeline.
pub struct LinearFusedKernel(Kernel);

impl LinearFusedKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self::cached(device, None)
    }

    /// The kernel from `cache` where given (compiled into it the first time).
    pub fn cached(device: &wgpu::Device, cache: Option<&KernelCache>) -> Self {
        Self(KernelCache::make_in(cache, "linear fused step", || {
            Self::compile(device)
        }))
    }

    fn compile(device: &wgpu::Device) -> Kernel {
        let access = [Access::Read, Access::ReadWrite, Access::ReadWrite];
        Kernel::with_storage_params(device, "linear fused step", (SHADER, "main"), &access)
    }

    /// Binds `params.steps` steps over padded `lambda` (1 x K), `a` (d x K) and `c` (d x d),
    /// one workgroup; `a` and `c` are updated in place.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: LinearFusedParams,
        (lambda, a, c): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.0.bind_all(
            device,
            "linear fused step",
            &params,
            &[lambda, a, c],
            WORKGROUP,
        )
    }
}

/// Runs `steps` steps from A(0) = `a` (d x K row-major) with eigenvalues `values` (K) in one
/// dispatch and reads A and C = A Λ Aᵀ back, unpadded (tests).
pub async fn linear_fused_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (d, k, lr): (usize, usize, f32),
    steps: u32,
    values: &[f32],
    a: &[f32],
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    if values.len() != k || a.len() != d * k {
        return Err(GpuError::Shape(format!(
            "fused step with d = {d}, K = {k}: operands have wrong lengths"
        )));
    }
    let params = LinearFusedParams::new(d, k, lr, steps)?;
    let read = kernel::run_reading(device, queue, || {
        let lambda = matrix_storage(device, "fused Λ", (1, k), values)?;
        let a = matrix_storage(device, "fused A", (d, k), a)?;
        let c = matrix_storage(device, "fused C", (d, d), &vec![0.0; d * d])?;
        let binding = LinearFusedKernel::new(device).bind(device, params, (&lambda, &a, &c))?;
        let outputs = vec![(a, padded_len(d, k)), (c, padded_len(d, d))];
        Ok((vec![binding], outputs))
    })
    .await?;
    Ok((unpack(d, k, &read[0]), unpack(d, d, &read[1])))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<LinearFusedParams>(SHADER, "Params", 8);
    }

    #[test]
    fn budget_and_fit() {
        // fig1 truncated and App. G small (the shader's header)
        assert_eq!(LinearFusedParams::max_steps(10, 24), 220);
        assert_eq!(LinearFusedParams::max_steps(4, 108), 228);
        assert_eq!(LinearFusedParams::max_steps(32, 4 * 23), 6);
        // fig1 eigenbasis (K = 1200) does not fit; neither does d = 33
        assert!(!LinearFusedParams::fits(10, 1200));
        assert!(!LinearFusedParams::fits(MAX_DIM + 1, 4));
        assert!(LinearFusedParams::fits(1, 4 * (POOL_VEC4 / 2)));
        // the worst shape that fits still runs a step per dispatch within the budget
        let k = 4 * (POOL_VEC4 / (MAX_DIM + 1));
        assert!(LinearFusedParams::fits(MAX_DIM, k));
        let (step, fixed) = costs(MAX_DIM, k);
        assert!(LinearFusedParams::max_steps(MAX_DIM, k) >= 1);
        assert!(fixed + step * u64::from(LinearFusedParams::max_steps(MAX_DIM, k)) <= STEP_BUDGET);
        let p = LinearFusedParams::new(5, 7, 0.25, 3).unwrap();
        assert_eq!((p.d, p.d4, p.k4, p.steps, p.scale), (5, 8, 2, 3, 1.0));
        assert!(p.with_steps(MAX_STEPS_PER_DISPATCH + 1).is_err());
        assert!(LinearFusedParams::new(10, 1200, 0.1, 1).is_err());
    }
}
