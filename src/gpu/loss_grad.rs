//! dL/dF of the SSL losses ([`SslLoss`]) on the GPU, F and the gradient in the padded layout of
//! [`super::layout`]: the one entry point over [`super::barlow_grad`], [`super::vicreg_grad`]
//! and [`super::simclr_grad`]. Loss values stay on the CPU ([`crate::model::ssl_loss`]).

use super::barlow_grad::BarlowGradKernel;
use super::buffers::{self, LostFlag, Scopes};
use super::context::GpuError;
use super::kernel::{matrix_storage, Binding};
use super::layout::{pad4, padded_len, unpack};
use super::simclr_grad::{SimClrGradKernel, SimClrParams};
use super::vicreg_grad::VicRegGradKernel;
use crate::model::ssl_loss::SslLoss;

/// The largest embedding dimension d the kernels handle (workgroup arrays are sized for it).
pub const MAX_DIM: usize = 32;

/// The most pairs n the kernels handle. Mesa 22.3's lavapipe silently stops a shader
/// invocation after 65535 loop iterations counted over all its loops (the output is then
/// partly unwritten, with no error); the kernels loop at most about 5.3 n (Barlow Twins,
/// VICReg, whose statistics take one workgroup) or 4n (SimCLR) times per invocation.
pub const MAX_PAIRS: usize = 8192;

/// The `Params` of `barlow_grad.wgsl` and `vicreg_grad.wgsl`, field by field: the shape of F.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct EmbeddingParams {
    /// Pairs n (F has 2n rows).
    pub n: u32,
    /// Embedding dimension d.
    pub d: u32,
    /// vec4s per padded row, pad4(d)/4.
    pub dq: u32,
    /// Padded rows, pad4(2n).
    pub rows4: u32,
}

impl EmbeddingParams {
    /// The shape of a 2n x d F, or an error if n is not in 1..=[`MAX_PAIRS`] or d is not in
    /// 1..=[`MAX_DIM`].
    pub fn new(n: usize, d: usize) -> Result<Self, GpuError> {
        let bad = |why: String| {
            Err(GpuError::Shape(format!(
                "SSL loss on 2n x d, n = {n}, d = {d}: {why}"
            )))
        };
        if n == 0 || n > MAX_PAIRS {
            return bad(format!("n must be between 1 and {MAX_PAIRS}"));
        }
        if d == 0 || d > MAX_DIM {
            return bad(format!("d must be between 1 and {MAX_DIM}"));
        }
        let rows = pad4(2 * n);
        Ok(Self {
            n: n as u32,
            d: d as u32,
            dq: (pad4(d) / 4) as u32,
            rows4: rows as u32,
        })
    }

    /// f32 in the padded layout of F (and of the gradient).
    pub fn padded_len(&self) -> usize {
        self.rows4 as usize * 4 * self.dq as usize
    }
}

/// dL/dF for `loss`, from F to `grad`, both in the padded layout (pad4(2n) x pad4(d) f32, see
/// layout.rs), made once, encoded any number of times (every training step) into a compute
/// pass; no readback. F's padding must be zero; the gradient's padding is written as zeros.
pub struct LossGrad {
    bindings: Vec<Binding>,
    _scratch: Vec<wgpu::Buffer>,
}

impl LossGrad {
    /// Bytes of each scratch buffer it holds.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        self._scratch.iter().map(wgpu::Buffer::size).collect()
    }

    /// Compiles and binds the kernels of `loss` for a 2n x d F. Fails with
    /// [`GpuError::Shape`] on a bad shape (d > 32, n = 0 or n > 8192, VICReg with n < 2), a bad
    /// temperature, or buffers too small for the padded layout; `f` and `grad` must differ.
    pub fn new(
        device: &wgpu::Device,
        loss: SslLoss,
        n: usize,
        d: usize,
        f: &wgpu::Buffer,
        grad: &wgpu::Buffer,
    ) -> Result<Self, GpuError> {
        let shape = EmbeddingParams::new(n, d)?;
        if f == grad {
            return Err(GpuError::Shape(
                "SSL loss: F and its gradient must be different buffers".into(),
            ));
        }
        let bytes = buffers::f32_bytes(shape.padded_len());
        if f.size() < bytes || grad.size() < bytes {
            return Err(GpuError::Shape(format!(
                "SSL loss on {} x {d}: F and its gradient need {bytes} bytes each, got {} and {}",
                2 * n,
                f.size(),
                grad.size()
            )));
        }
        let bufs = (f, grad);
        Ok(match loss {
            SslLoss::BarlowTwins => {
                Self::single(BarlowGradKernel::new(device).bind(device, shape, bufs)?)
            }
            SslLoss::VicReg => {
                Self::single(VicRegGradKernel::new(device).bind(device, shape, bufs)?)
            }
            SslLoss::SimClr { temperature } => {
                let params = SimClrParams::new(shape, temperature)?;
                let bound = SimClrGradKernel::new(device).bind(device, params, bufs)?;
                Self {
                    bindings: bound.bindings.into(),
                    _scratch: bound.scratch.into(),
                }
            }
            SslLoss::Spectral { .. } => {
                return Err(GpuError::Unsupported(
                    "Appendix G's loss variants train the MLP on the CPU backend".into(),
                ))
            }
        })
    }

    fn single(binding: Binding) -> Self {
        Self {
            bindings: vec![binding],
            _scratch: Vec::new(),
        }
    }

    /// The number of dispatches [`Self::encode`] records.
    pub fn dispatches(&self) -> usize {
        self.bindings.len()
    }

    /// The gradient's dispatches, in encoding order (profiles).
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Records the gradient's dispatches (one, or three for SimCLR) into `pass`.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        for binding in &self.bindings {
            binding.encode(pass);
        }
    }
}

/// Uploads F (N x d row-major, unpadded), computes the gradient once, reads it back unpadded
/// (tests).
pub async fn loss_grad_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    loss: SslLoss,
    n: usize,
    d: usize,
    f: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let rows = 2 * n;
    if f.len() != rows * d {
        return Err(GpuError::Shape(format!(
            "SSL loss: F has {} values, not 2n x d = {rows} x {d}",
            f.len()
        )));
    }
    EmbeddingParams::new(n, d)?;
    let scopes = Scopes::push(device);
    let f_buf = matrix_storage(device, "loss F", (rows, d), f)?;
    let grad = matrix_storage(device, "loss dL/dF", (rows, d), &vec![0.0; rows * d])?;
    let loss_grad = LossGrad::new(device, loss, n, d, &f_buf, &grad)?;
    let len = padded_len(rows, d);
    let staging = buffers::staging_buffer(device, "loss dL/dF staging", len);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("loss gradient encoder"),
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("loss gradient pass"),
            timestamp_writes: None,
        });
        loss_grad.encode(&mut pass);
    }
    let lost = LostFlag::default();
    let padded =
        buffers::submit_and_read(device, queue, encoder, (&grad, &staging), scopes, &lost).await?;
    Ok(unpack(rows, d, &padded[..len.min(padded.len())]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked() {
        let p = EmbeddingParams::new(5, 7).unwrap();
        assert_eq!((p.n, p.d, p.dq, p.rows4), (5, 7, 2, 12));
        assert_eq!(p.padded_len(), 96);
        assert!(EmbeddingParams::new(0, 3).is_err());
        assert!(EmbeddingParams::new(3, 0).is_err());
        assert!(EmbeddingParams::new(3, 33).is_err());
        assert!(EmbeddingParams::new(MAX_PAIRS + 1, 3).is_err());
        assert!(EmbeddingParams::new(usize::MAX, 3).is_err());
        assert!(EmbeddingParams::new(MAX_PAIRS, MAX_DIM).is_ok());
    }
}
