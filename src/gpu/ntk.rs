//! `shaders/ntk.wgsl`: the empirical NTK of the one-hidden-layer ReLU network at its current
//! weights (docs/math.md §6), from matmuls and two elementwise kernels:
//! K = H̃ H̃ᵀ + (X̃ X̃ᵀ) ⊙ (G Gᵀ), G = 1[H > 0] diag(√w̄2).

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Binding, Kernel};
use super::layout::{padded_len, unpack, vec4_grid};
use super::matmul::{MatmulKernel, MatmulShape};
use super::relu::{ReluKernel, ReluParams};

const SHADER: &str = include_str!("../../shaders/ntk.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct NtkParams {
    /// Padded rows of the output.
    pub rows4: u32,
    /// vec4s per row of the output.
    pub cq: u32,
    /// Hidden width h: `gates` zeroes columns from h on.
    pub hidden: u32,
    pub _pad0: u32,
}

impl NtkParams {
    pub fn new(rows: usize, cols: usize, hidden: usize) -> Result<Self, GpuError> {
        let (rows4, cq) = vec4_grid("ntk", rows, cols)?;
        Ok(Self {
            rows4,
            cq,
            hidden: hidden as u32,
            _pad0: 0,
        })
    }

    fn tiles(&self) -> u64 {
        u64::from(self.rows4) * u64::from(self.cq)
    }
}

/// The compiled pipelines.
pub struct NtkKernel {
    gates: Kernel,
    combine: Kernel,
}

impl NtkKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            gates: Kernel::new(device, "ntk gates", SHADER, "gates"),
            combine: Kernel::new(device, "ntk combine", SHADER, "combine"),
        }
    }

    /// Binds G = 1[H > 0] diag(√w̄2) over H (N x (h+1)), `root_w` (1 x (h+1)).
    pub fn bind_gates(
        &self,
        device: &wgpu::Device,
        params: NtkParams,
        (hidden, root_w, gates): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let bufs = (hidden, root_w, gates);
        self.gates
            .bind(device, "ntk gates", &params, bufs, params.tiles())
    }

    /// Binds K = K + A ⊙ B over N x N matrices.
    pub fn bind_combine(
        &self,
        device: &wgpu::Device,
        params: NtkParams,
        (a, b, k): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.combine
            .bind(device, "ntk combine", &params, (a, b, k), params.tiles())
    }
}

/// The weights the NTK is taken at: W̃1 ((h+1) x (m+1)) and W̃2 (d x (h+1)), row-major.
pub struct NtkWeights<'a> {
    pub hidden: usize,
    pub w1: &'a [f32],
    pub w2: &'a [f32],
}

/// The empirical NTK over the rows of `x` (N x (m+1), augmented, row-major) computed on the
/// GPU and read back, N x N row-major.
pub async fn empirical_ntk_gpu(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (rows, inputs): (usize, usize),
    x: &[f32],
    w: &NtkWeights<'_>,
) -> Result<Vec<f32>, GpuError> {
    let hp = w.hidden + 1;
    let d = w.w2.len() / hp.max(1);
    if x.len() != rows * inputs || w.w1.len() != hp * inputs || w.w2.len() != d * hp || d == 0 {
        return Err(GpuError::Shape("ntk: operands have wrong lengths".into()));
    }
    let root_w: Vec<f32> = (0..hp)
        .map(|k| {
            let mean: f64 = (0..d)
                .map(|o| f64::from(w.w2[o * hp + k]).powi(2))
                .sum::<f64>();
            (mean / d as f64).sqrt() as f32
        })
        .collect();
    let padded = kernel::run_sequence(device, queue, padded_len(rows, rows), || {
        let mm = MatmulKernel::new(device);
        let ntk = NtkKernel::new(device);
        let store =
            |label, dims: (usize, usize), data: &[f32]| matrix_storage(device, label, dims, data);
        let zeros = |label, dims: (usize, usize)| store(label, dims, &vec![0.0; dims.0 * dims.1]);
        let xb = store("ntk X", (rows, inputs), x)?;
        let w1 = store("ntk W1", (hp, inputs), w.w1)?;
        let rw = store("ntk sqrt mean W2²", (1, hp), &root_w)?;
        let dummy = zeros("ntk dummy", (1, 1))?;
        let (h, g) = (zeros("ntk H", (rows, hp))?, zeros("ntk G", (rows, hp))?);
        let k = zeros("ntk K", (rows, rows))?;
        let (a, b) = (
            zeros("ntk XXᵀ", (rows, rows))?,
            zeros("ntk GGᵀ", (rows, rows))?,
        );
        let square = MatmulShape::abt(rows, rows, hp);
        let bindings = vec![
            mm.bind(
                device,
                "ntk Z",
                MatmulShape::abt(rows, hp, inputs),
                (&xb, &w1, &h),
            )?,
            ReluKernel::new(device).bind_forward(
                device,
                ReluParams::new(rows, hp)?,
                (&h, &dummy),
            )?,
            ntk.bind_gates(device, NtkParams::new(rows, hp, w.hidden)?, (&h, &rw, &g))?,
            mm.bind(device, "ntk HHᵀ", square, (&h, &h, &k))?,
            mm.bind(device, "ntk GGᵀ", square, (&g, &g, &b))?,
            mm.bind(
                device,
                "ntk XXᵀ",
                MatmulShape::abt(rows, rows, inputs),
                (&xb, &xb, &a),
            )?,
            ntk.bind_combine(device, NtkParams::new(rows, rows, w.hidden)?, (&a, &b, &k))?,
        ];
        Ok((bindings, k))
    })
    .await?;
    Ok(unpack(rows, rows, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<NtkParams>(SHADER, "Params", 4);
    }
}
