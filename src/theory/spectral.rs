//! The top spectral solution (Def. 4.2): the zero-loss W of least Frobenius norm.

use faer::{Mat, MatRef};

/// W = U diag(γ_j^{-1/2}) [v_1 … v_d]ᵀ for an orthogonal d x d `u` (the identity gives the
/// canonical one). `values`/`vectors` are Γ's eigenpairs, descending; requires γ_d > 0.
pub fn top_spectral_w(u: MatRef<'_, f64>, values: &[f64], vectors: MatRef<'_, f64>) -> Mat<f64> {
    let d = u.nrows();
    let scaled = Mat::from_fn(d, vectors.nrows(), |j, k| {
        vectors[(k, j)] / values[j].sqrt()
    });
    u * scaled
}

/// Squared Frobenius norm of the top spectral solution: Σ_{j ≤ d} 1/γ_j.
pub fn top_spectral_norm_sq(values: &[f64], d: usize) -> f64 {
    values[..d].iter().map(|g| 1.0 / g).sum()
}
