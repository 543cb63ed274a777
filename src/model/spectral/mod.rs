//! Appendix G's loss variants (docs/math.md §8) as spectral functions of C = Q diag(λ) Qᵀ.
//!
//! For L = Σ_j ℓ(λ_j), dL/dC = G = Q diag(ℓ'(λ_j)) Qᵀ and, in the linear model,
//! ∇_W L = 2 G W Γ. Every backend steps W ← W − η B W Γ with the d x d *update matrix*
//! B = 2G (B = 2 (M + aI)⁻¹ G for preconditioning, M = FᵀF/(2n) the embedding second
//! moment). For the baseline B = 4 (C − I) exactly, with no eigendecomposition.

use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};

use crate::linalg::{self, LinalgError, SymEigen};

/// The sharp variant's derivative ℓ'(λ) = (g(λ) − 1)/sqrt|λ| is unbounded at λ = 0; the code
/// divides by sqrt(max(|λ|, floor)) with the floor [`sharp_floor`] = 2^-17 Σ_j |λ_j| of C's
/// spectrum (at least [`SHARP_FLOOR_MIN`]): 64 f32 ulps of C's scale (docs/math.md §8).
/// An eigenvalue of an f32 C is known to about ε·‖C‖ (ε = 2^-24, times d and the length of
/// its sums): below the floor such rounding noise all gets the same slope, so the noisy
/// eigenvectors of those eigenvalues do not matter, and near the floor it changes the slope
/// by δλ/(2·floor) ≲ 1%. Tied to C's own scale, the floor never binds under small init
/// (every eigenvalue is then ~α², far above 2^-17 of their sum), where a fixed floor (1e-4)
/// capped the push of every mode and slowed sharp's escape (docs/math.md §8 has the numbers).
pub const SHARP_FLOOR_REL: f64 = 1.0 / 131_072.0;

/// The least floor of sharp's ℓ': keeps 1/sqrt(floor) finite in f32 (≤ 1e15) when C is 0
/// or all of its eigenvalues are.
pub const SHARP_FLOOR_MIN: f64 = 1e-30;

/// Sharp's floor for a C with these eigenvalues: max([`SHARP_FLOOR_REL`] Σ_j |λ_j|,
/// [`SHARP_FLOOR_MIN`]).
pub fn sharp_floor(eigenvalues: &[f64]) -> f64 {
    let scale: f64 = eigenvalues.iter().map(|l| l.abs()).sum();
    (SHARP_FLOOR_REL * scale).max(SHARP_FLOOR_MIN)
}

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

    /// ℓ'(λ), with the sharp variant's guard: it divides by sqrt(max(|λ|, `floor`)) (the
    /// other variants ignore `floor`; [`LossVariant::slopes`] picks it from the spectrum).
    pub fn slope(self, lambda: f64, floor: f64) -> f64 {
        match self {
            LossVariant::Baseline | LossVariant::Precondition => 2.0 * (lambda - 1.0),
            LossVariant::Sharp => (signed_sqrt(lambda) - 1.0) / lambda.abs().max(floor).sqrt(),
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

    /// ℓ'(λ_j) for every eigenvalue of C, sharp's floor [`sharp_floor`] of them all.
    pub fn slopes(self, eigenvalues: &[f64]) -> Vec<f64> {
        let floor = sharp_floor(eigenvalues);
        eigenvalues.iter().map(|l| self.slope(*l, floor)).collect()
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
    let slopes = variant.slopes(&eigen.values);
    let scaled = Mat::from_fn(d, d, |i, j| q[(i, j)] * slopes[j]);
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
