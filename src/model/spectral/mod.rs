//! Appendix G's loss variants (docs/math.md §8) as spectral functions of C = Q diag(λ) Qᵀ.
//!
//! For L = Σ_j ℓ(λ_j), dL/dC = G = Q diag(ℓ'(λ_j)) Qᵀ and, in the linear model,
//! ∇_W L = 2 G W Γ. Every backend steps W ← W − η B W Γ with the d x d *update matrix*
//! B = 2G (B = 2 (M + aI)⁻¹ G for preconditioning, M = FᵀF/(2n) the embedding second
//! moment). For the baseline B = 4 (C − I) exactly, with no eigendecomposition.

use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};

use crate::linalg::{self, LinalgError, SymEigen};

/// The sharp variant's derivative ℓ'(λ) = (g(λ) − 1)/sqrt|λ| uses sqrt(max(|λ|, floor)):
/// the force on a singular value stays bounded (it only weakens below the floor), and
/// eigenvalues of an f32 C that are rounding noise (≲ 1e-7 of the largest) all get the same
/// slope, so their noisy eigenvectors do not matter. Near λ the slope changes by about
/// δλ/(2λ) relative for a rounding error δλ ~ 1e-7 of an f32 C: at the floor 1e-4 that is
/// 5e-4 (at 1e-6 it would be 5%). Below the floor a mode escapes at the rate
/// 2γ/sqrt(floor) = 200γ per unit t, 25x the baseline's 8γ, so that the
/// escape time still barely depends on the init scale.
pub const SHARP_FLOOR: f64 = 1e-4;

/// One of Appendix G's losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossVariant {
    /// ℓ = (λ − 1)²: Barlow Twins.
    Baseline,
    /// ℓ = (sign(λ) sqrt|λ| − 1)² (G.2): a Θ(1) push away from λ = 0.
    Sharp,
    /// ℓ = (min(λ, 0.9 + 0.1 λ) − 1)² (G.3): a wider basin to the right of 1.
    Smooth,
    /// ℓ = (λ − 1)⁴ (G.3): vanishing curvature at the minimum.
    Quartic,
    /// The baseline loss with ∇_F L ← ∇_F L (FᵀF/(2n) + aI)⁻¹ (G.1).
    Precondition,
}

impl LossVariant {
    /// Every variant, the baseline first.
    pub const ALL: [LossVariant; 5] = [
        LossVariant::Baseline,
        LossVariant::Sharp,
        LossVariant::Smooth,
        LossVariant::Quartic,
        LossVariant::Precondition,
    ];

    /// The name used in configurations and tables.
    pub fn name(self) -> &'static str {
        match self {
            LossVariant::Baseline => "baseline",
            LossVariant::Sharp => "sharp",
            LossVariant::Smooth => "smooth",
            LossVariant::Quartic => "quartic",
            LossVariant::Precondition => "precondition",
        }
    }

    /// The index the WGSL kernel uses (its `variant` parameter).
    pub fn code(self) -> u32 {
        match self {
            LossVariant::Baseline => 0,
            LossVariant::Sharp => 1,
            LossVariant::Smooth => 2,
            LossVariant::Quartic => 3,
            LossVariant::Precondition => 4,
        }
    }

    /// Whether the update needs the embedding second moment M.
    pub fn needs_moment(self) -> bool {
        self == LossVariant::Precondition
    }

    /// Whether B needs the eigendecomposition of C.
    pub fn needs_eigen(self) -> bool {
        matches!(
            self,
            LossVariant::Sharp | LossVariant::Smooth | LossVariant::Quartic
        )
    }

    /// ℓ(λ).
    pub fn value(self, lambda: f64) -> f64 {
        match self {
            LossVariant::Baseline | LossVariant::Precondition => (lambda - 1.0).powi(2),
            LossVariant::Sharp => (signed_sqrt(lambda) - 1.0).powi(2),
            LossVariant::Smooth => (lambda.min(0.9 + 0.1 * lambda) - 1.0).powi(2),
            LossVariant::Quartic => (lambda - 1.0).powi(4),
        }
    }

    /// ℓ'(λ), with the sharp variant's guard [`SHARP_FLOOR`].
    pub fn slope(self, lambda: f64) -> f64 {
        match self {
            LossVariant::Baseline | LossVariant::Precondition => 2.0 * (lambda - 1.0),
            LossVariant::Sharp => {
                (signed_sqrt(lambda) - 1.0) / lambda.abs().max(SHARP_FLOOR).sqrt()
            }
            LossVariant::Smooth => {
                if lambda <= 1.0 {
                    2.0 * (lambda - 1.0)
                } else {
                    0.02 * (lambda - 1.0)
                }
            }
            LossVariant::Quartic => 4.0 * (lambda - 1.0).powi(3),
        }
    }

    /// L = Σ_j ℓ(λ_j) for the eigenvalues of C.
    pub fn loss(self, eigenvalues: &[f64]) -> f64 {
        eigenvalues.iter().map(|l| self.value(*l)).sum()
    }
}

/// sign(λ) sqrt|λ|.
pub fn signed_sqrt(lambda: f64) -> f64 {
    lambda.signum() * lambda.abs().sqrt()
}

/// G = Q diag(ℓ'(λ)) Qᵀ from C's eigenpairs.
pub fn slope_matrix(variant: LossVariant, eigen: &SymEigen) -> Mat<f64> {
    let d = eigen.values.len();
    let q = &eigen.vectors;
    let scaled = Mat::from_fn(d, d, |i, j| q[(i, j)] * variant.slope(eigen.values[j]));
    &scaled * q.transpose()
}

/// (C + Cᵀ)/2.
fn symmetric_part(c: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(c.nrows(), c.ncols(), |i, j| 0.5 * (c[(i, j)] + c[(j, i)]))
}

/// The update matrix B (d x d) of a step W ← W − η B W Γ at correlation `c` (d x d).
/// `moment` is M = FᵀF/(2n) and `a` the preconditioner's shift; both are read only by
/// [`LossVariant::Precondition`] (a missing M counts as zero).
pub fn update_matrix(
    variant: LossVariant,
    c: MatRef<'_, f64>,
    moment: Option<MatRef<'_, f64>>,
    a: f64,
) -> Result<Mat<f64>, LinalgError> {
    let d = c.nrows();
    let c = symmetric_part(c);
    let g = if variant.needs_eigen() {
        slope_matrix(variant, &linalg::sym_eigen(c.as_ref())?)
    } else {
        Mat::from_fn(d, d, |i, j| {
            2.0 * (c[(i, j)] - if i == j { 1.0 } else { 0.0 })
        })
    };
    if variant != LossVariant::Precondition {
        return Ok(g * 2.0);
    }
    let m = match moment {
        Some(m) => symmetric_part(m),
        None => Mat::zeros(d, d),
    };
    Ok(shifted_inverse(m.as_ref(), a)? * g * 2.0)
}

/// (M + aI)⁻¹ for a symmetric positive semi-definite M and a > 0, through M's eigenpairs
/// (negative eigenvalues, rounding noise, count as zero).
pub fn shifted_inverse(m: MatRef<'_, f64>, a: f64) -> Result<Mat<f64>, LinalgError> {
    let e = linalg::sym_eigen(m)?;
    let d = m.nrows();
    let scaled = Mat::from_fn(d, d, |i, j| e.vectors[(i, j)] / (e.values[j].max(0.0) + a));
    Ok(&scaled * e.vectors.transpose())
}

#[cfg(test)]
mod tests;
