//! What a deep-network run tracks at each record (docs/deep.md §3), from the network's
//! outputs on the fixed evaluation views: the loss, the embedding eigenvalues, the hidden
//! representation's top eigenvalues, linear probes on both, and their RankMe.

use super::config::LossKind;
use super::prepare::DeepPrepared;
use crate::experiment::measures;
use crate::experiment::mlp::tracking::{covariance, cross_correlation};
use crate::linalg::{self, LinalgError};
use crate::model::ssl_loss::{self, NORM_FLOOR};

/// Everything measured at one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub loss: f64,
    /// Embedding eigenvalues, descending.
    pub eigenvalues: Vec<f64>,
    /// Top hidden-covariance eigenvalues, descending.
    pub hidden: Vec<f64>,
    /// Probe test accuracies on the embedding and on the hidden representation.
    pub probe: (f64, f64),
    /// RankMe of the embedding and of the hidden representation.
    pub rank: (f64, f64),
}

/// Measures the evaluation outputs `f` (2E x d) and `h` (2E x hidden_dim).
pub fn measure(prep: &DeepPrepared, f: &[f64], h: &[f64]) -> Result<Measured, LinalgError> {
    let cfg = &prep.config;
    let (rows, d, hd) = (prep.eval_count(), cfg.d, prep.shape.hidden_dim());
    let hidden_cov = linalg::sym_eigenvalues(covariance(h, rows, hd).as_ref())?;
    let probe = |x: &[f64], dim: usize| {
        measures::probe_accuracy(
            x,
            dim,
            &prep.eval_labels,
            prep.base.classes.len(),
            &prep.probe_train,
            &prep.probe_test,
            cfg.probe_ridge,
        )
    };
    Ok(Measured {
        loss: ssl_loss::loss_value(cfg.ssl_loss(), f, rows / 2, d),
        eigenvalues: embedding_eigenvalues(cfg.loss, f, rows, d)?,
        hidden: hidden_cov.iter().take(cfg.hidden_top).copied().collect(),
        probe: (probe(f, d), probe(h, hd)),
        rank: (
            rankme_of_covariance(&linalg::sym_eigenvalues(covariance(f, rows, d).as_ref())?),
            rankme_of_covariance(&hidden_cov),
        ),
    })
}

/// Eigenvalues (descending) of C = (ZᵀZ' + Z'ᵀZ)/(2n) for Barlow Twins, of the covariance of
/// the embeddings for VICReg, and of the covariance of the normalized embeddings for SimCLR
/// (whose loss sees only directions; docs/deep.md §3).
pub fn embedding_eigenvalues(
    loss: LossKind,
    f: &[f64],
    rows: usize,
    d: usize,
) -> Result<Vec<f64>, LinalgError> {
    let m = match loss {
        LossKind::BarlowTwins => cross_correlation(f, rows / 2, d),
        LossKind::Vicreg => covariance(f, rows, d),
        LossKind::Simclr => covariance(&normalized_rows(f, d), rows, d),
    };
    linalg::sym_eigenvalues(m.as_ref())
}

/// Every row of `f` (rows x d) scaled to unit norm (rows below the loss's norm floor: zero).
pub fn normalized_rows(f: &[f64], d: usize) -> Vec<f64> {
    f.chunks_exact(d)
        .flat_map(|row| {
            let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            let scale = if norm < NORM_FLOOR { 0.0 } else { 1.0 / norm };
            row.iter().map(move |v| v * scale)
        })
        .collect()
}

/// RankMe (docs/deep.md §3) from the eigenvalues of a covariance.
fn rankme_of_covariance(eigenvalues: &[f64]) -> f64 {
    measures::rankme(&measures::singular_values_from_covariance(eigenvalues))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simclr_tracks_the_normalized_embeddings() {
        // Two directions at very different norms: normalized, they weigh the same.
        let f = vec![10.0, 0.0, 0.0, 0.1, -10.0, 0.0, 0.0, -0.1];
        let cov = embedding_eigenvalues(LossKind::Simclr, &f, 4, 2).unwrap();
        assert!((cov[0] - cov[1]).abs() < 1e-12, "{cov:?}");
        let raw = embedding_eigenvalues(LossKind::Vicreg, &f, 4, 2).unwrap();
        assert!(raw[0] > 1e3 * raw[1], "{raw:?}");
    }

    #[test]
    fn rankme_counts_equal_directions() {
        assert!((rankme_of_covariance(&[4.0, 4.0, 0.0]) - 2.0).abs() < 1e-5);
    }
}
