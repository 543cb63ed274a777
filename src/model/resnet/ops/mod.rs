//! Naive reference ops of the ResNet (docs/deep.md §1): straight loops, easy to read, generic
//! over f32 and f64. Every WGSL kernel and the fast CPU path ([`super::Fast`]) is tested
//! against these; the whole network's gradient is checked against finite differences with
//! them in f64.
//!
//! Tensors are NHWC, row-major: index `((b·H + y)·W + x)·C + c`. Conv weights are
//! `[K·K·Cin, Cout]` row-major, index `((ky·K + kx)·Cin + ci)·Cout + co`, padding K/2 (zeros),
//! output side `(S + 2p − K)/s + 1`; a conv is the matmul of the implicit im2col matrix (rows
//! = output pixels (b, y, x), columns (ky, kx, ci)) by the weight matrix. A bias-free linear
//! layer `[in, out]` is the conv with side 1 and K = 1.

mod real;
#[cfg(test)]
mod tests;

pub use real::Real;

/// Geometry of a square conv over a batch (no bias; padding K/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvShape {
    /// Images in the batch.
    pub batch: usize,
    /// Input side S.
    pub side: usize,
    pub cin: usize,
    pub cout: usize,
    /// Kernel side K.
    pub k: usize,
    pub stride: usize,
}

impl ConvShape {
    /// A bias-free linear layer `[inputs, outputs]` over `rows` rows, as a 1x1 conv on 1x1 images.
    pub fn linear(rows: usize, inputs: usize, outputs: usize) -> Self {
        Self {
            batch: rows,
            side: 1,
            cin: inputs,
            cout: outputs,
            k: 1,
            stride: 1,
        }
    }

    /// The same geometry over another batch size.
    pub fn with_batch(self, batch: usize) -> Self {
        Self { batch, ..self }
    }

    /// Padding p = K/2.
    pub fn pad(&self) -> usize {
        self.k / 2
    }

    /// Output side `(S + 2p − K)/s + 1`.
    pub fn out_side(&self) -> usize {
        (self.side + 2 * self.pad() - self.k) / self.stride + 1
    }

    /// Values of the input, `batch·S·S·Cin`.
    pub fn input_len(&self) -> usize {
        self.batch * self.side * self.side * self.cin
    }

    /// Values of the output, `batch·S'·S'·Cout`.
    pub fn output_len(&self) -> usize {
        let o = self.out_side();
        self.batch * o * o * self.cout
    }

    /// Values of the weights, `K·K·Cin·Cout`.
    pub fn weight_len(&self) -> usize {
        self.k * self.k * self.cin * self.cout
    }

    /// The input pixel (y, x) that output pixel (oy, ox) reads at kernel tap (ky, kx), or
    /// None in the zero padding.
    pub fn tap(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let y = (oy * self.stride + ky).checked_sub(self.pad())?;
        let x = (ox * self.stride + kx).checked_sub(self.pad())?;
        (y < self.side && x < self.side).then_some((y, x))
    }
}

/// Calls `f(input offset, weight row offset, output offset)` for every (output pixel, tap)
/// pair that reads inside the image: the loop nest shared by the three conv ops.
fn for_each_tap(s: &ConvShape, mut f: impl FnMut(usize, usize, usize)) {
    let o = s.out_side();
    for b in 0..s.batch {
        for oy in 0..o {
            for ox in 0..o {
                let out = ((b * o + oy) * o + ox) * s.cout;
                for ky in 0..s.k {
                    for kx in 0..s.k {
                        if let Some((y, x)) = s.tap(oy, ox, ky, kx) {
                            let inp = ((b * s.side + y) * s.side + x) * s.cin;
                            let wrow = (ky * s.k + kx) * s.cin;
                            f(inp, wrow, out);
                        }
                    }
                }
            }
        }
    }
}

/// y[b, oy, ox, co] = Σ_{ky, kx, ci} x[b, oy·s + ky − p, ox·s + kx − p, ci] · w[(ky·K + kx)·Cin + ci, co].
pub fn conv2d_forward<T: Real>(s: &ConvShape, x: &[T], w: &[T]) -> Vec<T> {
    assert_eq!((x.len(), w.len()), (s.input_len(), s.weight_len()));
    let mut y = vec![T::ZERO; s.output_len()];
    for_each_tap(s, |inp, wrow, out| {
        for ci in 0..s.cin {
            let xv = x[inp + ci];
            for co in 0..s.cout {
                y[out + co] += xv * w[(wrow + ci) * s.cout + co];
            }
        }
    });
    y
}

/// dL/dx from dL/dy: dx[b, y, x, ci] = Σ over the (output pixel, tap) pairs reading it of
/// Σ_co dy[out, co] · w[tap row + ci, co].
pub fn conv2d_backward_input<T: Real>(s: &ConvShape, dy: &[T], w: &[T]) -> Vec<T> {
    assert_eq!((dy.len(), w.len()), (s.output_len(), s.weight_len()));
    let mut dx = vec![T::ZERO; s.input_len()];
    for_each_tap(s, |inp, wrow, out| {
        for ci in 0..s.cin {
            let mut acc = T::ZERO;
            for co in 0..s.cout {
                acc += dy[out + co] * w[(wrow + ci) * s.cout + co];
            }
            dx[inp + ci] += acc;
        }
    });
    dx
}

/// dL/dw from the input and dL/dy: dw[tap row + ci, co] = Σ_{out pixels} x[in, ci] · dy[out, co].
pub fn conv2d_backward_weights<T: Real>(s: &ConvShape, x: &[T], dy: &[T]) -> Vec<T> {
    assert_eq!((x.len(), dy.len()), (s.input_len(), s.output_len()));
    let mut dw = vec![T::ZERO; s.weight_len()];
    for_each_tap(s, |inp, wrow, out| {
        for ci in 0..s.cin {
            let xv = x[inp + ci];
            for co in 0..s.cout {
                dw[(wrow + ci) * s.cout + co] += xv * dy[out + co];
            }
        }
    });
    dw
}

/// Batch epsilon of batch normalization (PyTorch's default).
pub const BN_EPS: f64 = 1e-5;

/// Per-channel batch statistics of a batch-norm forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct BnStats<T> {
    /// Mean of each channel over all rows (every view and pixel).
    pub mean: Vec<T>,
    /// 1/√(var + eps), var the biased (population) variance over the same rows.
    pub inv_std: Vec<T>,
}

/// Gradients of a batch-norm layer.
#[derive(Debug, Clone, PartialEq)]
pub struct BnGrads<T> {
    pub dx: Vec<T>,
    pub dgamma: Vec<T>,
    pub dbeta: Vec<T>,
}

/// Batch statistics of `x` (rows x `channels`, NHWC flattened: rows = N·H·W).
pub fn batchnorm_stats<T: Real>(x: &[T], channels: usize) -> BnStats<T> {
    let rows = x.len() / channels;
    let count = T::from_f64(rows as f64);
    let mut mean = vec![T::ZERO; channels];
    for row in x.chunks_exact(channels) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m = *m / count);
    let mut var = vec![T::ZERO; channels];
    for row in x.chunks_exact(channels) {
        for ((s, &v), &m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (v - m) * (v - m);
        }
    }
    let eps = T::from_f64(BN_EPS);
    let inv_std = var
        .iter()
        .map(|&s| T::ONE / (s / count + eps).sqrt())
        .collect();
    BnStats { mean, inv_std }
}

/// y = γ·(x − mean)·inv_std + β per channel, with batch statistics over all rows of `x`;
/// returns y and the statistics.
pub fn batchnorm_forward<T: Real>(
    x: &[T],
    channels: usize,
    gamma: &[T],
    beta: &[T],
) -> (Vec<T>, BnStats<T>) {
    let stats = batchnorm_stats(x, channels);
    let mut y = x.to_vec();
    batchnorm_apply(&mut y, &stats, gamma, beta);
    (y, stats)
}

/// Normalizes `x` in place with given statistics, then scales by γ and shifts by β.
pub fn batchnorm_apply<T: Real>(x: &mut [T], stats: &BnStats<T>, gamma: &[T], beta: &[T]) {
    // y = x·a + b with a = γ·inv_std, b = β − mean·a (per channel)
    let a: Vec<T> = gamma
        .iter()
        .zip(&stats.inv_std)
        .map(|(&g, &s)| g * s)
        .collect();
    let b: Vec<T> = beta
        .iter()
        .zip(&stats.mean)
        .zip(&a)
        .map(|((&be, &m), &a)| be - m * a)
        .collect();
    for row in x.chunks_exact_mut(gamma.len()) {
        for ((v, &a), &b) in row.iter_mut().zip(&a).zip(&b) {
            *v = *v * a + b;
        }
    }
}

/// Backward of [`batchnorm_forward`] with batch statistics (M rows, x̂ = (x − mean)·inv_std):
/// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·inv_std/M · (M·dy − Σ dy − x̂·Σ dy·x̂).
pub fn batchnorm_backward<T: Real>(
    x: &[T],
    gamma: &[T],
    stats: &BnStats<T>,
    dy: &[T],
) -> BnGrads<T> {
    let mut g = BnGrads {
        dx: vec![T::ZERO; x.len()],
        dgamma: vec![T::ZERO; gamma.len()],
        dbeta: vec![T::ZERO; gamma.len()],
    };
    batchnorm_backward_into(
        x,
        gamma,
        stats,
        dy,
        &mut g.dx,
        [&mut g.dgamma, &mut g.dbeta],
    );
    g
}

/// [`batchnorm_backward`] into `dx` and `[dγ, dβ]` (all overwritten).
pub fn batchnorm_backward_into<T: Real>(
    x: &[T],
    gamma: &[T],
    stats: &BnStats<T>,
    dy: &[T],
    dx: &mut [T],
    [dgamma, dbeta]: [&mut [T]; 2],
) {
    let channels = gamma.len();
    let rows = T::from_f64((x.len() / channels) as f64);
    // the slices re-cut to `channels` let the compiler drop the bounds checks
    let (mean, inv_std) = (&stats.mean[..channels], &stats.inv_std[..channels]);
    let (db, dg) = (&mut dbeta[..channels], &mut dgamma[..channels]);
    db.fill(T::ZERO);
    dg.fill(T::ZERO);
    for (xr, gr) in x.chunks_exact(channels).zip(dy.chunks_exact(channels)) {
        let (xr, gr) = (&xr[..channels], &gr[..channels]);
        for c in 0..channels {
            db[c] += gr[c];
            dg[c] += gr[c] * (xr[c] - mean[c]) * inv_std[c];
        }
    }
    let k: Vec<T> = (0..channels)
        .map(|c| gamma[c] * inv_std[c] / rows)
        .collect();
    let k = &k[..channels];
    let x_dy = x.chunks_exact(channels).zip(dy.chunks_exact(channels));
    for (dr, (xr, gr)) in dx.chunks_exact_mut(channels).zip(x_dy) {
        let (dr, xr, gr) = (&mut dr[..channels], &xr[..channels], &gr[..channels]);
        for c in 0..channels {
            let xhat = (xr[c] - mean[c]) * inv_std[c];
            dr[c] = k[c] * (rows * gr[c] - db[c] - xhat * dg[c]);
        }
    }
}

/// max(x, 0), elementwise (NaN stays NaN).
pub fn relu_forward<T: Real>(x: &[T]) -> Vec<T> {
    x.iter()
        .map(|&v| if v < T::ZERO { T::ZERO } else { v })
        .collect()
}

/// dL/dx of a ReLU from its output y: dy where y > 0, else 0.
pub fn relu_backward<T: Real>(y: &[T], dy: &[T]) -> Vec<T> {
    let mut dx = dy.to_vec();
    relu_backward_in_place(y, &mut dx);
    dx
}

/// [`relu_backward`] in place: zeroes `d` where y ≤ 0.
pub fn relu_backward_in_place<T: Real>(y: &[T], d: &mut [T]) {
    assert_eq!(y.len(), d.len());
    for (g, &v) in d.iter_mut().zip(y) {
        *g = if v > T::ZERO { *g } else { T::ZERO };
    }
}

/// Mean over the `pixels` = H·W pixels of each of `batch` images: batch x `channels`.
pub fn global_avg_pool<T: Real>(x: &[T], batch: usize, pixels: usize, channels: usize) -> Vec<T> {
    let mut h = vec![T::ZERO; batch * channels];
    global_avg_pool_into(x, pixels, channels, &mut h);
    h
}

/// [`global_avg_pool`] into `h` (batch x channels, batch = h.len()/channels; overwritten).
pub fn global_avg_pool_into<T: Real>(x: &[T], pixels: usize, channels: usize, h: &mut [T]) {
    assert_eq!(x.len(), h.len() * pixels);
    let scale = T::ONE / T::from_f64(pixels as f64);
    for (image, out) in x
        .chunks_exact(pixels * channels)
        .zip(h.chunks_exact_mut(channels))
    {
        out.fill(T::ZERO);
        for px in image.chunks_exact(channels) {
            out.iter_mut().zip(px).for_each(|(o, &v)| *o += v);
        }
        out.iter_mut().for_each(|o| *o = *o * scale);
    }
}

/// dL/dx of [`global_avg_pool`]: every pixel of image b gets dh[b, c] / pixels.
pub fn global_avg_pool_backward<T: Real>(
    dh: &[T],
    batch: usize,
    pixels: usize,
    channels: usize,
) -> Vec<T> {
    assert_eq!(dh.len(), batch * channels);
    let mut dx = vec![T::ZERO; batch * pixels * channels];
    global_avg_pool_backward_into(dh, pixels, channels, &mut dx);
    dx
}

/// [`global_avg_pool_backward`] into `dx` (overwritten).
pub fn global_avg_pool_backward_into<T: Real>(
    dh: &[T],
    pixels: usize,
    channels: usize,
    dx: &mut [T],
) {
    let scale = T::ONE / T::from_f64(pixels as f64);
    for (row, image) in dh
        .chunks_exact(channels)
        .zip(dx.chunks_exact_mut(pixels * channels))
    {
        for px in image.chunks_exact_mut(channels) {
            px.iter_mut().zip(row).for_each(|(d, &g)| *d = g * scale);
        }
    }
}
