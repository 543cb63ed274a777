//! `shaders/batchnorm.wgsl`: batch normalization of the trunk (docs/deep.md §1) with batch
//! statistics per channel, forward (statistics, then normalize with an optional residual add
//! and relu) and backward (per-channel sums, then dx), γ/β and dγ/dβ in the flat buffers;
//! with channel counts that are multiples of 4 the elementwise passes read vec4s
//! (`shaders/batchnorm_vec4.wgsl`).

use super::context::GpuError;
use super::kernel::{self, checked_storage, Access, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/batchnorm.wgsl");
const VEC4: &str = include_str!("../../shaders/batchnorm_vec4.wgsl");

/// The most pixels (N·H·W) one normalization handles: a finishing invocation loops
/// ⌈P/256⌉ times, far below lavapipe's ~65k loop iterations.
pub const MAX_PIXELS: usize = 1 << 22;
/// Pixels per chunk of the reductions (`CHUNK` in the shader).
pub const CHUNK: usize = 256;
/// Relu after normalizing.
pub const RELU: u32 = 1;
/// Add the residual (`aux`) before the relu.
pub const RESIDUAL: u32 = 2;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct BnParams {
    pub pixels: u32,
    pub channels: u32,
    pub gamma_off: u32,
    pub beta_off: u32,
    pub gamma_goff: u32,
    pub beta_goff: u32,
    /// [`RELU`] | [`RESIDUAL`].
    pub flags: u32,
    pub eps: f32,
}

impl BnParams {
    /// Normalization of `pixels` x `channels` with γ, β at `(gamma_off, beta_off)` in the
    /// parameter buffer and dγ, dβ at `(gamma_goff, beta_goff)` in the gradient buffer.
    pub fn new(
        (pixels, channels): (usize, usize),
        (gamma_off, beta_off): (usize, usize),
        (gamma_goff, beta_goff): (usize, usize),
        flags: u32,
        eps: f32,
    ) -> Result<Self, GpuError> {
        if pixels == 0 || channels == 0 || pixels > MAX_PIXELS {
            return Err(GpuError::Shape(format!(
                "batchnorm over {pixels} pixels x {channels} channels: pixels must be in \
                 1..={MAX_PIXELS}, channels positive"
            )));
        }
        let top = [gamma_off, beta_off, gamma_goff, beta_goff]
            .into_iter()
            .max()
            .unwrap_or(0)
            + channels;
        if (pixels * channels).max(top) > u32::MAX as usize / 2 {
            return Err(GpuError::Shape("batchnorm: exceeds u32 indexing".into()));
        }
        let u = |v: usize| v as u32;
        Ok(Self {
            pixels: u(pixels),
            channels: u(channels),
            gamma_off: u(gamma_off),
            beta_off: u(beta_off),
            gamma_goff: u(gamma_goff),
            beta_goff: u(beta_goff),
            flags,
            eps,
        })
    }

    /// Values in the activation.
    pub fn values(&self) -> usize {
        self.pixels as usize * self.channels as usize
    }

    /// Floats of the statistics buffer: mean, invstd, Σdy, Σdy·x̂ per channel, then two
    /// partial sums per (chunk, channel).
    pub fn stats_len(&self) -> usize {
        stats_len(self.pixels as usize, self.channels as usize)
    }

    /// Whether the elementwise passes read vec4s (channels a multiple of 4).
    pub fn vec4(&self) -> bool {
        self.channels.is_multiple_of(4)
    }

    /// Invocations of an elementwise pass.
    fn elementwise(&self) -> u64 {
        let width = if self.vec4() { 4 } else { 1 };
        self.values() as u64 / width
    }

    fn per_chunk(&self) -> u64 {
        (self.pixels as usize).div_ceil(CHUNK) as u64 * u64::from(self.channels)
    }
}

/// Floats of the statistics buffer of a normalization over `pixels` x `channels`.
pub fn stats_len(pixels: usize, channels: usize) -> usize {
    4 * channels + 2 * pixels.div_ceil(CHUNK) * channels
}

/// The compiled pipelines (all over the same seven bindings).
pub struct BnKernel {
    chunk_mean: Kernel,
    finish_mean: Kernel,
    chunk_var: Kernel,
    finish_var: Kernel,
    normalize: Kernel,
    chunk_grad: Kernel,
    finish_grad: Kernel,
    backward_input: Kernel,
    normalize4: Kernel,
    backward_input4: Kernel,
}

const ACCESS: [Access; 6] = [
    Access::Read,
    Access::Read,
    Access::Read,
    Access::Read,
    Access::ReadWrite,
    Access::ReadWrite,
];

/// The buffers of one normalization: its input x, the parameters, the statistics scratch
/// ([`BnParams::stats_len`] floats) and a dummy for unused slots.
#[derive(Clone, Copy)]
pub struct BnBuffers<'a> {
    pub x: &'a wgpu::Buffer,
    pub weights: &'a wgpu::Buffer,
    pub stats: &'a wgpu::Buffer,
    pub dummy: &'a wgpu::Buffer,
}

impl BnKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        let k = |name, entry| Kernel::with_bindings(device, name, (SHADER, entry), &ACCESS);
        Self {
            chunk_mean: k("bn mean", "chunk_mean"),
            finish_mean: k("bn mean finish", "finish_mean"),
            chunk_var: k("bn variance", "chunk_var"),
            finish_var: k("bn variance finish", "finish_var"),
            normalize: k("bn normalize", "normalize"),
            chunk_grad: k("bn grad sums", "chunk_grad"),
            finish_grad: k("bn grad sums finish", "finish_grad"),
            backward_input: k("bn dX", "backward_input"),
            normalize4: Kernel::with_bindings(
                device,
                "bn normalize (vec4)",
                (VEC4, "normalize"),
                &ACCESS,
            ),
            backward_input4: Kernel::with_bindings(
                device,
                "bn dX (vec4)",
                (VEC4, "backward_input"),
                &ACCESS,
            ),
        }
    }

    /// Binds the statistics (four dispatches), then y = γ x̂ + β (+ `residual`) (relu).
    pub fn bind_forward(
        &self,
        device: &wgpu::Device,
        p: BnParams,
        b: BnBuffers<'_>,
        (residual, y): (Option<&wgpu::Buffer>, &wgpu::Buffer),
    ) -> Result<[Binding; 5], GpuError> {
        let flags = p.flags & RELU | if residual.is_some() { RESIDUAL } else { 0 };
        let p = BnParams { flags, ..p };
        let aux = residual.unwrap_or(b.dummy);
        // y sits in the unused writable slot: a read-only dummy there would clash
        let stats = [b.x, b.dummy, b.weights, b.dummy, b.stats, y];
        let normalize = [b.x, b.dummy, b.weights, aux, b.stats, y];
        let channels = u64::from(p.channels);
        Ok([
            self.chunk_mean
                .bind_all(device, "bn mean", &p, &stats, p.per_chunk())?,
            self.finish_mean
                .bind_all(device, "bn mean", &p, &stats, channels)?,
            self.chunk_var
                .bind_all(device, "bn variance", &p, &stats, p.per_chunk())?,
            self.finish_var
                .bind_all(device, "bn variance", &p, &stats, channels)?,
            if p.vec4() {
                &self.normalize4
            } else {
                &self.normalize
            }
            .bind_all(device, "bn normalize", &p, &normalize, p.elementwise())?,
        ])
    }

    /// Binds dγ, dβ (into `grad`, two dispatches) and dx from dy; the forward statistics
    /// must still be in `b.stats`.
    pub fn bind_backward(
        &self,
        device: &wgpu::Device,
        p: BnParams,
        b: BnBuffers<'_>,
        (dy, grad, dx): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<[Binding; 3], GpuError> {
        let sums = [b.x, dy, b.weights, b.dummy, b.stats, grad];
        let input = [b.x, dy, b.weights, b.dummy, b.stats, dx];
        let channels = u64::from(p.channels);
        Ok([
            self.chunk_grad
                .bind_all(device, "bn grad sums", &p, &sums, p.per_chunk())?,
            self.finish_grad
                .bind_all(device, "bn grad sums", &p, &sums, channels)?,
            if p.vec4() {
                &self.backward_input4
            } else {
                &self.backward_input
            }
            .bind_all(device, "bn dX", &p, &input, p.elementwise())?,
        ])
    }
}

/// Runs the forward pass once (γ, β unpadded `channels` each; `residual` optional) and
/// reads back (y, mean, invstd) (tests).
pub async fn batchnorm_forward_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    p: BnParams,
    (x, gamma, beta): (&[f32], &[f32], &[f32]),
    residual: Option<&[f32]>,
) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>), GpuError> {
    let c = p.channels as usize;
    let p = BnParams {
        gamma_off: 0,
        beta_off: c as u32,
        ..p
    };
    if x.len() != p.values() || gamma.len() != c || beta.len() != c {
        return Err(GpuError::Shape(
            "batchnorm: operands have wrong lengths".into(),
        ));
    }
    let weights: Vec<f32> = gamma.iter().chain(beta).copied().collect();
    let len = p.values();
    let mut out = kernel::run_reading(device, queue, || {
        let kernel = BnKernel::new(device);
        let x = checked_storage(device, "bn x", x)?;
        let weights = checked_storage(device, "bn weights", &weights)?;
        let stats = checked_storage(device, "bn stats", &vec![0.0; p.stats_len()])?;
        let dummy = checked_storage(device, "bn dummy", &[0.0; 4])?;
        let residual = residual
            .map(|r| checked_storage(device, "bn residual", r))
            .transpose()?;
        let y = checked_storage(device, "bn y", &vec![0.0; len])?;
        let b = BnBuffers {
            x: &x,
            weights: &weights,
            stats: &stats,
            dummy: &dummy,
        };
        let bindings = kernel.bind_forward(device, p, b, (residual.as_ref(), &y))?;
        Ok((bindings.into(), vec![(y, len), (stats, 2 * c)]))
    })
    .await?;
    let stats = out.pop().unwrap_or_default();
    let y = out.pop().unwrap_or_default();
    Ok((y, stats[..c].to_vec(), stats[c..].to_vec()))
}

/// Runs the backward pass once from the forward statistics (recomputed on the GPU) and
/// reads back (dx, dγ, dβ) (tests).
pub async fn batchnorm_backward_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    p: BnParams,
    (x, gamma, dy): (&[f32], &[f32], &[f32]),
) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>), GpuError> {
    let c = p.channels as usize;
    let p = BnParams {
        gamma_off: 0,
        beta_off: c as u32,
        gamma_goff: 0,
        beta_goff: c as u32,
        flags: 0,
        ..p
    };
    if x.len() != p.values() || gamma.len() != c || dy.len() != p.values() {
        return Err(GpuError::Shape(
            "batchnorm: operands have wrong lengths".into(),
        ));
    }
    let weights: Vec<f32> = gamma.iter().copied().chain(vec![0.0; c]).collect();
    let len = p.values();
    let mut out = kernel::run_reading(device, queue, || {
        let kernel = BnKernel::new(device);
        let x = checked_storage(device, "bn x", x)?;
        let dy = checked_storage(device, "bn dy", dy)?;
        let weights = checked_storage(device, "bn weights", &weights)?;
        let stats = checked_storage(device, "bn stats", &vec![0.0; p.stats_len()])?;
        let dummy = checked_storage(device, "bn dummy", &[0.0; 4])?;
        let y = checked_storage(device, "bn y", &vec![0.0; len])?;
        let grad = checked_storage(device, "bn grad", &vec![0.0; 2 * c])?;
        let dx = checked_storage(device, "bn dx", &vec![0.0; len])?;
        let b = BnBuffers {
            x: &x,
            weights: &weights,
            stats: &stats,
            dummy: &dummy,
        };
        let mut bindings = Vec::from(kernel.bind_forward(device, p, b, (None, &y))?);
        bindings.extend(kernel.bind_backward(device, p, b, (&dy, &grad, &dx))?);
        Ok((bindings, vec![(dx, len), (grad, 2 * c)]))
    })
    .await?;
    let grad = out.pop().unwrap_or_default();
    let dx = out.pop().unwrap_or_default();
    Ok((dx, grad[..c].to_vec(), grad[c..].to_vec()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<BnParams>(SHADER, "Params", 8);
        crate::gpu::layout_check::assert_uniform_matches::<BnParams>(VEC4, "Params", 8);
    }

    #[test]
    fn params_reject_bad_shapes() {
        assert!(BnParams::new((0, 3), (0, 3), (0, 3), 0, 1e-5).is_err());
        assert!(BnParams::new((MAX_PIXELS + 1, 3), (0, 3), (0, 3), 0, 1e-5).is_err());
        let p = BnParams::new((75, 13), (5, 18), (5, 18), RELU, 1e-5).unwrap();
        assert_eq!((p.values(), p.stats_len()), (975, 52 + 2 * 13));
        assert_eq!(stats_len(257, 3), 12 + 2 * 2 * 3);
    }
}
