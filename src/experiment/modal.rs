//! The eigenbasis solver's state and step (A = W V, d x K, Γ's eigenvalues Λ) on row-major
//! arrays whose rows are padded to a multiple of [`LANES`]: every inner loop runs along K,
//! contiguous and of a vector-friendly length, so the compiler vectorizes it (SSE/AVX
//! natively, SIMD128 in wasm) without a matmul library's per-call set-up. For d ≪ K (fig1:
//! d = 10, K = 24 truncated) that per-call cost dominated: this is ~3x faster in wasm.
//!
//! Step (Barlow Twins in the eigenbasis): P = A Λ, C = P Aᵀ, A ← A − 4η (C − I) P.

use faer::MatRef;

/// Row padding: one AVX register of f32 (two SIMD128 ones).
pub const LANES: usize = 8;

/// A, P = A Λ and C = A Λ Aᵀ, kept consistent after every change of A.
#[derive(Debug, Clone)]
pub struct Modal {
    d: usize,
    k: usize,
    /// Row length: K rounded up to a multiple of [`LANES`] (the padding stays zero).
    stride: usize,
    values: Vec<f32>,
    a: Vec<f32>,
    p: Vec<f32>,
    /// d x d, row-major.
    c: Vec<f32>,
    /// The step's coefficients of P (d x d, row-major): scratch.
    f: Vec<f32>,
}

impl Modal {
    /// From Γ's `values` (K of them) and A(0) = `a0` (d x K).
    pub fn new(values: &[f32], a0: MatRef<'_, f32>) -> Self {
        let (d, k) = (a0.nrows(), a0.ncols());
        let stride = k.div_ceil(LANES) * LANES;
        let mut padded = vec![0.0; stride];
        padded[..k].copy_from_slice(&values[..k]);
        let mut a = vec![0.0; d * stride];
        for i in 0..d {
            for j in 0..k {
                a[i * stride + j] = a0[(i, j)];
            }
        }
        let mut m = Self {
            d,
            k,
            stride,
            values: padded,
            a,
            p: vec![0.0; d * stride],
            c: vec![0.0; d * d],
            f: vec![0.0; d * d],
        };
        m.refresh();
        m
    }

    /// C (d x d, row-major).
    pub fn c(&self) -> &[f32] {
        &self.c
    }

    /// C as a matrix view.
    pub fn c_ref(&self) -> MatRef<'_, f32> {
        MatRef::from_row_major_slice(&self.c, self.d, self.d)
    }

    /// A (d x K) as a matrix view.
    pub fn a_ref(&self) -> MatRef<'_, f32> {
        MatRef::from_row_major_slice_with_stride(&self.a, self.d, self.k, self.stride)
    }

    /// Spoils C (every entry NaN): a step that could not be taken, reported as divergence.
    pub fn poison(&mut self) {
        self.c.fill(f32::NAN);
    }

    /// A ← A − 4η (C − I) P: one step of gradient descent.
    pub fn step(&mut self, lr: f32) {
        let scale = -4.0 * lr;
        self.update(|i, j, c| scale * (c - if i == j { 1.0 } else { 0.0 }));
    }

    /// A ← A − η B P for a d x d `b` (Appendix G's update rules).
    pub fn step_with(&mut self, b: MatRef<'_, f32>, lr: f32) {
        self.update(|i, j, _| -lr * b[(i, j)]);
    }

    /// A_i ← A_i + Σ_j coef(i, j, C_ij) P_j (summed in j order), then P and C again; compiled for the best
    /// instruction set this CPU has (pulp's runtime dispatch: AVX2 natively where present).
    fn update(&mut self, coef: impl Fn(usize, usize, f32) -> f32) {
        let d = self.d;
        for i in 0..d {
            for j in 0..d {
                self.f[i * d + j] = coef(i, j, self.c[i * d + j]);
            }
        }
        pulp::Arch::new().dispatch(
            #[inline(always)]
            || {
                let s = self.stride;
                for (row, f) in self.a.chunks_exact_mut(s).zip(self.f.chunks_exact(d)) {
                    // one pass over the row: each lane block gathers all d terms
                    for (at, y) in row.chunks_exact_mut(LANES).enumerate() {
                        let mut acc = [0.0f32; LANES];
                        acc.copy_from_slice(y);
                        for (j, fj) in f.iter().enumerate() {
                            let x = &self.p[j * s + at * LANES..j * s + (at + 1) * LANES];
                            for l in 0..LANES {
                                acc[l] += fj * x[l];
                            }
                        }
                        y.copy_from_slice(&acc);
                    }
                }
                self.refresh_inline();
            },
        );
    }

    /// P = A Λ and C = P Aᵀ.
    fn refresh(&mut self) {
        pulp::Arch::new().dispatch(
            #[inline(always)]
            || self.refresh_inline(),
        );
    }

    /// P = A Λ and C = P Aᵀ (lower triangle computed, mirrored).
    #[inline(always)]
    fn refresh_inline(&mut self) {
        let (d, s) = (self.d, self.stride);
        for (p_row, a_row) in self.p.chunks_exact_mut(s).zip(self.a.chunks_exact(s)) {
            for ((p, a), g) in p_row.iter_mut().zip(a_row).zip(&self.values) {
                *p = a * g;
            }
        }
        for i in 0..d {
            for j in 0..=i {
                let v = dot(&self.p[i * s..(i + 1) * s], &self.a[j * s..(j + 1) * s]);
                self.c[i * d + j] = v;
                self.c[j * d + i] = v;
            }
        }
    }
}

/// x · y with [`LANES`] partial sums (equal lengths, a multiple of [`LANES`]).
#[inline(always)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (xc, yc) in x.chunks_exact(LANES).zip(y.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += xc[l] * yc[l];
        }
    }
    let half = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (half[0] + half[2]) + (half[1] + half[3])
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    /// The same step with faer's matmuls in f64.
    fn reference_step(values: &[f64], a: &Mat<f64>, lr: f64) -> Mat<f64> {
        let p = Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)] * values[j]);
        let mut e = &p * a.transpose();
        for i in 0..e.nrows() {
            e[(i, i)] -= 1.0;
        }
        a - (&e * &p) * (4.0 * lr)
    }

    #[test]
    fn steps_like_the_matrix_formula_at_awkward_sizes() {
        for (d, k) in [(1, 1), (3, 7), (10, 24), (5, 17), (12, 33)] {
            let values: Vec<f64> = (0..k).map(|j| 2.0 / (1.0 + j as f64) - 0.05).collect();
            let mut a = Mat::from_fn(d, k, |i, j| ((i * 7 + j * 3) % 11) as f64 * 0.03 - 0.1);
            let a32 = Mat::from_fn(d, k, |i, j| a[(i, j)] as f32);
            let v32: Vec<f32> = values.iter().map(|v| *v as f32).collect();
            let mut m = Modal::new(&v32, a32.as_ref());
            for _ in 0..20 {
                a = reference_step(&values, &a, 0.05);
                m.step(0.05);
            }
            let c = &Mat::from_fn(d, k, |i, j| a[(i, j)] * values[j]) * a.transpose();
            for i in 0..d {
                for j in 0..k {
                    let got = m.a_ref()[(i, j)] as f64;
                    assert!((got - a[(i, j)]).abs() < 1e-5, "A[{i},{j}] d={d} k={k}");
                }
                for j in 0..d {
                    assert!((m.c()[i * d + j] as f64 - c[(i, j)]).abs() < 1e-5);
                    assert_eq!(m.c_ref()[(i, j)], m.c_ref()[(j, i)], "C symmetric");
                }
            }
        }
    }

    #[test]
    fn step_with_b_is_the_general_update() {
        // B = 4 (C − I) gives the plain step
        let a0 = Mat::from_fn(3, 9, |i, j| (i + 2 * j) as f32 * 0.01);
        let values: Vec<f32> = (0..9).map(|j| 1.0 + j as f32 * 0.1).collect();
        let (mut x, mut y) = (
            Modal::new(&values, a0.as_ref()),
            Modal::new(&values, a0.as_ref()),
        );
        let b = Mat::from_fn(3, 3, |i, j| {
            4.0 * (x.c_ref()[(i, j)] - if i == j { 1.0 } else { 0.0 })
        });
        x.step(0.1);
        y.step_with(b.as_ref(), 0.1);
        assert_eq!(x.c(), y.c());
        y.poison();
        assert!(y.c().iter().all(|v| v.is_nan()));
    }
}
