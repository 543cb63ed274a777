//! The empirical NTK of the one-hidden-layer ReLU network (docs/math.md §6), the kernel
//! theory built from it, and the subspace alignment of Appendix E.

use faer::{Mat, MatRef};

use super::kernel::k_gamma;
use super::linear::LinearTheory;
use crate::linalg::{self, LinalgError};
use crate::model::mlp::MlpWeights;

/// Kernel eigenvalues below this fraction of the largest count as zero in K^{-1/2}.
const PINV_CUTOFF: f64 = 1e-10;

/// K(x, y) = Σ_k relu(z_k(x)) relu(z_k(y)) + (x·y + 1) Σ_k w̄2_k 1[z_k(x)>0] 1[z_k(y)>0] + 1
/// over the rows of `x` (N x (m+1), augmented), in f64, with w̄2_k = mean_o W2[o,k]².
pub fn empirical_ntk(w: &MlpWeights, x: MatRef<'_, f32>) -> Mat<f64> {
    let fw = w.forward(x);
    let (n, h) = (x.nrows(), w.shape.hidden);
    let hidden = Mat::from_fn(n, h + 1, |i, k| f64::from(fw.hidden[(i, k)]));
    let mean_sq = readout_mean_squares(w);
    let gates = Mat::from_fn(n, h, |i, k| {
        if fw.hidden[(i, k)] > 0.0 {
            mean_sq[k].sqrt()
        } else {
            0.0
        }
    });
    let xs = Mat::from_fn(n, x.ncols(), |i, j| f64::from(x[(i, j)]));
    let features = &hidden * hidden.transpose();
    let gated = &gates * gates.transpose();
    let inputs = &xs * xs.transpose();
    Mat::from_fn(n, n, |i, j| {
        features[(i, j)] + inputs[(i, j)] * gated[(i, j)]
    })
}

/// w̄2_k = mean over outputs o of W2[o, k]², for the h hidden units.
pub fn readout_mean_squares(w: &MlpWeights) -> Vec<f64> {
    let d = w.shape.outputs as f64;
    (0..w.shape.hidden)
        .map(|k| {
            (0..w.shape.outputs)
                .map(|o| f64::from(w.w2[(o, k)]).powi(2))
                .sum::<f64>()
                / d
        })
        .collect()
}

/// The kernel theory of a run: the top-d eigenpairs of K_Γ and the aligned init.
#[derive(Debug, Clone)]
pub struct KernelTheory {
    pub theory: LinearTheory,
    /// K^{1/2} [b_1 … b_d] (N x d): the predicted embeddings' column space (Prop. 5.1b).
    pub predicted: Mat<f64>,
    /// Top eigenvalues of K_Γ, descending (more than d when available).
    pub gamma_top: Vec<f64>,
}

/// The theory for kernel `k` (N x N, views in [X; X'] order) and the embeddings at init
/// `f0` (N x d): γ_j and b_j from K_Γ, s_j(0) from the QR of F0ᵀ K^{-1/2} [b_1 … b_d].
pub fn kernel_theory(
    k: MatRef<'_, f64>,
    f0: MatRef<'_, f64>,
    keep: usize,
) -> Result<KernelTheory, LinalgError> {
    let d = f0.ncols();
    let kg = k_gamma(k)?;
    let eig = linalg::sym_eigen(kg.as_ref())?;
    let b = eig.vectors.subcols(0, d);
    let (root, inv_root) = roots(k)?;
    let aligned = f0.transpose() * (&inv_root * b);
    let s0 = linalg::qr_r_diagonal(aligned.as_ref());
    Ok(KernelTheory {
        theory: LinearTheory::from_s0(eig.values[..d].to_vec(), s0),
        predicted: &root * b,
        gamma_top: eig.values[..keep.max(d).min(eig.values.len())].to_vec(),
    })
}

/// K^{1/2} and the pseudo-inverse K^{-1/2}.
fn roots(k: MatRef<'_, f64>) -> Result<(Mat<f64>, Mat<f64>), LinalgError> {
    let e = linalg::sym_eigen(k)?;
    let n = k.nrows();
    let cutoff = e.values[0].max(0.0) * PINV_CUTOFF;
    let scale = |v: f64, inverse: bool| match (v > cutoff, inverse) {
        (false, _) => 0.0,
        (true, false) => v.sqrt(),
        (true, true) => 1.0 / v.sqrt(),
    };
    let half = |inverse| {
        let scaled = Mat::from_fn(n, n, |i, j| e.vectors[(i, j)] * scale(e.values[j], inverse));
        &scaled * e.vectors.transpose()
    };
    Ok((half(false), half(true)))
}

/// Appendix E's a(P, P') = ||P P'ᵀ||_F² / d between the column spaces of `a` and `b` (both
/// N x d): 1 for the same subspace, d/N on average for random ones.
pub fn subspace_alignment(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let qa = a.qr().compute_thin_Q();
    let qb = b.qr().compute_thin_Q();
    let overlap = qa.transpose() * qb;
    let d = a.ncols().min(b.ncols()).max(1) as f64;
    let mut sum = 0.0;
    for j in 0..overlap.ncols() {
        for i in 0..overlap.nrows() {
            sum += overlap[(i, j)].powi(2);
        }
    }
    sum / d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::Rng;

    fn random(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
        let mut rng = Rng::new(seed, 0);
        Mat::from_fn(rows, cols, |_, _| rng.normal())
    }

    #[test]
    fn alignment_is_one_for_the_same_span_and_near_chance_for_random() {
        let a = random(200, 4, 1);
        let mix = random(4, 4, 2);
        assert!((subspace_alignment(a.as_ref(), (&a * &mix).as_ref()) - 1.0).abs() < 1e-10);
        let mean: f64 = (0..20)
            .map(|s| subspace_alignment(a.as_ref(), random(200, 4, 10 + s).as_ref()))
            .sum::<f64>()
            / 20.0;
        // chance level d/N = 0.02
        assert!((mean - 0.02).abs() < 0.01, "mean random alignment {mean}");
    }
}
