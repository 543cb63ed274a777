//! `shaders/loss_grad.wgsl`: dL/dF of Barlow Twins, SimCLR and VICReg on the GPU, bound
//! once and encoded every training step (no readback). The CPU reference is
//! [`crate::model::ssl_loss`].

use super::context::GpuError;
use super::kernel::{self, checked_storage, matrix_storage, Binding, Kernel};
use super::layout::{pad4, padded_len, unpack};
use crate::model::ssl_loss::SslLoss;

const SHADER: &str = include_str!("../../shaders/loss_grad.wgsl");

/// Largest embedding dimension the kernels handle (their per-row arrays and d x d tiles).
pub const MAX_LOSS_D: usize = 32;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LossGradParams {
    /// Positive pairs n (N = 2n rows).
    pub n: u32,
    /// Embedding dimension d.
    pub d: u32,
    /// Row stride of F and G: pad4(d).
    pub stride: u32,
    /// SimCLR's τ (unused by the others).
    pub temperature: f32,
}

impl LossGradParams {
    pub fn new(loss: SslLoss, n: usize, d: usize) -> Result<Self, GpuError> {
        if n < 2 || d == 0 || d > MAX_LOSS_D || 2 * n * pad4(d) > u32::MAX as usize {
            return Err(GpuError::Shape(format!(
                "loss gradient for n = {n}, d = {d}: needs n ≥ 2 and 1 ≤ d ≤ {MAX_LOSS_D}"
            )));
        }
        let temperature = match loss {
            SslLoss::SimClr { temperature } => temperature as f32,
            _ => 1.0,
        };
        Ok(Self {
            n: n as u32,
            d: d as u32,
            stride: pad4(d) as u32,
            temperature,
        })
    }
}

/// dL/dF for one loss, from F to G (both pad4(2n) x pad4(d), padded layout), made once and
/// encoded any number of times.
pub struct LossGrad {
    bindings: Vec<Binding>,
    _scratch: Vec<wgpu::Buffer>,
}

impl LossGrad {
    pub fn new(
        device: &wgpu::Device,
        loss: SslLoss,
        n: usize,
        d: usize,
        f: &wgpu::Buffer,
        grad: &wgpu::Buffer,
    ) -> Result<Self, GpuError> {
        let params = LossGradParams::new(loss, n, d)?;
        let rows = (2 * n) as u64;
        let kernel =
            |entry: &'static str, name: &'static str| Kernel::new(device, name, SHADER, entry);
        match loss {
            SslLoss::BarlowTwins | SslLoss::VicReg => {
                let (entry, name) = match loss {
                    SslLoss::BarlowTwins => ("barlow", "barlow twins gradient"),
                    _ => ("vicreg", "vicreg gradient"),
                };
                // one workgroup: 64 invocations
                let b = kernel(entry, name).bind(device, name, &params, (f, f, grad), 64)?;
                Ok(Self {
                    bindings: vec![b],
                    _scratch: Vec::new(),
                })
            }
            SslLoss::SimClr { .. } => {
                let units = checked_storage(
                    device,
                    "simclr unit rows and norms",
                    &vec![0.0; 2 * n * pad4(d) + pad4(2 * n)],
                )?;
                let lse = checked_storage(device, "simclr logsumexp", &vec![0.0; pad4(2 * n)])?;
                let bindings = vec![
                    kernel("simclr_norms", "simclr norms").bind(
                        device,
                        "simclr norms",
                        &params,
                        (f, f, &units),
                        rows,
                    )?,
                    kernel("simclr_lse", "simclr logsumexp").bind(
                        device,
                        "simclr logsumexp",
                        &params,
                        (&units, &units, &lse),
                        rows,
                    )?,
                    kernel("simclr_grad", "simclr gradient").bind(
                        device,
                        "simclr gradient",
                        &params,
                        (&units, &lse, grad),
                        rows,
                    )?,
                ];
                Ok(Self {
                    bindings,
                    _scratch: vec![units, lse],
                })
            }
        }
    }

    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        for b in &self.bindings {
            b.encode(pass);
        }
    }
}

/// Uploads F (N x d row-major, unpadded), computes the gradient once and reads it back
/// unpadded (tests).
pub async fn loss_grad_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    loss: SslLoss,
    n: usize,
    d: usize,
    f: &[f32],
) -> Result<Vec<f32>, GpuError> {
    LossGradParams::new(loss, n, d)?;
    if f.len() != 2 * n * d {
        return Err(GpuError::Shape(
            "loss gradient: F has the wrong length".into(),
        ));
    }
    let padded = kernel::run_sequence(device, queue, padded_len(2 * n, d), || {
        let fb = matrix_storage(device, "loss F", (2 * n, d), f)?;
        let g = matrix_storage(device, "loss G", (2 * n, d), &vec![0.0; 2 * n * d])?;
        // bind groups keep their buffers alive until the work is done
        let lg = LossGrad::new(device, loss, n, d, &fb, &g)?;
        Ok((lg.bindings, g))
    })
    .await?;
    Ok(unpack(2 * n, d, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<LossGradParams>(SHADER, "Params", 4);
    }

    #[test]
    fn params_reject_large_d() {
        assert!(LossGradParams::new(SslLoss::BarlowTwins, 10, 33).is_err());
        assert!(LossGradParams::new(SslLoss::VicReg, 1, 3).is_err());
        assert_eq!(
            LossGradParams::new(SslLoss::BarlowTwins, 10, 5)
                .unwrap()
                .stride,
            8
        );
    }
}
