//! `shaders/matmul.wgsl`: C = A·B, Aᵀ·B or A·Bᵀ with an 8 x 8 register tile per
//! invocation, f32, on matrices in the padded layout of [`super::layout`]; A·Bᵀ with a small
//! output (fewer 8 x 8 tiles than a workgroup has invocations) takes the 4 x 4 tiles of
//! `shaders/matmul_narrow.wgsl` instead, to keep the SIMD lanes of a CPU-emulated GPU busy.
//! An [`Epilogue`] fuses the MLP's relu, relu mask or weight update into the store.

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Binding, Kernel};
use super::layout::{pad4, padded_len, unpack};

const SHADER: &str = include_str!("../../shaders/matmul.wgsl");
const NARROW: &str = include_str!("../../shaders/matmul_narrow.wgsl");
/// Below this many 8 x 8 tiles (one workgroup), A·Bᵀ runs on 4 x 4 tiles.
const NARROW_BELOW: u64 = 64;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MatmulParams {
    /// Padded rows of A and C.
    pub m4: u32,
    /// vec4s per row of C.
    pub nq: u32,
    /// vec4s along K.
    pub kq: u32,
    /// Tiles per row block of C: pairs of vec4 columns per 8 rows (vec4 columns per 4 rows
    /// for the narrow A·Bᵀ).
    pub tiles_n: u32,
    /// [`Epilogue::code`]: what is done to each vec4 of C as it is stored.
    pub epilogue: u32,
    /// The column [`Epilogue::ReluMask`] zeroes.
    pub frozen: u32,
    /// η of [`Epilogue::Descend`].
    pub lr: f32,
    pub _pad0: u32,
}

/// Elementwise work fused into a product's store (docs/architecture.md §3): the MLP's
/// nonlinearity, its derivative and its weight update without passes of their own.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Epilogue {
    /// C = A·B.
    #[default]
    None,
    /// C = relu(A·B).
    Relu,
    /// C = (A·B) ⊙ 1[H > 0] with column `frozen` zeroed, H (laid out as C) bound as the
    /// fourth buffer: the backward of a relu layer with output H.
    ReluMask { frozen: usize },
    /// C = C_old − lr · A·B: C holds weights and A·B is their gradient.
    Descend { lr: f32 },
}

impl Epilogue {
    /// The shader's `Params.epilogue`.
    pub fn code(self) -> u32 {
        match self {
            Self::None => 0,
            Self::Relu => 1,
            Self::ReluMask { .. } => 2,
            Self::Descend { .. } => 3,
        }
    }
}

/// C (m x n) = A · B over k terms, where A is m x k (or k x m read transposed) and B is k x n
/// (or n x k read transposed); at most one operand is transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatmulShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a_transposed: bool,
    pub b_transposed: bool,
}

impl MatmulShape {
    /// A·B.
    pub fn ab(m: usize, n: usize, k: usize) -> Self {
        Self {
            m,
            n,
            k,
            a_transposed: false,
            b_transposed: false,
        }
    }

    /// Aᵀ·B with A stored k x m.
    pub fn atb(m: usize, n: usize, k: usize) -> Self {
        Self {
            a_transposed: true,
            ..Self::ab(m, n, k)
        }
    }

    /// Logical (rows, cols) of A as stored.
    pub fn a_dims(&self) -> (usize, usize) {
        if self.a_transposed {
            (self.k, self.m)
        } else {
            (self.m, self.k)
        }
    }

    /// A·Bᵀ with B stored n x k.
    pub fn abt(m: usize, n: usize, k: usize) -> Self {
        Self {
            b_transposed: true,
            ..Self::ab(m, n, k)
        }
    }

    /// Logical (rows, cols) of B as stored.
    pub fn b_dims(&self) -> (usize, usize) {
        if self.b_transposed {
            (self.n, self.k)
        } else {
            (self.k, self.n)
        }
    }

    /// The shader parameters, or an error if a size is zero or does not fit in u32.
    pub fn params(&self) -> Result<MatmulParams, GpuError> {
        let bad = |why: &str| GpuError::Shape(format!("matmul {self:?}: {why}"));
        if self.m == 0 || self.n == 0 {
            return Err(bad("empty output"));
        }
        if self.a_transposed && self.b_transposed {
            return Err(bad("Aᵀ·Bᵀ is not supported"));
        }
        let (m, n, k) = (self.m, self.n, self.k);
        let biggest = padded_len(m, k).max(padded_len(k, n)).max(padded_len(m, n));
        if biggest > u32::MAX as usize {
            return Err(bad("exceeds u32 indexing"));
        }
        let (m4, nq, kq) = (pad4(m) as u32, (pad4(n) / 4) as u32, (pad4(k) / 4) as u32);
        // eight rows by two vec4s, or four rows by one vec4 (narrow)
        let tiles_n = if self.is_narrow() { nq } else { nq.div_ceil(2) };
        Ok(MatmulParams {
            m4,
            nq,
            kq,
            tiles_n,
            epilogue: 0,
            frozen: 0,
            lr: 0.0,
            _pad0: 0,
        })
    }

    /// Whether the product runs on the narrow kernel: A·Bᵀ with fewer 8 x 8 tiles than
    /// [`NARROW_BELOW`].
    pub fn is_narrow(&self) -> bool {
        let tiles = pad4(self.m).div_ceil(8) as u64 * (pad4(self.n) / 4).div_ceil(2) as u64;
        self.b_transposed && !self.a_transposed && tiles < NARROW_BELOW
    }

    /// Invocations needed, one per tile.
    pub fn tiles(&self) -> Result<u64, GpuError> {
        let p = self.params()?;
        let height = if self.is_narrow() { 4 } else { 8 };
        Ok(u64::from(p.m4.div_ceil(height)) * u64::from(p.tiles_n))
    }
}

/// The compiled pipelines (`ab`, `abt`, `atb` and the narrow `abt`), shared by every
/// product.
pub struct MatmulKernel {
    ab: Kernel,
    abt: Kernel,
    atb: Kernel,
    abt_narrow: Kernel,
}

impl MatmulKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self {
            ab: compile(device, "matmul ab", (SHADER, "ab")),
            abt: compile(device, "matmul abt", (SHADER, "abt")),
            atb: compile(device, "matmul atb", (SHADER, "atb")),
            abt_narrow: compile(device, "matmul abt (narrow)", (NARROW, "abt_narrow")),
        }
    }

    /// Binds C = A·B (or A·Bᵀ) over padded buffers `a`, `b`, `c`; made once, encoded any
    /// number of times (A fills the unused mask binding).
    pub fn bind(
        &self,
        device: &wgpu::Device,
        label: &str,
        shape: MatmulShape,
        bufs: (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.bind_with(device, label, (shape, Epilogue::None), bufs, bufs.0)
    }

    /// [`Self::bind`] with `epilogue` fused into the store; `aux` is [`Epilogue::ReluMask`]'s
    /// H (laid out as C; any other buffer but C otherwise), whose frozen column must lie
    /// inside C.
    pub fn bind_with(
        &self,
        device: &wgpu::Device,
        label: &str,
        (shape, epilogue): (MatmulShape, Epilogue),
        (a, b, c): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
        aux: &wgpu::Buffer,
    ) -> Result<Binding, GpuError> {
        let mut params = shape.params()?;
        params.epilogue = epilogue.code();
        match epilogue {
            Epilogue::ReluMask { frozen } if frozen >= shape.n => {
                return Err(GpuError::Shape(format!(
                    "matmul {shape:?}: masked column {frozen} outside C"
                )));
            }
            Epilogue::ReluMask { frozen } => params.frozen = frozen as u32,
            Epilogue::Descend { lr } => params.lr = lr,
            Epilogue::None | Epilogue::Relu => {}
        }
        let kernel = match (shape.a_transposed, shape.b_transposed) {
            (true, _) => &self.atb,
            (false, true) if shape.is_narrow() => &self.abt_narrow,
            (false, true) => &self.abt,
            (false, false) => &self.ab,
        };
        kernel.bind_all(device, label, &params, &[a, b, c, aux], shape.tiles()?)
    }
}

/// A matmul pipeline: A, B (read), C (read-write) and the epilogue's mask source (read).
fn compile(device: &wgpu::Device, name: &'static str, source: (&str, &str)) -> Kernel {
    use super::kernel::Access::{Read, ReadWrite};
    Kernel::with_bindings(device, name, source, &[Read, Read, ReadWrite, Read])
}

/// Uploads `a` and `b` (row-major, unpadded, as stored per `shape`), computes C once and reads it back
/// (tests, benchmarks).
pub async fn matmul_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    shape: MatmulShape,
    a: &[f32],
    b: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let c = vec![0.0; shape.m * shape.n];
    matmul_epilogue_once(device, queue, (shape, Epilogue::None), (a, b), (&c, &c)).await
}

/// [`matmul_once`] with `epilogue`, C starting as `c` (m x n; what [`Epilogue::Descend`]
/// reads) and `aux` (m x n) the mask source, row-major and unpadded (tests).
pub async fn matmul_epilogue_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (shape, epilogue): (MatmulShape, Epilogue),
    (a, b): (&[f32], &[f32]),
    (c, aux): (&[f32], &[f32]),
) -> Result<Vec<f32>, GpuError> {
    let (m, n, k) = (shape.m, shape.n, shape.k);
    if a.len() != m * k || b.len() != n * k || c.len() != m * n || aux.len() != m * n {
        return Err(GpuError::Shape(format!(
            "matmul {shape:?}: operands have wrong lengths"
        )));
    }
    if m == 0 || n == 0 {
        return Ok(Vec::new());
    }
    let padded = kernel::run_once(device, queue, padded_len(m, n), || {
        let a = matrix_storage(device, "matmul A", shape.a_dims(), a)?;
        let b = matrix_storage(device, "matmul B", shape.b_dims(), b)?;
        let c = matrix_storage(device, "matmul C", (m, n), c)?;
        let aux = matrix_storage(device, "matmul mask", (m, n), aux)?;
        let kernel = MatmulKernel::new(device);
        let bufs = (&a, &b, &c);
        let binding = kernel.bind_with(device, "matmul", (shape, epilogue), bufs, &aux)?;
        Ok((binding, c))
    })
    .await?;
    Ok(unpack(m, n, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<MatmulParams>(SHADER, "Params", 8);
        crate::gpu::layout_check::assert_uniform_matches::<MatmulParams>(NARROW, "Params", 8);
    }

    #[test]
    fn params_pad_and_tile() {
        let p = MatmulShape::ab(10, 1200, 37).params().unwrap();
        assert_eq!((p.m4, p.nq, p.kq, p.tiles_n), (12, 300, 10, 150));
        // C = P Wᵀ of the linear step: a small output, on the narrow kernel's 4 x 4 tiles
        let narrow = MatmulShape::abt(10, 7, 1200);
        let p = narrow.params().unwrap();
        assert!(narrow.is_narrow());
        assert_eq!((p.m4, p.nq, p.kq, p.tiles_n), (12, 2, 300, 2));
        assert_eq!(narrow.tiles().unwrap(), 6);
        let wide = MatmulShape::abt(200, 2049, 193);
        assert!(!wide.is_narrow());
        assert_eq!(wide.tiles().unwrap(), 25 * 257);
        assert!(MatmulShape::ab(0, 3, 3).params().is_err());
        let p = MatmulShape::atb(13, 9, 6).params().unwrap();
        assert_eq!((p.m4, p.nq, p.kq, p.tiles_n), (16, 3, 2, 2));
        let both = MatmulShape {
            a_transposed: true,
            ..MatmulShape::abt(3, 3, 3)
        };
        assert!(both.params().is_err());
    }
}
