//! `shaders/momentum_sgd.wgsl`: SGD with momentum and weight decay over the flat parameter
//! buffer (docs/deep.md §2, PyTorch's rule v = μ v + (g + wd·w), w = w − η v), with η read
//! from a small buffer the host rewrites per step.

use super::buffers;
use super::context::GpuError;
use super::kernel::{self, checked_storage, Access, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/momentum_sgd.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MomentumSgdParams {
    pub len: u32,
    pub momentum: f32,
    pub weight_decay: f32,
    pub _pad0: u32,
}

impl MomentumSgdParams {
    pub fn new(len: usize, momentum: f32, weight_decay: f32) -> Result<Self, GpuError> {
        if len == 0 || len > u32::MAX as usize / 2 {
            return Err(GpuError::Shape(format!(
                "sgd over {len} parameters: empty or beyond u32 indexing"
            )));
        }
        Ok(Self {
            len: len as u32,
            momentum,
            weight_decay,
            _pad0: 0,
        })
    }
}

/// The compiled pipeline.
pub struct MomentumSgdKernel(Kernel);

impl MomentumSgdKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        let access = [
            Access::Read,
            Access::Read,
            Access::ReadWrite,
            Access::ReadWrite,
        ];
        Self(Kernel::with_bindings(
            device,
            "momentum sgd",
            (SHADER, "step"),
            &access,
        ))
    }

    /// Binds one step: `hyper[0]` = η, then velocity and weights updated in place.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        p: MomentumSgdParams,
        (grad, hyper): (&wgpu::Buffer, &wgpu::Buffer),
        (velocity, weights): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let bufs = [grad, hyper, velocity, weights];
        self.0
            .bind_all(device, "momentum sgd", &p, &bufs, u64::from(p.len))
    }
}

/// `steps` steps with the same gradient at learning rate `lr`; returns (w, v) (tests).
pub async fn momentum_sgd_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (lr, momentum, weight_decay): (f32, f32, f32),
    (w, g, v): (&[f32], &[f32], &[f32]),
    steps: usize,
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    let len = w.len();
    if g.len() != len || v.len() != len {
        return Err(GpuError::Shape("sgd: operands have wrong lengths".into()));
    }
    let p = MomentumSgdParams::new(len, momentum, weight_decay)?;
    let mut out = kernel::run_reading(device, queue, || {
        let kernel = MomentumSgdKernel::new(device);
        let g = checked_storage(device, "sgd grad", g)?;
        let hyper = buffers::storage_buffer(device, "sgd lr", &[lr]);
        let v = checked_storage(device, "sgd velocity", v)?;
        let w = checked_storage(device, "sgd weights", w)?;
        let bindings = (0..steps)
            .map(|_| kernel.bind(device, p, (&g, &hyper), (&v, &w)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((bindings, vec![(w, len), (v, len)]))
    })
    .await?;
    let v = out.pop().unwrap_or_default();
    let w = out.pop().unwrap_or_default();
    Ok((w, v))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<MomentumSgdParams>(SHADER, "Params", 4);
    }
}
