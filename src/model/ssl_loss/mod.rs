//! The self-supervised losses of docs/math.md §7 on an embedding matrix F, with dL/dF, in f64.
//!
//! F is N x d row-major with N = 2n: rows 0..n are f(x_i) (the block Z), rows n..2n are
//! f(x'_i) (the block Z'). Row i's positive twin is row (i + n) mod N. This is the CPU
//! reference the GPU kernels of [`crate::gpu::loss_grad`] are tested against.
//!
//! - [`barlow`]: simplified Barlow Twins, L = ||C − I||_F² with C = (ZᵀZ' + Z'ᵀZ)/(2n);
//! - [`simclr`]: NT-Xent over cosine similarities at temperature τ;
//! - [`vicreg`]: invariance, variance and covariance terms with weights 25 / 25 / 1.

mod barlow;
mod simclr;
mod spectral_bt;
mod vicreg;

pub use simclr::NORM_FLOOR;

use crate::model::spectral::LossVariant;

/// Which loss, with its hyperparameters. Serialized as `{"kind": "barlow-twins"}`,
/// `{"kind": "sim-clr", "temperature": 0.2}`, `{"kind": "vic-reg"}` or
/// `{"kind": "spectral", "variant": "sharp", "a": 0.1}`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SslLoss {
    BarlowTwins,
    SimClr {
        temperature: f64,
    },
    VicReg,
    /// Barlow Twins with one of Appendix G's losses (`a`: the preconditioner's shift).
    Spectral {
        variant: LossVariant,
        a: f64,
    },
}

/// A loss and its gradient.
#[derive(Debug, Clone, PartialEq)]
pub struct LossValue {
    pub loss: f64,
    /// dL/dF, N x d row-major.
    pub grad: Vec<f64>,
}

/// The loss at F (N x d row-major, N = 2n) and dL/dF.
///
/// VICReg's covariances are unbiased (divided by n − 1), so at n = 1 its loss and gradient
/// are not finite, as with `torch.var`.
///
/// # Panics
/// If `f.len() != 2 n d` (a caller's bug, not a data condition).
pub fn loss_and_grad(loss: SslLoss, f: &[f64], n: usize, d: usize) -> LossValue {
    assert_eq!(f.len(), 2 * n * d, "F must be 2n x d = {} x {d}", 2 * n);
    match loss {
        SslLoss::BarlowTwins => barlow::loss_and_grad(f, n, d),
        SslLoss::SimClr { temperature } => simclr::loss_and_grad(f, n, d, temperature),
        SslLoss::VicReg => vicreg::loss_and_grad(f, n, d),
        SslLoss::Spectral { variant, a } => spectral_bt::loss_and_grad(f, n, d, variant, a),
    }
}

/// The loss alone (same conditions as [`loss_and_grad`]).
pub fn loss_value(loss: SslLoss, f: &[f64], n: usize, d: usize) -> f64 {
    loss_and_grad(loss, f, n, d).loss
}

/// A (rows x d) times M (d x d), both row-major.
fn times_square(a: &[f64], d: usize, m: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len()];
    for (dst, row) in out.chunks_exact_mut(d).zip(a.chunks_exact(d)) {
        for (k, &x) in row.iter().enumerate() {
            for (o, &mkj) in dst.iter_mut().zip(&m[k * d..(k + 1) * d]) {
                *o += x * mkj;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
