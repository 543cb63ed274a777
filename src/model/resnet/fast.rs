//! The fast CPU path of the conv products (docs/deep.md §1): im2col over a chunk of images,
//! then the portable matrix product of `super::gemm`, whose sums run in one fixed order on
//! every platform (docs/deep.md §6: the page's CPU fallback gives the CLI's bits). A chunk's
//! im2col matrix is kept near cache size; 1x1 convs with stride 1 (the projector's linear
//! layers) skip the copy.

use super::gemm::{Dims, Gemm, Operand};
use super::kernels::ConvKernels;
use super::ops::ConvShape;

/// Floats of one chunk's im2col matrix to aim for (1 MiB: about L2 size).
const CHUNK_FLOATS: usize = 1 << 18;

/// im2col + the portable matmul, with their scratch buffers reused across calls.
#[derive(Debug, Clone, Default)]
pub struct Fast {
    col: Vec<f32>,
    gemm: Gemm,
}

/// Columns of the im2col matrix: K·K·Cin.
fn col_width(s: &ConvShape) -> usize {
    s.k * s.k * s.cin
}

/// Whether the conv is a plain matmul of the input (1x1, stride 1): no im2col needed.
fn is_pointwise(s: &ConvShape) -> bool {
    s.k == 1 && s.stride == 1
}

/// Images per chunk, and the chunks as (first image, images).
fn chunks(s: &ConvShape) -> impl Iterator<Item = (usize, usize)> {
    let o = s.out_side();
    let per = (CHUNK_FLOATS / (o * o * col_width(s)).max(1)).clamp(1, s.batch.max(1));
    let batch = s.batch;
    (0..batch)
        .step_by(per)
        .map(move |b| (b, per.min(batch - b)))
}

/// Writes the im2col rows of images `first..first + images` into `col` (rows = output
/// pixels (b, y, x), columns (ky, kx, ci); zeros in the padding).
fn im2col(s: &ConvShape, x: &[f32], first: usize, images: usize, col: &mut [f32]) {
    let (o, kc, cin) = (s.out_side(), col_width(s), s.cin);
    let run = s.k * cin;
    for b in 0..images {
        let image = &x[(first + b) * s.side * s.side * cin..][..s.side * s.side * cin];
        for oy in 0..o {
            for ox in 0..o {
                let row = &mut col[((b * o + oy) * o + ox) * kc..][..kc];
                for ky in 0..s.k {
                    let dst = &mut row[ky * run..][..run];
                    // the K taps of a kernel row are contiguous in the input when all inside
                    match s.tap(oy, ox, ky, 0) {
                        Some((y, xx)) if xx + s.k <= s.side => {
                            dst.copy_from_slice(&image[(y * s.side + xx) * cin..][..run]);
                        }
                        _ => im2col_taps(s, image, oy, ox, ky, dst),
                    }
                }
            }
        }
    }
}

/// One kernel row of an im2col row, tap by tap (zeros in the padding).
fn im2col_taps(s: &ConvShape, image: &[f32], oy: usize, ox: usize, ky: usize, dst: &mut [f32]) {
    let cin = s.cin;
    for kx in 0..s.k {
        let dst = &mut dst[kx * cin..][..cin];
        match s.tap(oy, ox, ky, kx) {
            Some((y, xx)) => dst.copy_from_slice(&image[(y * s.side + xx) * cin..][..cin]),
            None => dst.fill(0.0),
        }
    }
}

/// Adds the im2col-shaped gradient `dcol` of images `first..first + images` into `dx`.
fn col2im(s: &ConvShape, dcol: &[f32], first: usize, images: usize, dx: &mut [f32]) {
    let (o, kc, cin) = (s.out_side(), col_width(s), s.cin);
    for b in 0..images {
        let image = &mut dx[(first + b) * s.side * s.side * cin..][..s.side * s.side * cin];
        for oy in 0..o {
            for ox in 0..o {
                let row = &dcol[((b * o + oy) * o + ox) * kc..][..kc];
                for ky in 0..s.k {
                    for kx in 0..s.k {
                        if let Some((y, xx)) = s.tap(oy, ox, ky, kx) {
                            let src = &row[(ky * s.k + kx) * cin..][..cin];
                            let dst = &mut image[(y * s.side + xx) * cin..][..cin];
                            dst.iter_mut().zip(src).for_each(|(d, v)| *d += v);
                        }
                    }
                }
            }
        }
    }
}

impl Fast {
    /// The scratch im2col matrix for `rows` rows of `kc` columns.
    fn col(&mut self, rows: usize, kc: usize) -> &mut [f32] {
        if self.col.len() < rows * kc {
            self.col.resize(rows * kc, 0.0);
        }
        &mut self.col[..rows * kc]
    }
}

impl ConvKernels<f32> for Fast {
    fn forward(&mut self, s: &ConvShape, x: &[f32], w: &[f32], y: &mut [f32]) {
        let (o2, kc, cout) = (s.out_side() * s.out_side(), col_width(s), s.cout);
        let w = Operand::plain(w);
        if is_pointwise(s) {
            let dims = Dims {
                m: s.batch * o2,
                n: cout,
                k: kc,
            };
            self.gemm.product(dims, y, Operand::plain(x), w, false);
            return;
        }
        for (first, images) in chunks(s) {
            let rows = images * o2;
            im2col(s, x, first, images, self.col(rows, kc));
            let out = &mut y[first * o2 * cout..][..rows * cout];
            let col = Operand::plain(&self.col[..rows * kc]);
            let dims = Dims {
                m: rows,
                n: cout,
                k: kc,
            };
            self.gemm.product(dims, out, col, w, false);
        }
    }

    fn backward_input(&mut self, s: &ConvShape, dy: &[f32], w: &[f32], dx: &mut [f32]) {
        let (o2, kc, cout) = (s.out_side() * s.out_side(), col_width(s), s.cout);
        let wt = Operand::transposed(w);
        if is_pointwise(s) {
            let dims = Dims {
                m: s.batch * o2,
                n: kc,
                k: cout,
            };
            self.gemm.product(dims, dx, Operand::plain(dy), wt, false);
            return;
        }
        dx.fill(0.0);
        for (first, images) in chunks(s) {
            let rows = images * o2;
            self.col(rows, kc);
            let g = Operand::plain(&dy[first * o2 * cout..][..rows * cout]);
            let dims = Dims {
                m: rows,
                n: kc,
                k: cout,
            };
            self.gemm
                .product(dims, &mut self.col[..rows * kc], g, wt, false);
            col2im(s, &self.col[..rows * kc], first, images, dx);
        }
    }

    fn backward_weights(&mut self, s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
        let (o2, kc, cout) = (s.out_side() * s.out_side(), col_width(s), s.cout);
        if is_pointwise(s) {
            let rows = s.batch * o2;
            let dims = Dims {
                m: kc,
                n: cout,
                k: rows,
            };
            let (xt, g) = (Operand::transposed(x), Operand::plain(dy));
            self.gemm.product(dims, dw, xt, g, false);
            return;
        }
        dw.fill(0.0);
        // each weight's sum runs over the rows of every chunk in turn: the chunking does not
        // change its bits (see super::gemm)
        for (first, images) in chunks(s) {
            let rows = images * o2;
            im2col(s, x, first, images, self.col(rows, kc));
            let g = Operand::plain(&dy[first * o2 * cout..][..rows * cout]);
            let colt = Operand::transposed(&self.col[..rows * kc]);
            let dims = Dims {
                m: kc,
                n: cout,
                k: rows,
            };
            self.gemm.product(dims, dw, colt, g, true);
        }
    }
}
