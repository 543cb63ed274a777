//! `shaders/sgd.wgsl`: the elementwise steps of gradient descent with optional momentum,
//! v ← μ v + g and w ← w − η v, over whole padded buffers.

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/sgd.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SgdParams {
    /// vec4s in each buffer.
    pub len: u32,
    /// μ for `accumulate`, η for `descend`.
    pub coef: f32,
    pub _pad0: u32,
    pub _pad1: u32,
}

impl SgdParams {
    /// For buffers of `floats` f32 (a multiple of 4, as every padded matrix is).
    pub fn new(floats: usize, coef: f32) -> Result<Self, GpuError> {
        if floats == 0 || !floats.is_multiple_of(4) || floats / 4 > u32::MAX as usize {
            return Err(GpuError::Shape(format!(
                "sgd over {floats} floats: not a positive multiple of 4 within u32"
            )));
        }
        Ok(Self {
            len: (floats / 4) as u32,
            coef,
            _pad0: 0,
            _pad1: 0,
        })
    }
}

/// The compiled pipelines.
pub struct SgdKernel {
    accumulate: Kernel,
    descend: Kernel,
}

impl SgdKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            accumulate: Kernel::new(device, "sgd accumulate", SHADER, "accumulate"),
            descend: Kernel::new(device, "sgd descend", SHADER, "descend"),
        }
    }

    /// Binds v ← μ v + g (`params.coef` = μ).
    pub fn bind_accumulate(
        &self,
        device: &wgpu::Device,
        label: &str,
        params: SgdParams,
        (grad, velocity): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = u64::from(params.len);
        self.accumulate
            .bind(device, label, &params, (grad, grad, velocity), tiles)
    }

    /// Binds w ← w − η g (`params.coef` = η).
    pub fn bind_descend(
        &self,
        device: &wgpu::Device,
        label: &str,
        params: SgdParams,
        (grad, weights): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = u64::from(params.len);
        self.descend
            .bind(device, label, &params, (grad, grad, weights), tiles)
    }
}

/// One momentum step (`momentum` = None: plain w − η g) on flat buffers; returns (w, v).
pub async fn sgd_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (lr, momentum): (f32, Option<f32>),
    (w, g, v): (&[f32], &[f32], &[f32]),
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    let len = w.len();
    if g.len() != len || v.len() != len {
        return Err(GpuError::Shape("sgd: operands have wrong lengths".into()));
    }
    let kernel = SgdKernel::new(device);
    let velocity = match momentum {
        None => v.to_vec(),
        Some(mu) => {
            kernel::run_once(device, queue, len, || {
                let g = checked_storage(device, "sgd grad", g)?;
                let v = checked_storage(device, "sgd velocity", v)?;
                let params = SgdParams::new(len, mu)?;
                Ok((kernel.bind_accumulate(device, "sgd", params, (&g, &v))?, v))
            })
            .await?
        }
    };
    let step = if momentum.is_some() { &velocity[..] } else { g };
    let weights = kernel::run_once(device, queue, len, || {
        let g = checked_storage(device, "sgd step", step)?;
        let w = checked_storage(device, "sgd weights", w)?;
        let params = SgdParams::new(len, lr)?;
        Ok((kernel.bind_descend(device, "sgd", params, (&g, &w))?, w))
    })
    .await?;
    Ok((weights, velocity))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<SgdParams>(SHADER, "Params", 4);
    }

    #[test]
    fn params_reject_ragged_lengths() {
        assert!(SgdParams::new(6, 0.1).is_err());
        assert!(SgdParams::new(0, 0.1).is_err());
        assert_eq!(SgdParams::new(12, 0.1).unwrap().len, 3);
    }
}
