//! The top k eigenpairs of a large symmetric matrix without its full eigendecomposition:
//! block Lanczos with full reorthogonalization and Rayleigh–Ritz (faer matmuls only).
//!
//! The Krylov basis Q = [Q₀, Q₁, …] (m x s, orthonormal) grows a block of b vectors at a
//! time, Q_{j+1} ⟂ Q spanning A Q_j. Rayleigh–Ritz on T = Qᵀ A Q = Y Θ Yᵀ gives Ritz pairs
//! (θ_i, u_i = Q y_i) with uᵢᵀ A u_j = θ_i δ_ij exactly and residuals
//! r_i = ||A u_i − θ_i u_i|| = ||H y_i − θ_i y_i||, from the projection H = Qᵀ A Q that
//! grows with the basis (A Q_known = Q H exactly): no product with A or Q per check.
//! The leading pairs whose residuals are below `tol` · |θ₁| are kept (but the last, whose
//! value bounds the rest) once they are enough. A small matrix, or a basis that would grow
//! past a third of m, gets the full decomposition instead (exact).
//!
//! Cost for fig1's Γ (m = 1200, k = 32): ≈ 0.1–0.2 GFLOP, against ≈ 9 GFLOP of work in a
//! full symmetric eigendecomposition.

use faer::linalg::matmul::matmul;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::{check_finite, sym_eigen, LinalgError, SymEigen};

/// Below this size the full decomposition is as cheap: use it.
const FULL_BELOW: usize = 160;

/// The leading eigenpairs of a symmetric matrix, with how well they are resolved.
#[derive(Debug, Clone)]
pub struct TopEigen {
    /// The k leading eigenpairs (values descending, vectors m x k as columns).
    pub eigen: SymEigen,
    /// θ_{k+1}: the next Ritz value (≤ γ_{k+1}, within `next_residual` of an eigenvalue).
    pub next_value: f64,
    /// ||A u_{k+1} − θ_{k+1} u_{k+1}||.
    pub next_residual: f64,
    /// ||A u_i − θ_i u_i|| of each kept pair.
    pub residuals: Vec<f64>,
    /// Basis size used (m when the full decomposition was taken).
    pub basis: usize,
}

impl TopEigen {
    /// ||A U − U Θ||_F over the kept pairs: the part of A coupling them to the rest.
    pub fn residual(&self) -> f64 {
        self.residuals.iter().map(|r| r * r).sum::<f64>().sqrt()
    }

    /// Keeps the leading `k` pairs (no-op if there are no more).
    fn truncate(&mut self, k: usize) {
        if k < self.eigen.values.len() {
            self.next_value = self.eigen.values[k];
            self.next_residual = self.residuals[k];
            self.eigen.values.truncate(k);
            self.residuals.truncate(k);
            self.eigen.vectors = self.eigen.vectors.subcols(0, k).to_owned();
        }
    }
}

/// The top `k` eigenpairs of the symmetric `a` with Ritz residuals at most `tol` · |γ₁|,
/// and the (k+1)-th Ritz value (converged too).
pub fn sym_eigen_top(a: MatRef<'_, f64>, k: usize, tol: f64) -> Result<TopEigen, LinalgError> {
    let mut top = sym_eigen_leading(a, k, tol, |top| top.eigen.values.len() >= k)?;
    top.truncate(k);
    Ok(top)
}

/// At least `k_min` leading eigenpairs of the symmetric `a` (used as a whole, not one
/// triangle): every pair whose Ritz residual is at most `tol` · |γ₁| is kept, the next one
/// (converged too) gives [`TopEigen::next_value`], and the basis grows until `accept` takes
/// the candidate. A small matrix, or a basis that would pass a third of m, gets the full
/// decomposition instead, cut at the fewest pairs (≥ `k_min`) that `accept` takes.
pub fn sym_eigen_leading(
    a: MatRef<'_, f64>,
    k_min: usize,
    tol: f64,
    mut accept: impl FnMut(&TopEigen) -> bool,
) -> Result<TopEigen, LinalgError> {
    let m = a.nrows();
    if a.ncols() != m {
        return Err(LinalgError::NotSquare {
            rows: m,
            cols: a.ncols(),
        });
    }
    check_finite(a)?;
    let k_min = k_min.clamp(1, m);
    if m < FULL_BELOW || k_min + 1 >= m / 3 {
        return full(a, k_min, accept);
    }
    let block = (k_min + 1).clamp(8, 16);
    let limit = m / 3;
    let mut lanczos = Lanczos::new(m, limit, block);
    lanczos.start();
    let mut checked = 0;
    loop {
        if lanczos.size + block > limit {
            return full(a, k_min, accept);
        }
        lanczos.extend(a);
        let known = lanczos.size - block;
        // Rayleigh–Ritz costs an s x s eigendecomposition (no product with A, but not free
        // either, in wasm above all): once the basis can hold k_min + 1 pairs, then after
        // every 25% of growth
        if known < k_min + 1 + block || 4 * known < 5 * checked {
            continue;
        }
        checked = known;
        if let Some(top) = lanczos.ritz(k_min, tol)? {
            if accept(&top) {
                return Ok(top);
            }
        }
    }
}

/// The full decomposition, cut at the fewest pairs (at least `k_min`) that `accept` takes.
fn full(
    a: MatRef<'_, f64>,
    k_min: usize,
    mut accept: impl FnMut(&TopEigen) -> bool,
) -> Result<TopEigen, LinalgError> {
    let e = sym_eigen(a)?;
    let m = a.nrows();
    let cut = |k: usize| TopEigen {
        eigen: SymEigen {
            values: e.values[..k].to_vec(),
            vectors: e.vectors.subcols(0, k).to_owned(),
        },
        next_value: e.values.get(k).copied().unwrap_or(f64::NEG_INFINITY),
        next_residual: 0.0,
        residuals: vec![0.0; k],
        basis: m,
    };
    let mut k = k_min;
    loop {
        let top = cut(k);
        if k == m || accept(&top) {
            return Ok(top);
        }
        k = (2 * k).min(m);
    }
}

/// The growing Krylov basis Q and the projection H = Qᵀ A Q over the blocks whose
/// A-products are known (all but the newest): A Q_known = Q H exactly, as each new block is
/// spanned by the previous one's A-product orthogonalized against Q.
struct Lanczos {
    q: Mat<f64>,
    h: Mat<f64>,
    size: usize,
    block: usize,
    /// State of the deterministic generator for start and replacement vectors.
    seed: u64,
}

impl Lanczos {
    fn new(m: usize, limit: usize, block: usize) -> Self {
        Self {
            q: Mat::zeros(m, limit),
            h: Mat::zeros(limit, limit),
            size: 0,
            block,
            seed: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// Q₀: a pseudo-random orthonormal block.
    fn start(&mut self) {
        let m = self.q.nrows();
        let z = Mat::from_fn(m, self.block, |_, _| self.uniform());
        self.append(z);
    }

    /// Uniform in [−1, 1) (splitmix64): the same numbers on every platform.
    fn uniform(&mut self) -> f64 {
        self.seed = self.seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// A Q_last, then the next block (A Q_last orthogonalized against Q) and H's columns of
    /// Q_last: Qᵀ A Q_last over the grown basis.
    fn extend(&mut self, a: MatRef<'_, f64>) {
        let (start, b) = (self.size - self.block, self.block);
        let mut aq = Mat::zeros(a.nrows(), b);
        matmul(
            aq.as_mut(),
            Accum::Replace,
            a,
            self.q.subcols(start, b),
            1.0,
            Par::Seq,
        );
        self.append(aq.clone());
        let q = self.q.subcols(0, self.size);
        let mut h = self.h.as_mut().submatrix_mut(0, start, self.size, b);
        matmul(
            h.rb_mut(),
            Accum::Replace,
            q.transpose(),
            &aq,
            1.0,
            Par::Seq,
        );
    }

    /// Orthogonalizes `z` against Q (twice), orthonormalizes it and appends it; a block that
    /// collapses (an invariant subspace was found) is replaced by fresh pseudo-random vectors.
    fn append(&mut self, mut z: Mat<f64>) {
        let scale = z.norm_l2().max(f64::MIN_POSITIVE);
        self.orthogonalize(z.as_mut());
        if z.norm_l2() < 1e-10 * scale {
            let m = z.nrows();
            z = Mat::from_fn(m, self.block, |_, _| self.uniform());
            self.orthogonalize(z.as_mut());
        }
        let qr = z.qr();
        let weak = (0..self.block).any(|i| qr.R()[(i, i)].abs() < 1e-10 * z.norm_l2());
        let mut basis = qr.compute_thin_Q();
        if weak {
            // a rank-deficient block: orthogonalize again after QR (its weak columns are
            // noise, but still orthonormal to Q after this pass)
            self.orthogonalize(basis.as_mut());
            basis = basis.qr().compute_thin_Q();
        }
        let at = self.size;
        self.q
            .as_mut()
            .subcols_mut(at, self.block)
            .copy_from(basis.as_ref());
        self.size += self.block;
    }

    /// z ← (I − Q Qᵀ)² z over the current basis.
    fn orthogonalize(&self, mut z: MatMut<'_, f64>) {
        if self.size == 0 {
            return;
        }
        let q = self.q.subcols(0, self.size);
        for _ in 0..2 {
            let h = q.transpose() * z.rb();
            matmul(z.rb_mut(), Accum::Add, q, &h, -1.0, Par::Seq);
        }
    }

    /// Rayleigh–Ritz over the blocks whose A-products are known: the leading pairs whose
    /// residuals are within `tol` · |θ₁|, all but the last of them kept, if that keeps at
    /// least `k_min`. With A Q_known = Q H, a Ritz pair (θ, Q_known y) has the residual
    /// ||H y − θ y||: no product with A or with Q until the pairs are taken.
    fn ritz(&self, k_min: usize, tol: f64) -> Result<Option<TopEigen>, LinalgError> {
        // the last block has no A-product yet
        let s = self.size - self.block;
        let h = self.h.submatrix(0, 0, self.size, s);
        let t = Mat::from_fn(s, s, |i, j| 0.5 * (h[(i, j)] + h[(j, i)]));
        let e = sym_eigen(t.as_ref())?;
        // Ritz pairs beyond s − block are too crude to be worth a residual
        let tried = s - self.block;
        let hy = h * e.vectors.subcols(0, tried);
        let scale = e.values[0].abs().max(f64::MIN_POSITIVE);
        let mut residuals = Vec::new();
        for i in 0..tried {
            let (y, th) = (e.vectors.col(i), e.values[i]);
            let r = (0..self.size)
                .map(|r| (hy[(r, i)] - if r < s { th * y[r] } else { 0.0 }).powi(2))
                .sum::<f64>()
                .sqrt();
            if r > tol * scale {
                break;
            }
            residuals.push(r);
        }
        let Some(k) = residuals.len().checked_sub(1).filter(|k| *k >= k_min) else {
            return Ok(None);
        };
        let vectors = self.q.subcols(0, s) * e.vectors.subcols(0, k);
        Ok(Some(TopEigen {
            eigen: SymEigen {
                values: e.values[..k].to_vec(),
                vectors,
            },
            next_value: e.values[k],
            next_residual: residuals[k],
            residuals: residuals[..k].to_vec(),
            basis: s,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric m x m matrix with eigenvalues `spectrum` (descending) in a rotated basis.
    fn with_spectrum(spectrum: &[f64]) -> Mat<f64> {
        let m = spectrum.len();
        let mut l = Lanczos::new(m, m, 1);
        let z = Mat::from_fn(m, m, |_, _| l.uniform());
        let v = z.qr().compute_thin_Q();
        let scaled = Mat::from_fn(m, m, |i, j| v[(i, j)] * spectrum[j]);
        &scaled * v.transpose()
    }

    #[test]
    fn matches_the_full_decomposition() {
        let m = 400;
        // a slowly decaying spectrum with a cluster at the cut and negative values
        let spectrum: Vec<f64> = (0..m)
            .map(|i| 40.0 / (1.0 + i as f64).powf(1.5) - 0.01)
            .collect();
        let a = with_spectrum(&spectrum);
        let k = 24;
        let top = sym_eigen_top(a.as_ref(), k, 1e-10).unwrap();
        assert!(top.basis < m, "fell back to the full decomposition");
        for (i, (got, want)) in top.eigen.values.iter().zip(&spectrum).enumerate() {
            assert!((got - want).abs() < 1e-9, "γ_{i}: {got} vs {want}");
        }
        assert!((top.next_value - spectrum[k]).abs() < 1e-8);
        // orthonormal vectors that diagonalize A
        let u = &top.eigen.vectors;
        let g = u.transpose() * u;
        let au = &a * u;
        for i in 0..k {
            for j in 0..k {
                let id = if i == j { 1.0 } else { 0.0 };
                assert!((g[(i, j)] - id).abs() < 1e-12);
            }
            let r: f64 = (0..m)
                .map(|r| (au[(r, i)] - top.eigen.values[i] * u[(r, i)]).powi(2))
                .sum();
            assert!(r.sqrt() < 1e-9 * 40.0);
        }
        assert!(top.residual() < 1e-9 * 40.0 * (k as f64).sqrt());
    }

    #[test]
    fn small_or_low_rank_matrices_are_exact() {
        // small: the full decomposition
        let a = with_spectrum(&[3.0, 2.0, 1.0, 0.5, 0.0, -1.0]);
        let top = sym_eigen_top(a.as_ref(), 2, 1e-10).unwrap();
        assert_eq!(top.basis, 6);
        assert!((top.eigen.values[1] - 2.0).abs() < 1e-12);
        assert!((top.next_value - 1.0).abs() < 1e-12);
        // rank 5 in dimension 300: the Krylov space closes after one block
        let mut spectrum = vec![0.0; 300];
        spectrum[..5].copy_from_slice(&[5.0, 4.0, 3.0, 2.0, 1.0]);
        let a = with_spectrum(&spectrum);
        let top = sym_eigen_top(a.as_ref(), 8, 1e-10).unwrap();
        let want = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0];
        for (got, want) in top.eigen.values.iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        assert!(top.next_value.abs() < 1e-9);
    }

    #[test]
    fn errors_are_typed() {
        let a = faer::mat![[f64::NAN, 0.0], [0.0, 1.0]];
        assert_eq!(
            sym_eigen_top(a.as_ref(), 1, 1e-9).unwrap_err(),
            LinalgError::NotFinite
        );
        let r = Mat::<f64>::zeros(2, 3);
        assert!(matches!(
            sym_eigen_top(r.as_ref(), 1, 1e-9).unwrap_err(),
            LinalgError::NotSquare { .. }
        ));
    }
}
