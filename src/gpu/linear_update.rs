//! `shaders/linear_update.wgsl`: W ← W − 4η (C − I) P in place, one 4 x 8 tile of W per
//! invocation, on matrices in the padded layout of [`super::layout`].

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Binding, Kernel};
use super::layout::{pad4, padded_len, unpack};

const SHADER: &str = include_str!("../../shaders/linear_update.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LinearUpdateParams {
    /// Padded rows of W.
    pub d4: u32,
    /// vec4s per row of W and P.
    pub mq: u32,
    /// Tiles (two vec4s wide) per row of W.
    pub tiles_m: u32,
    /// 4η, or η for Appendix G's B.
    pub scale: f32,
    /// 1 subtracts the identity from the d x d operand (C − I), 0 uses it as it is (B).
    pub eye: f32,
    pub _pad0: u32,
    pub _pad1: u32,
    pub _pad2: u32,
}

impl LinearUpdateParams {
    /// Parameters for W (d x m) at learning rate `lr`.
    pub fn new(d: usize, m: usize, lr: f32) -> Result<Self, GpuError> {
        if d == 0 || m == 0 {
            return Err(GpuError::Shape(format!("update of an empty {d} x {m} W")));
        }
        if padded_len(d, m.max(d)) > u32::MAX as usize {
            return Err(GpuError::Shape(format!(
                "update of a {d} x {m} W exceeds u32 indexing"
            )));
        }
        let mq = (pad4(m) / 4) as u32;
        Ok(Self {
            d4: pad4(d) as u32,
            mq,
            tiles_m: mq.div_ceil(2),
            scale: 4.0 * lr,
            eye: 1.0,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
        })
    }

    /// Parameters of Appendix G's step W ← W − η B P.
    pub fn spectral(d: usize, m: usize, lr: f32) -> Result<Self, GpuError> {
        Ok(Self {
            scale: lr,
            eye: 0.0,
            ..Self::new(d, m, lr)?
        })
    }

    /// Invocations needed, one per tile.
    pub fn tiles(&self) -> u64 {
        u64::from(self.d4 / 4) * u64::from(self.tiles_m)
    }
}

/// The compiled update pipeline.
pub struct LinearUpdateKernel(Kernel);

impl LinearUpdateKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "linear update", SHADER, "main"))
    }

    /// Binds W ← W − 4η (C − I) P over padded `c` (d x d), `p` and `w` (d x m).
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: LinearUpdateParams,
        (c, p, w): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.0
            .bind(device, "linear update", &params, (c, p, w), params.tiles())
    }
}

/// Applies one update to `w` (row-major, unpadded) on the GPU and reads the new W back
/// (tests, benchmarks).
pub async fn linear_update_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (d, m, lr): (usize, usize, f32),
    c: &[f32],
    p: &[f32],
    w: &[f32],
) -> Result<Vec<f32>, GpuError> {
    linear_update_with(
        device,
        queue,
        (d, m),
        LinearUpdateParams::new(d, m, lr)?,
        c,
        p,
        w,
    )
    .await
}

/// Applies one update with any `params` (e.g. [`LinearUpdateParams::spectral`]) to `w`
/// (row-major, unpadded) and reads the new W back (tests).
pub async fn linear_update_with(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (d, m): (usize, usize),
    params: LinearUpdateParams,
    c: &[f32],
    p: &[f32],
    w: &[f32],
) -> Result<Vec<f32>, GpuError> {
    if c.len() != d * d || p.len() != d * m || w.len() != d * m {
        return Err(GpuError::Shape(format!(
            "update with d = {d}, m = {m}: operands have wrong lengths"
        )));
    }
    let padded = kernel::run_once(device, queue, padded_len(d, m), || {
        let c = matrix_storage(device, "update C", (d, d), c)?;
        let p = matrix_storage(device, "update P", (d, m), p)?;
        let w = matrix_storage(device, "update W", (d, m), w)?;
        let binding = LinearUpdateKernel::new(device).bind(device, params, (&c, &p, &w))?;
        Ok((binding, w))
    })
    .await?;
    Ok(unpack(d, m, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<LinearUpdateParams>(SHADER, "Params", 8);
    }
}
