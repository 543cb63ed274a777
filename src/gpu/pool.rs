//! `shaders/pool.wgsl`: global average pooling into the hidden representation h
//! (docs/deep.md §1), written in the padded layout the projector's matmul reads, and its
//! backward.

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};
use super::layout::pad4;

const SHADER: &str = include_str!("../../shaders/pool.wgsl");

/// The most pixels per image pooled (the loop length of one invocation).
pub const MAX_HW: usize = 16384;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct PoolParams {
    pub batch: u32,
    pub hw: u32,
    pub channels: u32,
    /// Row stride of h (pad4(channels) in the padded layout).
    pub ldh: u32,
}

impl PoolParams {
    /// Pooling `batch` images of `hw` pixels x `channels` into h with row stride
    /// pad4(channels).
    pub fn new(batch: usize, hw: usize, channels: usize) -> Result<Self, GpuError> {
        if batch == 0 || hw == 0 || channels == 0 || hw > MAX_HW {
            return Err(GpuError::Shape(format!(
                "average pool of {batch} x {hw} x {channels}: empty or more than {MAX_HW} pixels"
            )));
        }
        if batch * hw * pad4(channels) > u32::MAX as usize / 2 {
            return Err(GpuError::Shape("average pool: exceeds u32 indexing".into()));
        }
        Ok(Self {
            batch: batch as u32,
            hw: hw as u32,
            channels: channels as u32,
            ldh: pad4(channels) as u32,
        })
    }

    /// Values of the pooled input.
    pub fn input_len(&self) -> usize {
        (self.batch * self.hw * self.channels) as usize
    }
}

/// The compiled pipelines.
pub struct PoolKernel {
    forward: Kernel,
    backward: Kernel,
}

impl PoolKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            forward: Kernel::new(device, "pool", SHADER, "forward"),
            backward: Kernel::new(device, "pool backward", SHADER, "backward"),
        }
    }

    /// Binds h = mean over pixels of x.
    pub fn bind_forward(
        &self,
        device: &wgpu::Device,
        p: PoolParams,
        (x, h): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = u64::from(p.batch) * u64::from(p.channels);
        self.forward.bind(device, "pool", &p, (x, x, h), tiles)
    }

    /// Binds dx = dh / hw broadcast over the pixels.
    pub fn bind_backward(
        &self,
        device: &wgpu::Device,
        p: PoolParams,
        (dh, dx): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = p.input_len() as u64;
        self.backward
            .bind(device, "pool backward", &p, (dh, dh, dx), tiles)
    }
}

/// Pools x (`backward` false, returns batch x channels unpadded) or spreads dh (batch x
/// channels unpadded, returns dx), once (tests).
pub async fn pool_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    p: PoolParams,
    data: &[f32],
    backward: bool,
) -> Result<Vec<f32>, GpuError> {
    let (b, c, ld) = (p.batch as usize, p.channels as usize, p.ldh as usize);
    let wrong = GpuError::Shape("average pool: operand has the wrong length".into());
    let kernel = PoolKernel::new(device);
    if backward {
        if data.len() != b * c {
            return Err(wrong);
        }
        let padded = super::layout::pack(b, c, data);
        kernel::run_once(device, queue, p.input_len(), || {
            let dh = checked_storage(device, "pool dh", &padded)?;
            let dx = checked_storage(device, "pool dx", &vec![0.0; p.input_len()])?;
            Ok((kernel.bind_backward(device, p, (&dh, &dx))?, dx))
        })
        .await
    } else {
        if data.len() != p.input_len() {
            return Err(wrong);
        }
        let h = kernel::run_once(device, queue, b * ld, || {
            let x = checked_storage(device, "pool x", data)?;
            let h = checked_storage(device, "pool h", &vec![0.0; b * ld])?;
            Ok((kernel.bind_forward(device, p, (&x, &h))?, h))
        })
        .await?;
        Ok(super::layout::unpack(b, c, &h))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<PoolParams>(SHADER, "Params", 4);
    }
}
