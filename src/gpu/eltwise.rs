//! `shaders/eltwise.wgsl`: the ResNet's elementwise pieces (docs/deep.md §1) on flat
//! buffers read as vec4s (their sizes rounded up to whole vec4s, as
//! [`super::kernel::zeroed_storage`] makes them): residual add and relu in place
//! (`add_relu`), and the relu's backward from its output (`relu_mask`).

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/eltwise.wgsl");

/// Relu after the add.
pub const RELU: u32 = 1;
/// Add `a` into `out`.
pub const ADD: u32 = 2;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EltwiseParams {
    pub len: u32,
    /// [`RELU`] | [`ADD`] (`add_relu` only).
    pub flags: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

impl EltwiseParams {
    pub fn new(len: usize, flags: u32) -> Result<Self, GpuError> {
        if len == 0 || len > u32::MAX as usize / 2 {
            return Err(GpuError::Shape(format!(
                "elementwise over {len} values: empty or beyond u32 indexing"
            )));
        }
        Ok(Self {
            len: len as u32,
            flags,
            _pad0: 0,
            _pad1: 0,
        })
    }
}

/// The compiled pipelines.
pub struct EltwiseKernel {
    add_relu: Kernel,
    relu_mask: Kernel,
}

impl EltwiseKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            add_relu: Kernel::new(device, "add relu", SHADER, "add_relu"),
            relu_mask: Kernel::new(device, "relu mask", SHADER, "relu_mask"),
        }
    }

    /// Binds out = relu(out + a) (per `p.flags`).
    pub fn bind_add_relu(
        &self,
        device: &wgpu::Device,
        p: EltwiseParams,
        (a, out): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = u64::from(p.len);
        self.add_relu
            .bind(device, "add relu", &p, (a, a, out), tiles)
    }

    /// Binds grad = grad ⊙ 1[act > 0].
    pub fn bind_relu_mask(
        &self,
        device: &wgpu::Device,
        len: usize,
        (act, grad): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let p = EltwiseParams::new(len, 0)?;
        let tiles = u64::from(p.len.div_ceil(4));
        self.relu_mask
            .bind(device, "relu mask", &p, (act, act, grad), tiles)
    }
}

/// relu(out + a) per `flags` (`mask` false) or out ⊙ 1[a > 0] (`mask` true), once, with
/// the buffers padded to whole vec4s; returns the padded result (tests: the padding must
/// come back unchanged).
pub async fn eltwise_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (flags, mask): (u32, bool),
    a: &[f32],
    out: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let len = out.len();
    if a.len() != len {
        return Err(GpuError::Shape(
            "elementwise: operands have wrong lengths".into(),
        ));
    }
    let p = EltwiseParams::new(len, flags)?;
    // whole vec4s, the padding lanes set to values the kernel must leave alone
    let padded = |v: &[f32]| {
        let mut v = v.to_vec();
        v.resize(len.next_multiple_of(4), 7.0);
        v
    };
    let (a, out) = (padded(a), padded(out));
    kernel::run_once(device, queue, len.next_multiple_of(4), || {
        let kernel = EltwiseKernel::new(device);
        let a = checked_storage(device, "eltwise a", &a)?;
        let out = checked_storage(device, "eltwise out", &out)?;
        let binding = if mask {
            kernel.bind_relu_mask(device, len, (&a, &out))?
        } else {
            kernel.bind_add_relu(device, p, (&a, &out))?
        };
        Ok((binding, out))
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<EltwiseParams>(SHADER, "Params", 4);
    }
}
