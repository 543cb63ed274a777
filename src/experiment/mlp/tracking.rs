//! What an MLP run tracks, from the embeddings and the hidden Gram matrix (f64, CPU).

use faer::Mat;

use super::config::LossKind;
use crate::linalg::{self, LinalgError};

/// Eigenvalues (descending) of C = (ZᵀZ' + Z'ᵀZ)/(2n) for Barlow Twins, else of the
/// centred covariance of the embeddings over the 2n views (the paper's App. D.4).
pub fn embedding_eigenvalues(
    loss: LossKind,
    f: &[f64],
    n: usize,
    d: usize,
) -> Result<Vec<f64>, LinalgError> {
    let m = match loss {
        LossKind::BarlowTwins => cross_correlation(f, n, d),
        LossKind::Simclr | LossKind::Vicreg => covariance(f, 2 * n, d),
    };
    linalg::sym_eigenvalues(m.as_ref())
}

/// C = (ZᵀZ' + Z'ᵀZ)/(2n) for F = [Z; Z'] (2n x d row-major).
pub fn cross_correlation(f: &[f64], n: usize, d: usize) -> Mat<f64> {
    let scale = 1.0 / (2 * n) as f64;
    Mat::from_fn(d, d, |a, b| {
        (0..n)
            .map(|i| f[i * d + a] * f[(i + n) * d + b] + f[(i + n) * d + a] * f[i * d + b])
            .sum::<f64>()
            * scale
    })
}

/// The covariance (1/N) Σ (f_i − f̄)(f_i − f̄)ᵀ over the N rows of F (N x d row-major).
pub fn covariance(f: &[f64], rows: usize, d: usize) -> Mat<f64> {
    let mean: Vec<f64> = (0..d)
        .map(|j| (0..rows).map(|i| f[i * d + j]).sum::<f64>() / rows as f64)
        .collect();
    Mat::from_fn(d, d, |a, b| {
        (0..rows)
            .map(|i| (f[i * d + a] - mean[a]) * (f[i * d + b] - mean[b]))
            .sum::<f64>()
            / rows as f64
    })
}

/// The top `top` eigenvalues of the hidden units' centred covariance, from the Gram matrix
/// G = H̃ H̃ᵀ (N x N row-major): the non-zero eigenvalues of Hcᵀ Hc / N equal those of
/// J G J / N with J = I − 11ᵀ/N (the bias unit's constant column drops out).
pub fn hidden_eigenvalues(gram: &[f32], rows: usize, top: usize) -> Result<Vec<f64>, LinalgError> {
    let g = Mat::from_fn(rows, rows, |i, j| {
        0.5 * (f64::from(gram[i * rows + j]) + f64::from(gram[j * rows + i]))
    });
    let row_mean: Vec<f64> = (0..rows)
        .map(|i| (0..rows).map(|j| g[(i, j)]).sum::<f64>() / rows as f64)
        .collect();
    let all_mean = row_mean.iter().sum::<f64>() / rows as f64;
    let centred = Mat::from_fn(rows, rows, |i, j| {
        (g[(i, j)] - row_mean[i] - row_mean[j] + all_mean) / rows as f64
    });
    let mut values = linalg::sym_eigenvalues(centred.as_ref())?;
    values.truncate(top);
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::Rng;

    #[test]
    fn hidden_eigenvalues_equal_the_covariance_spectrum() {
        let (rows, width) = (9, 5);
        let mut rng = Rng::new(2, 0);
        let h: Vec<f64> = (0..rows * width).map(|_| rng.normal().abs()).collect();
        let gram: Vec<f32> = (0..rows * rows)
            .map(|k| {
                let (i, j) = (k / rows, k % rows);
                (0..width)
                    .map(|c| h[i * width + c] * h[j * width + c])
                    .sum::<f64>() as f32
                    + 1.0 // the bias unit
            })
            .collect();
        let got = hidden_eigenvalues(&gram, rows, 3).unwrap();
        let want = linalg::sym_eigenvalues(covariance(&h, rows, width).as_ref()).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5 * want[0], "{got:?} vs {want:?}");
        }
        assert_eq!(got.len(), 3);
    }
}
