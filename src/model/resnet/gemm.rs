//! A deterministic, portable f32 matrix product for the CPU path of the conv products
//! (docs/deep.md §6): C (= or +=) A·B where every output element is summed over k in one
//! fixed sequential order, so the result is bit-identical to the naive triple loop
//! `c = c₀; for p in 0..k { c = c + a(i, p) · b(p, j) }` on every IEEE-754 platform — natively
//! (AVX2 or SSE2) and in wasm32 (simd128) alike, which is what makes the page's CPU fallback
//! give the CLI's very bits.
//!
//! Why it holds: Rust never fuses a multiply and an add into an FMA unless asked
//! (`mul_add`), and LLVM does not reassociate float sums; the kernels vectorize across
//! output columns only (each lane is one output element), and the blocking over k keeps the
//! running sum in C between blocks, in order. So tiling, packing and the instruction set
//! change the speed, never the bits.
//!
//! Layout: B is packed into panels of [`NR`] columns and A into panels of [`MR`] rows per
//! block of [`KC`] values of k (the transposes are taken while packing); an `MR x NR`
//! register-blocked micro-kernel (fixed-size arrays LLVM keeps in vector registers) runs over
//! each pair of panels. Natively the whole product is compiled for the best instruction set
//! the CPU has, chosen at run time (pulp's dispatch, as `experiment::modal` does; the bits do
//! not depend on it, see above); wasm32 gets simd128 from `.cargo/config.toml`.

/// Rows of the micro-kernel's tile (`pack_a` reads a row-major A four rows at once).
const MR: usize = 4;
/// Columns of the micro-kernel's tile: two AVX registers natively; in wasm32, two simd128
/// registers (its JITs have 16 vector registers, which 4 x 16 accumulators would spill).
#[cfg(not(target_arch = "wasm32"))]
const NR: usize = 16;
#[cfg(target_arch = "wasm32")]
const NR: usize = 8;
/// Values of k per packed block (a B panel of KC x NR floats: 16 KiB, in L1).
const KC: usize = 256;
/// Rows of A per packed block (MC x KC floats: 64 KiB, in L2).
const MC: usize = 64;

/// One operand of [`Gemm::product`]: a contiguous row-major matrix, used as it is or
/// transposed.
#[derive(Debug, Clone, Copy)]
pub struct Operand<'a> {
    /// The stored matrix, row-major.
    pub data: &'a [f32],
    /// Whether the operand is the transpose of the stored matrix.
    pub transposed: bool,
}

impl<'a> Operand<'a> {
    /// The stored matrix as it is.
    pub fn plain(data: &'a [f32]) -> Self {
        Self {
            data,
            transposed: false,
        }
    }

    /// The transpose of the stored matrix.
    pub fn transposed(data: &'a [f32]) -> Self {
        Self {
            data,
            transposed: true,
        }
    }

    /// Entry (r, c) of the operand, of logical size `rows x cols`.
    #[inline(always)]
    fn at(&self, rows: usize, cols: usize, r: usize, c: usize) -> f32 {
        if self.transposed {
            self.data[c * rows + r]
        } else {
            self.data[r * cols + c]
        }
    }
}

/// The sizes of a product: C is m x n, A is m x k, B is k x n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub m: usize,
    pub n: usize,
    pub k: usize,
}

/// The packing buffers, reused across products.
#[derive(Debug, Clone, Default)]
pub struct Gemm {
    a: Vec<f32>,
    b: Vec<f32>,
}

impl Gemm {
    /// C (m x n, row-major) = A·B, or C += A·B when `accumulate` (then each element's sum
    /// starts from C's value and runs on in k order, so accumulating chunk after chunk of k
    /// gives the bits of one product over all of them).
    ///
    /// # Panics
    /// When a slice is shorter than its dimensions imply.
    pub fn product(
        &mut self,
        dims: Dims,
        c: &mut [f32],
        a: Operand<'_>,
        b: Operand<'_>,
        accumulate: bool,
    ) {
        let Dims { m, n, k } = dims;
        assert!(
            c.len() >= m * n && a.data.len() >= m * k && b.data.len() >= k * n,
            "gemm operands shorter than {m}x{k} · {k}x{n}"
        );
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        if m == 0 || n == 0 || k == 0 {
            return;
        }
        #[cfg(not(target_arch = "wasm32"))]
        pulp::Arch::new().dispatch(Product {
            gemm: self,
            dims,
            c,
            a,
            b,
        });
        #[cfg(target_arch = "wasm32")]
        self.blocks(dims, c, a, b);
    }

    /// The blocked product, C += A·B (C holds the starting sums).
    #[inline(always)]
    fn blocks(&mut self, dims: Dims, c: &mut [f32], a: Operand<'_>, b: Operand<'_>) {
        let Dims { m, n, k } = dims;
        let panels_n = n.div_ceil(NR);
        for p0 in (0..k).step_by(KC) {
            let kb = KC.min(k - p0);
            pack_b(&mut self.b, dims, b, p0, kb);
            for i0 in (0..m).step_by(MC) {
                let mb = MC.min(m - i0);
                pack_a(&mut self.a, dims, a, (i0, mb), (p0, kb));
                for q in 0..panels_n {
                    let j0 = q * NR;
                    let b_panel = &self.b[q * kb * NR..][..kb * NR];
                    for (r, a_panel) in self.a.chunks_exact(kb * MR).enumerate() {
                        let tile = Tile {
                            i0: i0 + r * MR,
                            rows: MR.min(mb - r * MR),
                            j0,
                            cols: NR.min(n - j0),
                        };
                        micro_kernel(a_panel, b_panel, c, n, tile);
                    }
                }
            }
        }
    }
}

/// One product as pulp's dispatch takes it: `with_simd` is monomorphized inside pulp's
/// `#[target_feature]` function for the instruction set found at run time, and every
/// `#[inline(always)]` function below it is compiled there (a closure would not be inlined).
#[cfg(not(target_arch = "wasm32"))]
struct Product<'g, 'c, 'a, 'b> {
    gemm: &'g mut Gemm,
    dims: Dims,
    c: &'c mut [f32],
    a: Operand<'a>,
    b: Operand<'b>,
}

#[cfg(not(target_arch = "wasm32"))]
impl pulp::WithSimd for Product<'_, '_, '_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        self.gemm.blocks(self.dims, self.c, self.a, self.b);
    }
}

/// Where a micro-kernel's tile lies in C, and how much of it is inside.
#[derive(Debug, Clone, Copy)]
struct Tile {
    i0: usize,
    rows: usize,
    j0: usize,
    cols: usize,
}

/// Packs B[p0..p0+kb, ..] into panels of NR columns (zeros past column n): panel q holds
/// B(p0 + p, q·NR + j) at q·kb·NR + p·NR + j.
#[inline(always)]
fn pack_b(buf: &mut Vec<f32>, dims: Dims, b: Operand<'_>, p0: usize, kb: usize) {
    let (n, k) = (dims.n, dims.k);
    grow(buf, n.div_ceil(NR) * kb * NR);
    for (q, panel) in buf.chunks_exact_mut(kb * NR).enumerate() {
        let j0 = q * NR;
        let cols = NR.min(n - j0);
        let (rows, _) = panel.as_chunks_mut::<NR>();
        for (p, row) in rows.iter_mut().enumerate() {
            if !b.transposed && cols == NR {
                row.copy_from_slice(&b.data[(p0 + p) * n + j0..][..NR]);
            } else {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = if j < cols {
                        b.at(k, n, p0 + p, j0 + j)
                    } else {
                        0.0
                    };
                }
            }
        }
    }
}

/// Sets `buf`'s length to `len` without clearing what it holds (the packing overwrites it).
fn grow(buf: &mut Vec<f32>, len: usize) {
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    buf.truncate(len);
}

/// Packs A[i0..i0+mb, p0..p0+kb] into panels of MR rows (zeros past row i0 + mb): panel r
/// holds A(i0 + r·MR + i, p0 + p) at r·kb·MR + p·MR + i.
#[inline(always)]
fn pack_a(
    buf: &mut Vec<f32>,
    dims: Dims,
    a: Operand<'_>,
    (i0, mb): (usize, usize),
    (p0, kb): (usize, usize),
) {
    let (m, k) = (dims.m, dims.k);
    grow(buf, mb.div_ceil(MR) * kb * MR);
    for (r, panel) in buf.chunks_exact_mut(kb * MR).enumerate() {
        let top = i0 + r * MR;
        let rows = MR.min(mb - r * MR);
        let (cols, _) = panel.as_chunks_mut::<MR>();
        if rows < MR {
            for (p, col) in cols.iter_mut().enumerate() {
                for (i, v) in col.iter_mut().enumerate() {
                    *v = if i < rows {
                        a.at(m, k, top + i, p0 + p)
                    } else {
                        0.0
                    };
                }
            }
        } else if a.transposed {
            let lines = a.data[p0 * m..][..kb * m].chunks_exact(m);
            for (col, line) in cols.iter_mut().zip(lines) {
                col.copy_from_slice(&line[top..][..MR]);
            }
        } else {
            let [r0, r1, r2, r3] = [0, 1, 2, 3].map(|i| &a.data[(top + i) * k + p0..][..kb]);
            let quads = r0.iter().zip(r1).zip(r2).zip(r3);
            for (col, (((&x0, &x1), &x2), &x3)) in cols.iter_mut().zip(quads) {
                *col = [x0, x1, x2, x3];
            }
        }
    }
}

/// C[tile] += (A panel)·(B panel) over the panels' kb values of k, in order: the MR x NR
/// sums stay in registers, each lane one output element.
#[inline(always)]
fn micro_kernel(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, t: Tile) {
    let mut acc = [[0.0f32; NR]; MR];
    // full rows copy NR values (fixed-size moves); an edge's partial rows call memcpy
    let full = t.cols == NR;
    for (i, row) in acc.iter_mut().enumerate().take(t.rows) {
        let src = &c[(t.i0 + i) * ldc + t.j0..];
        if full {
            row.copy_from_slice(&src[..NR]);
        } else {
            row[..t.cols].copy_from_slice(&src[..t.cols]);
        }
    }
    let (a_cols, _) = a.as_chunks::<MR>();
    let (b_rows, _) = b.as_chunks::<NR>();
    for (ap, bp) in a_cols.iter().zip(b_rows) {
        for (row, &x) in acc.iter_mut().zip(ap) {
            for (s, &y) in row.iter_mut().zip(bp) {
                *s += x * y;
            }
        }
    }
    for (i, row) in acc.iter().enumerate().take(t.rows) {
        let dst = &mut c[(t.i0 + i) * ldc + t.j0..];
        if full {
            dst[..NR].copy_from_slice(row);
        } else {
            dst[..t.cols].copy_from_slice(&row[..t.cols]);
        }
    }
}

#[cfg(test)]
mod tests;
