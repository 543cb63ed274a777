//! What the embedding has learned, as directions in input space: SSL as kernel PCA.
//!
//! The rows of W span the learned subspace; its right singular vectors v_k (from the d x d
//! matrix W Wᵀ = Σ s_k² u_k u_kᵀ, v_k = Wᵀ u_k / s_k) are the directions W encodes. Theory
//! says they converge to the top-d eigenvectors e_j of Γ (the linear kernel PCA). They are
//! ordered by their Rayleigh quotient vᵀ Γ v (the γ each direction carries) and signed to
//! match e_j, so the two rows of images can be compared position by position.

use serde::Serialize;

use crate::experiment::Prepared;
use crate::linalg::{self, LinalgError};

/// Learned and predicted directions, row-major d x m each.
#[derive(Debug, Serialize)]
pub struct Directions {
    pub d: usize,
    pub m: usize,
    /// Side of the RGB crop each direction is an image of (photo patches), else null.
    pub crop: Option<usize>,
    pub learned: Vec<f32>,
    pub theory: Vec<f32>,
    /// vᵀ Γ v of each learned direction.
    pub gamma_learned: Vec<f64>,
    /// γ_j of each theory direction.
    pub gamma_theory: Vec<f64>,
    /// |⟨v_j, e_j⟩|: 1 when direction j has been learned.
    pub overlap: Vec<f64>,
}

/// The directions of the current `w` (row-major d x m) next to Γ's top-d eigenvectors.
pub fn directions(prep: &Prepared, w: &[f32]) -> Result<Directions, LinalgError> {
    let (d, m) = (prep.config.d, prep.pairs.m);
    let w = linalg::mat_from_row_major(d, m, w);
    let gram = &w * w.transpose();
    let eig = linalg::sym_eigen(gram.as_ref())?;
    // unit right singular vectors as columns (W's row space)
    let mut v = w.transpose() * &eig.vectors;
    for k in 0..d {
        let norm = (0..m).map(|i| v[(i, k)] * v[(i, k)]).sum::<f64>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        for i in 0..m {
            v[(i, k)] *= scale;
        }
    }
    let gv = &prep.gamma * &v;
    let mut learned: Vec<(f64, Vec<f64>)> = (0..d)
        .map(|k| {
            let col: Vec<f64> = (0..m).map(|i| v[(i, k)]).collect();
            let quotient = (0..m).map(|i| col[i] * gv[(i, k)]).sum::<f64>();
            (quotient, col)
        })
        .collect();
    learned.sort_by(|a, b| b.0.total_cmp(&a.0));
    let vectors = &prep.eigen.vectors;
    let mut out = Directions {
        d,
        m,
        crop: prep.pairs.crop,
        learned: Vec::with_capacity(d * m),
        theory: Vec::with_capacity(d * m),
        gamma_learned: Vec::with_capacity(d),
        gamma_theory: prep.eigen.values[..d].to_vec(),
        overlap: Vec::with_capacity(d),
    };
    for (j, (g, v)) in learned.iter().enumerate() {
        let dot: f64 = (0..m).map(|i| v[i] * vectors[(i, j)]).sum();
        let sign = if dot < 0.0 { -1.0 } else { 1.0 };
        out.learned.extend(v.iter().map(|x| (sign * x) as f32));
        out.theory.extend((0..m).map(|i| vectors[(i, j)] as f32));
        out.gamma_learned.push(*g);
        out.overlap.push(dot.abs());
    }
    Ok(out)
}
