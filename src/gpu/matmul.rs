//! `shaders/matmul.wgsl`: C = A·B or A·Bᵀ in f32, one 4 x 4 register tile per invocation.

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/matmul.wgsl");
/// Tile edge (the shader's 4 x 4 register tile).
const TILE: u32 = 4;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulParams {
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub tiles_n: u32,
    pub a_rs: u32,
    pub a_cs: u32,
    pub b_rs: u32,
    pub b_cs: u32,
}

/// C (m x n) = A (m x k) · B, where B is k x n, or n x k read transposed; all row-major.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatmulShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub b_transposed: bool,
}

impl MatmulShape {
    /// A·B.
    pub fn ab(m: usize, n: usize, k: usize) -> Self {
        Self {
            m,
            n,
            k,
            b_transposed: false,
        }
    }

    /// A·Bᵀ with B stored n x k.
    pub fn abt(m: usize, n: usize, k: usize) -> Self {
        Self {
            b_transposed: true,
            ..Self::ab(m, n, k)
        }
    }

    /// The shader parameters, or an error if a size does not fit in u32.
    pub fn params(&self) -> Result<MatmulParams, GpuError> {
        let too_big = || GpuError::Shape(format!("matmul {self:?} exceeds u32 indexing"));
        let m = u32::try_from(self.m).map_err(|_| too_big())?;
        let n = u32::try_from(self.n).map_err(|_| too_big())?;
        let k = u32::try_from(self.k).map_err(|_| too_big())?;
        let (b_rs, b_cs) = if self.b_transposed { (1, k) } else { (n, 1) };
        Ok(MatmulParams {
            m,
            n,
            k,
            tiles_n: n.div_ceil(TILE),
            a_rs: k,
            a_cs: 1,
            b_rs,
            b_cs,
        })
    }

    /// Number of 4 x 4 tiles of C, one per invocation.
    fn tiles(&self) -> u64 {
        (self.m as u64).div_ceil(TILE as u64) * (self.n as u64).div_ceil(TILE as u64)
    }
}

/// The compiled matmul pipeline, shared by every product.
pub struct MatmulKernel(Kernel);

impl MatmulKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "matmul", SHADER))
    }

    /// Binds C = A·B (or A·Bᵀ) over `a`, `b`, `c`; made once, encoded any number of times.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        label: &str,
        shape: MatmulShape,
        bufs: (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        if shape.m == 0 || shape.n == 0 {
            return Err(GpuError::Shape(format!(
                "matmul {shape:?} has an empty output"
            )));
        }
        self.0
            .bind(device, label, &shape.params()?, bufs, shape.tiles())
    }
}

/// Uploads `a` (m x k) and `b`, computes C once and reads it back (tests, benchmarks).
pub async fn matmul_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    shape: MatmulShape,
    a: &[f32],
    b: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let (m, n, k) = (shape.m, shape.n, shape.k);
    if a.len() != m * k || b.len() != n * k {
        return Err(GpuError::Shape(format!(
            "matmul {shape:?}: operands have wrong lengths"
        )));
    }
    if m == 0 || n == 0 {
        return Ok(Vec::new());
    }
    kernel::run_once(device, queue, m * n, || {
        let a = checked_storage(device, "matmul A", a)?;
        let b = checked_storage(device, "matmul B", b)?;
        let c = checked_storage(device, "matmul C", &vec![0.0; m * n])?;
        let binding = MatmulKernel::new(device).bind(device, "matmul", shape, (&a, &b, &c))?;
        Ok((binding, c))
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<MatmulParams>(SHADER, "Params", 8);
    }
}
