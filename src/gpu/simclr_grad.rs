//! `shaders/simclr_grad.wgsl`: dL/dF of SimCLR's NT-Xent in three dispatches (unit rows,
//! log-sum-exps, gradient rows) through two scratch buffers, never an N x N matrix. F and the
//! gradient are in the padded layout of [`super::layout`].

use super::buffers;
use super::context::GpuError;
use super::kernel::{Binding, Kernel};
use super::loss_grad::{EmbeddingParams, MAX_DIM};
use crate::model::ssl_loss::NORM_FLOOR;

const SHADER: &str = include_str!("../../shaders/simclr_grad.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SimClrParams {
    /// Views N = 2n.
    pub rows: u32,
    /// Pairs n.
    pub half: u32,
    /// Padded rows, pad4(N).
    pub rows4: u32,
    /// vec4s per padded row, pad4(d)/4.
    pub dq: u32,
    /// 1/τ.
    pub inv_tau: f32,
    /// Rows with a smaller norm get u = 0 and a zero gradient.
    pub norm_floor: f32,
    pub _pad0: u32,
    pub _pad1: u32,
}

impl SimClrParams {
    /// Parameters for the checked shape `shape` at temperature `temperature` (> 0).
    pub fn new(shape: EmbeddingParams, temperature: f64) -> Result<Self, GpuError> {
        let inv_tau = (1.0 / temperature) as f32;
        if !(temperature > 0.0 && inv_tau.is_finite() && inv_tau > 0.0) {
            return Err(GpuError::Shape(format!(
                "SimCLR temperature {temperature} is not a positive f32-representable number"
            )));
        }
        debug_assert!(shape.d as usize <= MAX_DIM);
        Ok(Self {
            rows: 2 * shape.n,
            half: shape.n,
            rows4: shape.rows4,
            dq: shape.dq,
            inv_tau,
            norm_floor: NORM_FLOOR as f32,
            _pad0: 0,
            _pad1: 0,
        })
    }

    /// f32 in the `unit` scratch buffer: U (rows4 x 4dq) then rows4 inverse norms.
    fn unit_len(&self) -> usize {
        self.rows4 as usize * (4 * self.dq as usize + 1)
    }
}

/// The three compiled pipelines.
pub struct SimClrGradKernel {
    unit: Kernel,
    lse: Kernel,
    grad: Kernel,
}

/// The three bound dispatches and the scratch buffers they share.
pub struct SimClrBindings {
    pub bindings: [Binding; 3],
    pub scratch: [wgpu::Buffer; 2],
}

impl SimClrGradKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            unit: Kernel::new(device, "simclr unit rows", SHADER, "unit_rows"),
            lse: Kernel::new(device, "simclr log-sum-exp", SHADER, "log_sum_exp"),
            grad: Kernel::new(device, "simclr gradient", SHADER, "gradient"),
        }
    }

    /// Binds `grad` ← dL/dF over padded `f` and `grad` (distinct buffers), with scratch.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: SimClrParams,
        (f, grad): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<SimClrBindings, GpuError> {
        let unit = scratch(
            device,
            "simclr unit rows and inverse norms",
            params.unit_len(),
        )?;
        let lse = scratch(device, "simclr log-sum-exps", params.rows4 as usize)?;
        let blocks = u64::from(params.rows4 / 4);
        let bindings = [
            self.unit
                .bind(device, "simclr unit rows", &params, (f, f, &unit), blocks)?,
            self.lse.bind(
                device,
                "simclr log-sum-exp",
                &params,
                (&unit, &unit, &lse),
                blocks,
            )?,
            self.grad.bind(
                device,
                "simclr gradient",
                &params,
                (&unit, &lse, grad),
                u64::from(params.rows4),
            )?,
        ];
        Ok(SimClrBindings {
            bindings,
            scratch: [unit, lse],
        })
    }
}

/// A zero-filled storage buffer of `len` f32 that only kernels write.
fn scratch(
    device: &wgpu::Device,
    label: &'static str,
    len: usize,
) -> Result<wgpu::Buffer, GpuError> {
    buffers::check_storage_size(device, label, len)?;
    Ok(device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: buffers::f32_bytes(len.max(4)),
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<SimClrParams>(SHADER, "Params", 8);
    }

    #[test]
    fn params_and_scratch_sizes() {
        let shape = EmbeddingParams::new(5, 7).unwrap();
        let p = SimClrParams::new(shape, 0.5).unwrap();
        assert_eq!(
            (p.rows, p.half, p.rows4, p.dq, p.inv_tau),
            (10, 5, 12, 2, 2.0)
        );
        assert_eq!(p.unit_len(), 12 * 8 + 12);
        for bad in [0.0, -1.0, f64::NAN, 1e-60] {
            assert!(SimClrParams::new(shape, bad).is_err(), "τ = {bad}");
        }
    }
}
