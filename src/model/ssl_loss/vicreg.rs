//! VICReg on the branches Z and Z' (n x d each), weights 25 / 25 / 1:
//! inv = mean over the n·d entries of (Z − Z')²; per branch, Cov = ZcᵀZc/(n − 1) (unbiased)
//! with Zc the column-centred block, std_j = sqrt(Cov_jj + 1e-4),
//! var = mean_j relu(1 − std_j)/2 and cov = Σ_{j≠k} Cov_jk²/d.
//!
//! Gradient with respect to Z (for Z', swap Z and Z'):
//! dL/dZ_ij = 50 (Z_ij − Z'_ij)/(n d) − 25·1[std_j < 1] Zc_ij/(2 d std_j (n − 1))
//! plus 4 (Zc Cov_offdiag)_ij/(d (n − 1)). Centring adds no term: the column means' derivative
//! meets only column sums of Zc, which are zero.

use super::{times_square, LossValue};

/// Weight of the invariance term.
pub const INV_WEIGHT: f64 = 25.0;
/// Weight of the variance term.
pub const VAR_WEIGHT: f64 = 25.0;
/// Weight of the covariance term.
pub const COV_WEIGHT: f64 = 1.0;
/// Added to the variance under the square root.
pub const VAR_EPS: f64 = 1e-4;

/// One branch's statistics: centred block, covariance (d x d) and column std.
struct Branch {
    centred: Vec<f64>,
    cov: Vec<f64>,
    std: Vec<f64>,
}

impl Branch {
    fn new(z: &[f64], n: usize, d: usize) -> Self {
        let mut mean = vec![0.0; d];
        for r in z.chunks_exact(d) {
            mean.iter_mut().zip(r).for_each(|(m, x)| *m += x / n as f64);
        }
        let centred: Vec<f64> = z
            .chunks_exact(d)
            .flat_map(|r| r.iter().zip(&mean).map(|(x, m)| x - m))
            .collect();
        let mut cov = vec![0.0; d * d];
        for r in centred.chunks_exact(d) {
            for j in 0..d {
                for k in 0..d {
                    cov[j * d + k] += r[j] * r[k] / (n as f64 - 1.0);
                }
            }
        }
        let std = (0..d)
            .map(|j| (cov[j * (d + 1)] + VAR_EPS).sqrt())
            .collect();
        Self { centred, cov, std }
    }

    /// VAR_WEIGHT · var + COV_WEIGHT · cov of this branch.
    fn penalty(&self, d: usize) -> f64 {
        let var: f64 = self.std.iter().map(|s| (1.0 - s).max(0.0)).sum::<f64>() / (2 * d) as f64;
        let cov: f64 = self
            .cov
            .iter()
            .enumerate()
            .filter(|(e, _)| e % (d + 1) != 0)
            .map(|(_, c)| c * c)
            .sum::<f64>()
            / d as f64;
        VAR_WEIGHT * var + COV_WEIGHT * cov
    }

    /// The penalty's gradient with respect to the branch (n x d).
    fn penalty_grad(&self, n: usize, d: usize) -> Vec<f64> {
        let off: Vec<f64> = (0..d * d)
            .map(|e| if e % (d + 1) == 0 { 0.0 } else { self.cov[e] })
            .collect();
        let nm1 = n as f64 - 1.0;
        let mut grad = times_square(&self.centred, d, &off);
        let cov_scale = COV_WEIGHT * 4.0 / (d as f64 * nm1);
        for (g_row, zc_row) in grad.chunks_exact_mut(d).zip(self.centred.chunks_exact(d)) {
            for ((g, zc), s) in g_row.iter_mut().zip(zc_row).zip(&self.std) {
                *g *= cov_scale;
                if *s < 1.0 {
                    *g -= VAR_WEIGHT * zc / (2.0 * d as f64 * s * nm1);
                }
            }
        }
        grad
    }
}

pub(super) fn loss_and_grad(f: &[f64], n: usize, d: usize) -> LossValue {
    let (z, zp) = f.split_at(n * d);
    let diff: Vec<f64> = z.iter().zip(zp).map(|(a, b)| a - b).collect();
    let inv = diff.iter().map(|x| x * x).sum::<f64>() / (n * d) as f64;
    let (bz, bzp) = (Branch::new(z, n, d), Branch::new(zp, n, d));
    let loss = INV_WEIGHT * inv + bz.penalty(d) + bzp.penalty(d);
    let inv_scale = INV_WEIGHT * 2.0 / (n * d) as f64;
    let mut grad = bz.penalty_grad(n, d);
    grad.extend(bzp.penalty_grad(n, d));
    let (gz, gzp) = grad.split_at_mut(n * d);
    for ((a, b), x) in gz.iter_mut().zip(gzp.iter_mut()).zip(&diff) {
        *a += inv_scale * x;
        *b -= inv_scale * x;
    }
    LossValue { loss, grad }
}
