//! `shaders/relu.wgsl`: the hidden layer's relu (in place) and its derivative with the
//! constant bias unit's error zeroed, one vec4 per invocation, in the padded layout.

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Binding, Kernel};
use super::layout::{padded_len, unpack, vec4_grid};

const SHADER: &str = include_str!("../../shaders/relu.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ReluParams {
    /// Padded rows.
    pub rows4: u32,
    /// vec4s per row.
    pub cq: u32,
    /// The column whose error `backward` zeroes (the bias unit).
    pub frozen: u32,
    pub _pad0: u32,
}

impl ReluParams {
    /// For a `rows` x `cols` matrix whose last column is the bias unit.
    pub fn new(rows: usize, cols: usize) -> Result<Self, GpuError> {
        let (rows4, cq) = vec4_grid("relu", rows, cols)?;
        Ok(Self {
            rows4,
            cq,
            frozen: (cols - 1) as u32,
            _pad0: 0,
        })
    }

    /// Invocations needed, one per vec4.
    pub fn tiles(&self) -> u64 {
        u64::from(self.rows4) * u64::from(self.cq)
    }
}

/// The compiled pipelines.
pub struct ReluKernel {
    forward: Kernel,
    backward: Kernel,
}

impl ReluKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            forward: Kernel::new(device, "relu forward", SHADER, "forward"),
            backward: Kernel::new(device, "relu backward", SHADER, "backward"),
        }
    }

    /// Binds H = relu(H) in place; `dummy` fills the unused read-only slots.
    pub fn bind_forward(
        &self,
        device: &wgpu::Device,
        params: ReluParams,
        (hidden, dummy): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let bufs = (dummy, dummy, hidden);
        self.forward
            .bind(device, "relu forward", &params, bufs, params.tiles())
    }

    /// Binds Δ = Δ ⊙ 1[H > 0] in place, with the bias unit's column zeroed.
    pub fn bind_backward(
        &self,
        device: &wgpu::Device,
        params: ReluParams,
        (hidden, delta, dummy): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let bufs = (hidden, dummy, delta);
        self.backward
            .bind(device, "relu backward", &params, bufs, params.tiles())
    }
}

/// relu(Z) (`delta` = None) or Δ ⊙ 1[Z > 0] with the last column zeroed, once, row-major
/// and unpadded (tests).
pub async fn relu_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (rows, cols): (usize, usize),
    z: &[f32],
    delta: Option<&[f32]>,
) -> Result<Vec<f32>, GpuError> {
    let params = ReluParams::new(rows, cols)?;
    if z.len() != rows * cols || delta.is_some_and(|d| d.len() != rows * cols) {
        return Err(GpuError::Shape("relu: operands have wrong lengths".into()));
    }
    let padded = kernel::run_once(device, queue, padded_len(rows, cols), || {
        let kernel = ReluKernel::new(device);
        let dummy = matrix_storage(device, "relu dummy", (1, 1), &[0.0])?;
        let z = matrix_storage(device, "relu Z", (rows, cols), z)?;
        match delta {
            None => Ok((kernel.bind_forward(device, params, (&z, &dummy))?, z)),
            Some(delta) => {
                let delta = matrix_storage(device, "relu delta", (rows, cols), delta)?;
                let binding = kernel.bind_backward(device, params, (&z, &delta, &dummy))?;
                Ok((binding, delta))
            }
        }
    })
    .await?;
    Ok(unpack(rows, cols, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<ReluParams>(SHADER, "Params", 4);
    }
}
