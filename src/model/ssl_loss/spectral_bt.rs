//! Barlow Twins with one of Appendix G's losses (docs/math.md §8): L = Σ_j ℓ(λ_j(C)) with
//! C = (ZᵀZ' + Z'ᵀZ)/(2n), so dL/dZ = Z'G/n and dL/dZ' = ZG/n for G = dL/dC, i.e.
//! Z'Bᵀ/(2n) with the update matrix B of [`crate::model::spectral::update_matrix`]. For
//! preconditioning, dL/dF is multiplied on the right by (FᵀF/(2n) + aI)⁻¹, which is that
//! formula with B = 2 (M + aI)⁻¹ G.

use faer::Mat;

use super::{barlow, times_square, LossValue};
use crate::linalg;
use crate::model::spectral::{self, LossVariant};

/// The loss Σ ℓ(λ_j) (the baseline's for preconditioning) and the (preconditioned)
/// gradient. A non-finite F gives a non-finite loss and gradient.
pub(super) fn loss_and_grad(
    f: &[f64],
    n: usize,
    d: usize,
    variant: LossVariant,
    a: f64,
) -> LossValue {
    let (z, zp) = f.split_at(n * d);
    let mut c = barlow::c_minus_identity(z, zp, n, d);
    for i in 0..d {
        c[i * d + i] += 1.0;
    }
    let c = Mat::from_fn(d, d, |i, j| c[i * d + j]);
    let moment = second_moment(f, n, d);
    let b = spectral::update_matrix(variant, c.as_ref(), Some(moment.as_ref()), a);
    let eigenvalues = linalg::sym_eigenvalues(c.as_ref());
    let (Ok(b), Ok(eigenvalues)) = (b, eigenvalues) else {
        return LossValue {
            loss: f64::NAN,
            grad: vec![f64::NAN; f.len()],
        };
    };
    let scale = 1.0 / (2 * n) as f64;
    let bt: Vec<f64> = (0..d * d).map(|e| b[(e % d, e / d)] * scale).collect();
    let mut grad = times_square(zp, d, &bt);
    grad.extend(times_square(z, d, &bt));
    LossValue {
        loss: variant.loss(&eigenvalues),
        grad,
    }
}

/// M = FᵀF/(2n) (d x d) for F (2n x d, row-major).
fn second_moment(f: &[f64], n: usize, d: usize) -> Mat<f64> {
    let mut m = Mat::<f64>::zeros(d, d);
    for row in f.chunks_exact(d) {
        for i in 0..d {
            for j in 0..d {
                m[(i, j)] += row[i] * row[j];
            }
        }
    }
    m * (1.0 / (2 * n) as f64)
}
