//! `shaders/linear_update.wgsl`: W ← W − 4η (C − I) P in place, one 4 x 4 tile of W per
//! invocation.

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/linear_update.wgsl");
/// Tile edge (the shader's 4 x 4 register tile).
const TILE: u32 = 4;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LinearUpdateParams {
    pub d: u32,
    pub m: u32,
    pub tiles_m: u32,
    /// 4η.
    pub scale: f32,
}

impl LinearUpdateParams {
    /// Parameters for W (d x m) at learning rate `lr`.
    pub fn new(d: usize, m: usize, lr: f32) -> Result<Self, GpuError> {
        let too_big = || GpuError::Shape(format!("update of a {d} x {m} W exceeds u32 indexing"));
        let d = u32::try_from(d).map_err(|_| too_big())?;
        let m = u32::try_from(m).map_err(|_| too_big())?;
        if d == 0 || m == 0 {
            return Err(GpuError::Shape(format!("update of an empty {d} x {m} W")));
        }
        Ok(Self {
            d,
            m,
            tiles_m: m.div_ceil(TILE),
            scale: 4.0 * lr,
        })
    }

    fn tiles(&self) -> u64 {
        u64::from(self.d.div_ceil(TILE)) * u64::from(self.tiles_m)
    }
}

/// The compiled update pipeline.
pub struct LinearUpdateKernel(Kernel);

impl LinearUpdateKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "linear update", SHADER))
    }

    /// Binds W ← W − 4η (C − I) P over `c` (d x d), `p` and `w` (d x m).
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

/// Applies one update to `w` on the GPU and reads the new W back (tests, benchmarks).
pub async fn linear_update_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (d, m, lr): (usize, usize, f32),
    c: &[f32],
    p: &[f32],
    w: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let params = LinearUpdateParams::new(d, m, lr)?;
    if c.len() != d * d || p.len() != d * m || w.len() != d * m {
        return Err(GpuError::Shape(format!(
            "update with d = {d}, m = {m}: operands have wrong lengths"
        )));
    }
    kernel::run_once(device, queue, d * m, || {
        let c = checked_storage(device, "update C", c)?;
        let p = checked_storage(device, "update P", p)?;
        let w = checked_storage(device, "update W", w)?;
        let binding = LinearUpdateKernel::new(device).bind(device, params, (&c, &p, &w))?;
        Ok((binding, w))
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<LinearUpdateParams>(SHADER, "Params", 4);
    }
}
