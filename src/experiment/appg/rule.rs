//! Appendix G's update rule on the CPU: B from C (and, for preconditioning, from the
//! embedding second moment M = W Σ Wᵀ), in f64 from the f32 state of a backend.

use faer::linalg::matmul::matmul;
use std::sync::Arc;

use faer::{Accum, Mat, MatRef, Par};

use crate::data::Pairs;
use crate::linalg::LinalgError;
use crate::model::spectral::{self, LossVariant};

/// How a CPU backend steps under one of Appendix G's variants.
#[derive(Clone)]
pub struct SpectralRule {
    variant: LossVariant,
    /// The preconditioner's shift a.
    a: f64,
    /// Σ = ΦᵀΦ/(2n) in the backend's basis (m x m), for [`LossVariant::Precondition`].
    moment_op: Option<Arc<Mat<f32>>>,
}

impl SpectralRule {
    /// A rule for `variant`; `a` and `moment_op` (Σ in the backend's basis) are read by
    /// preconditioning only.
    pub fn new(variant: LossVariant, a: f64, moment_op: Option<Arc<Mat<f32>>>) -> Self {
        Self {
            variant,
            a,
            moment_op,
        }
    }

    pub fn variant(&self) -> LossVariant {
        self.variant
    }

    /// B (d x d) at the backend's C (d x d) and W or A (d x m).
    pub fn update(&self, c: MatRef<'_, f32>, w: MatRef<'_, f32>) -> Result<Mat<f32>, LinalgError> {
        let c64 = to_f64(c);
        let moment = match (&self.moment_op, self.variant.needs_moment()) {
            (Some(op), true) => Some(to_f64(second_moment(w, op.as_ref().as_ref()).as_ref())),
            _ => None,
        };
        let b = spectral::update_matrix(
            self.variant,
            c64.as_ref(),
            moment.as_ref().map(|m| m.as_ref()),
            self.a,
        )?;
        Ok(Mat::from_fn(b.nrows(), b.ncols(), |i, j| b[(i, j)] as f32))
    }
}

/// M = W Σ Wᵀ (d x d): d m² work, the one cost of preconditioning.
fn second_moment(w: MatRef<'_, f32>, sigma: MatRef<'_, f32>) -> Mat<f32> {
    let mut ws = Mat::zeros(w.nrows(), sigma.ncols());
    matmul(&mut ws, Accum::Replace, w, sigma, 1.0, Par::Seq);
    let mut m = Mat::zeros(w.nrows(), w.nrows());
    matmul(&mut m, Accum::Replace, &ws, w.transpose(), 1.0, Par::Seq);
    m
}

fn to_f64(a: MatRef<'_, f32>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)] as f64)
}

/// Σ = ΦᵀΦ/(2n), Φ the 2n x m matrix of both views: FᵀF/(2n) = W Σ Wᵀ for F = Φ Wᵀ.
/// With `basis` V (Γ's eigenvectors) the result is VᵀΣV, for the eigenbasis solver.
pub fn data_moment(pairs: &Pairs, basis: Option<MatRef<'_, f64>>) -> Mat<f32> {
    let (n, m) = (pairs.n, pairs.m);
    let phi = Mat::from_fn(2 * n, m, |i, j| {
        let (rows, i) = if i < n {
            (&pairs.x, i)
        } else {
            (&pairs.x_prime, i - n)
        };
        rows[i * m + j] as f64
    });
    let phi = match basis {
        Some(v) => &phi * v,
        None => phi,
    };
    let sigma = phi.transpose() * &phi;
    let scale = 1.0 / (2 * n) as f64;
    Mat::from_fn(m, m, |i, j| (sigma[(i, j)] * scale) as f32)
}
