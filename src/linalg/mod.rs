//! Thin wrappers over faer: the few dense linear-algebra operations the science needs, and
//! [`jacobi`], the plain-Rust twin of the GPU's small symmetric eigensolver, and
//! [`sym_eigen_top`], the leading eigenpairs of a large symmetric matrix (block Lanczos).

use faer::{Mat, MatRef, Side};

pub mod jacobi;
mod top_eigen;

pub use jacobi::{jacobi_eigen, JACOBI_SWEEPS};
pub use top_eigen::{sym_eigen_leading, sym_eigen_top, TopEigen};

/// Errors from the dense solvers.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LinalgError {
    #[error("the eigendecomposition did not converge (is the matrix finite?)")]
    NoConvergence,
    #[error("matrix has non-finite entries")]
    NotFinite,
    #[error("matrix is {rows} x {cols}, not square")]
    NotSquare { rows: usize, cols: usize },
}

/// Eigenpairs of a symmetric matrix, eigenvalues in descending order.
#[derive(Debug, Clone)]
pub struct SymEigen {
    /// Eigenvalues, largest first.
    pub values: Vec<f64>,
    /// Unit eigenvectors as columns, in the same order as `values`.
    pub vectors: Mat<f64>,
}

/// Symmetric eigendecomposition with eigenvalues sorted in descending order.
/// Only the lower triangle of `a` is read.
pub fn sym_eigen(a: MatRef<'_, f64>) -> Result<SymEigen, LinalgError> {
    check_finite(a)?;
    let evd = a
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| LinalgError::NoConvergence)?;
    let n = a.nrows();
    let s = evd.S().column_vector();
    let u = evd.U();
    // faer sorts ascending: reverse.
    let values = (0..n).map(|i| s[n - 1 - i]).collect();
    let vectors = Mat::from_fn(n, n, |i, j| u[(i, n - 1 - j)]);
    Ok(SymEigen { values, vectors })
}

/// Eigenvalues only of a symmetric matrix, descending.
pub fn sym_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>, LinalgError> {
    check_finite(a)?;
    let mut v = a
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|_| LinalgError::NoConvergence)?;
    v.reverse();
    Ok(v)
}

/// The absolute diagonal of R in a QR factorization of `a` (a Gram–Schmidt of its columns:
/// entry j is the norm of column j after removing its projection on columns 0..j).
pub fn qr_r_diagonal(a: MatRef<'_, f64>) -> Vec<f64> {
    let qr = a.qr();
    let r = qr.R();
    let k = a.nrows().min(a.ncols());
    (0..k).map(|j| r[(j, j)].abs()).collect()
}

/// Symmetric square root of a positive semi-definite matrix (negative eigenvalues,
/// rounding noise, are clamped to zero).
pub fn psd_sqrt(a: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    let e = sym_eigen(a)?;
    let n = a.nrows();
    let scaled = Mat::from_fn(n, n, |i, j| e.vectors[(i, j)] * e.values[j].max(0.0).sqrt());
    Ok(&scaled * e.vectors.transpose())
}

pub(crate) fn check_finite(a: MatRef<'_, f64>) -> Result<(), LinalgError> {
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            if !a[(i, j)].is_finite() {
                return Err(LinalgError::NotFinite);
            }
        }
    }
    Ok(())
}

/// Converts a row-major `rows x cols` slice into a faer matrix of f64.
pub fn mat_from_row_major<T: Copy + Into<f64>>(rows: usize, cols: usize, data: &[T]) -> Mat<f64> {
    Mat::from_fn(rows, cols, |i, j| data[i * cols + j].into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_descending_and_reconstructs() {
        let a = faer::mat![[2.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, -1.0]];
        let e = sym_eigen(a.as_ref()).unwrap();
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]));
        let d = Mat::from_fn(3, 3, |i, j| if i == j { e.values[i] } else { 0.0 });
        let rec = &e.vectors * &d * e.vectors.transpose();
        for i in 0..3 {
            for j in 0..3 {
                assert!((rec[(i, j)] - a[(i, j)]).abs() < 1e-12);
            }
        }
        let v = sym_eigenvalues(a.as_ref()).unwrap();
        for (x, y) in v.iter().zip(&e.values) {
            assert!((x - y).abs() < 1e-12);
        }
    }

    #[test]
    fn qr_diagonal_is_gram_schmidt() {
        // columns (3,4) and (1,0): norms 5 and |(1,0) - (3/5)(3,4)/5| = 0.8
        let a = faer::mat![[3.0, 1.0], [4.0, 0.0]];
        let r = qr_r_diagonal(a.as_ref());
        assert!((r[0] - 5.0).abs() < 1e-12);
        assert!((r[1] - 0.8).abs() < 1e-12);
    }

    #[test]
    fn sqrt_squares_back() {
        let a = faer::mat![[4.0, 1.0], [1.0, 2.0]];
        let s = psd_sqrt(a.as_ref()).unwrap();
        let b = &s * &s;
        for i in 0..2 {
            for j in 0..2 {
                assert!((b[(i, j)] - a[(i, j)]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn non_finite_is_an_error() {
        let a = faer::mat![[f64::NAN, 0.0], [0.0, 1.0]];
        assert_eq!(sym_eigen(a.as_ref()).unwrap_err(), LinalgError::NotFinite);
    }
}
