//! What the deep-network experiments measure besides the loss and the eigenvalues
//! (docs/deep.md §3 and §5): linear-probe accuracy (closed-form ridge regression), the
//! effective rank RankMe, and the alignment between two learned subspaces (the paper's
//! Table 2) with its chance level. Pure f64 math on faer; no randomness except the seeded
//! train/test [`split`].

use faer::Mat;

use crate::data::rng::{stream, Rng};
use crate::linalg::{mat_from_row_major, sym_eigen};

/// The ε RankMe adds to every normalized singular value (Garrido et al. 2023, eq. 1).
pub const RANKME_EPS: f64 = 1e-7;

/// Singular values below this fraction of the largest one count as zero when a subspace is
/// orthonormalized in [`subspace_alignment`], and eigenvalues of XᵀX + λI below it (relative)
/// are dropped by the probe's solver.
const RELATIVE_RANK_TOL: f64 = 1e-10;

/// A seeded split of `0..count` into (train, test), each sorted (docs/deep.md §3): the test
/// split holds `round(count · test_fraction)` items, kept within `1..count` when `count ≥ 2`
/// so that both splits are non-empty. Not stratified. Uses the EVAL stream of `seed`.
pub fn split(count: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..count).collect();
    let mut rng = Rng::new(seed, stream::EVAL);
    for i in (1..count).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let fraction = if test_fraction.is_finite() {
        test_fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut tests = (count as f64 * fraction).round() as usize;
    if count >= 2 {
        tests = tests.clamp(1, count - 1);
    }
    let mut test = order.split_off(count - tests);
    order.sort_unstable();
    test.sort_unstable();
    (order, test)
}

/// Accuracy in [0, 1] of a linear probe (docs/deep.md §3): ridge regression of one-hot class
/// targets on `features` (row-major `count x dim`), fitted in closed form on the rows `train`
/// and scored by argmax on the rows `test`.
///
/// Each feature is standardized with its mean and standard deviation over `train` (a feature
/// constant on `train` is dropped); the intercept is the train mean of the targets (not
/// penalized); the weights solve (XᵀX + λI) W = XᵀY_c with X the standardized train features,
/// Y_c the centred one-hot targets and λ = `ridge` (XᵀX has `train.len()` on its diagonal, so
/// λ is relative to the number of train rows). Eigenvalues of XᵀX + λI that vanish (λ = 0 with
/// collinear features) are dropped (a pseudo-inverse). Ties in the argmax go to the lower class.
///
/// Returns NaN when `train` or `test` is empty or a used feature is not finite (a diverged
/// network). Labels at or above `classes` widen the class count rather than panic.
pub fn probe_accuracy(
    features: &[f64],
    dim: usize,
    labels: &[u16],
    classes: usize,
    train: &[usize],
    test: &[usize],
    ridge: f64,
) -> f64 {
    let row = |i: usize| &features[i * dim..(i + 1) * dim];
    if train.is_empty() || test.is_empty() {
        return f64::NAN;
    }
    if train
        .iter()
        .chain(test)
        .any(|&i| row(i).iter().any(|v| !v.is_finite()))
    {
        return f64::NAN;
    }
    let classes = train
        .iter()
        .chain(test)
        .map(|&i| usize::from(labels[i]) + 1)
        .fold(classes.max(1), usize::max);
    let (mean, scale) = standardization(features, dim, train);
    let standardized = |i: usize| -> Vec<f64> {
        let x = row(i);
        (0..dim).map(|j| (x[j] - mean[j]) * scale[j]).collect()
    };
    let x = Mat::from_fn(train.len(), dim, |r, j| {
        (row(train[r])[j] - mean[j]) * scale[j]
    });
    let mut y_mean = vec![0.0; classes];
    for &i in train {
        y_mean[usize::from(labels[i])] += 1.0 / train.len() as f64;
    }
    let y = Mat::from_fn(train.len(), classes, |r, c| {
        f64::from(u8::from(usize::from(labels[train[r]]) == c)) - y_mean[c]
    });
    let gram = x.transpose() * &x + ridge.max(0.0) * Mat::<f64>::identity(dim, dim);
    let Some(weights) = pseudo_solve(&gram, &(x.transpose() * &y)) else {
        return f64::NAN;
    };
    let correct = test
        .iter()
        .filter(|&&i| {
            let x = standardized(i);
            let score =
                |c: usize| y_mean[c] + (0..dim).map(|j| x[j] * weights[(j, c)]).sum::<f64>();
            let best = (1..classes).fold(0, |b, c| if score(c) > score(b) { c } else { b });
            best == usize::from(labels[i])
        })
        .count();
    correct as f64 / test.len() as f64
}

/// Per-feature mean over `rows` and 1/std (0 for a feature constant on `rows`).
fn standardization(features: &[f64], dim: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len() as f64;
    let mut mean = vec![0.0; dim];
    for &i in rows {
        for (m, v) in mean.iter_mut().zip(&features[i * dim..(i + 1) * dim]) {
            *m += v / n;
        }
    }
    let mut var = vec![0.0; dim];
    for &i in rows {
        for ((s, v), m) in var.iter_mut().zip(&features[i * dim..]).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    let scale = var
        .iter()
        .zip(&mean)
        .map(|(&v, m)| {
            let sd = v.sqrt();
            if sd > 1e-12 * (1.0 + m.abs()) {
                1.0 / sd
            } else {
                0.0
            }
        })
        .collect();
    (mean, scale)
}

/// A⁺ B for a symmetric positive semi-definite A (eigenvalues below `RELATIVE_RANK_TOL` of
/// the largest dropped); None when the eigensolver fails (non-finite entries).
fn pseudo_solve(a: &Mat<f64>, b: &Mat<f64>) -> Option<Mat<f64>> {
    let e = sym_eigen(a.as_ref()).ok()?;
    let top = e.values.first().copied().unwrap_or(0.0).max(0.0);
    let inv: Vec<f64> = e
        .values
        .iter()
        .map(|&s| {
            if s > RELATIVE_RANK_TOL * top && s > 0.0 {
                1.0 / s
            } else {
                0.0
            }
        })
        .collect();
    let vtb = e.vectors.transpose() * b;
    let scaled = Mat::from_fn(vtb.nrows(), vtb.ncols(), |i, j| vtb[(i, j)] * inv[i]);
    Some(&e.vectors * scaled)
}

/// RankMe, the effective rank of an embedding (Garrido et al. 2023; docs/deep.md §3):
/// exp(−Σ p_k log p_k) with p_k = σ_k / Σσ + ε (ε = [`RANKME_EPS`]); `exp` and `log` from
/// `libm`, the same bits natively and in wasm32 (docs/deep.md §6).
///
/// Takes the **singular values** σ_k of the (centred) embedding matrix, in any order. From
/// the eigenvalues λ_k of the embeddings' covariance pass σ_k = √λ_k (see
/// [`singular_values_from_covariance`]): the singular values of the centred N x d matrix are
/// √(N λ_k), and the factor √N cancels in p_k. RankMe is then between 1 (one direction) and
/// the number of values (all equal). Negative values (rounding) count as 0; an empty or
/// all-zero spectrum has RankMe 0; a non-finite value gives NaN.
pub fn rankme(singular_values: &[f64]) -> f64 {
    if singular_values.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let total: f64 = singular_values.iter().map(|v| v.max(0.0)).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let entropy: f64 = singular_values
        .iter()
        .map(|v| {
            let p = v.max(0.0) / total + RANKME_EPS;
            -p * libm::log(p)
        })
        .sum();
    libm::exp(entropy)
}

/// σ_k = √max(λ_k, 0) from covariance eigenvalues λ_k, for [`rankme`].
pub fn singular_values_from_covariance(eigenvalues: &[f64]) -> Vec<f64> {
    eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).collect()
}

/// Alignment of the subspaces two methods learn (the paper's Table 2; docs/deep.md §5):
/// `a` and `b` are row-major `rows x k` embeddings of the same `rows` inputs. Their columns
/// are centred and orthonormalized (thin SVD; directions with singular value below 1e-10 of
/// the largest are dropped), giving Q_a and Q_b, and the result is ‖Q_aᵀ Q_b‖_F² / k, the mean
/// squared cosine of the k principal angles between the two column spaces: 1 for the same
/// subspace (whatever rotation or scaling of the columns), 0 for orthogonal ones. A
/// collapsed direction counts as a right angle. NaN when an entry is not finite; 0 when
/// either embedding is constant.
///
/// `theory::ntk::subspace_alignment` is the same quantity for the MLP's NTK comparison
/// (Appendix E), on uncentred columns orthonormalized by QR (no collapsed direction dropped)
/// and divided by the smaller column count.
///
/// # Panics
/// If `a` or `b` is shorter than `rows · k`.
pub fn subspace_alignment(a: &[f64], b: &[f64], rows: usize, k: usize) -> f64 {
    if k == 0 || rows == 0 {
        return 0.0;
    }
    let (Some(qa), Some(qb)) = (centred_basis(a, rows, k), centred_basis(b, rows, k)) else {
        return f64::NAN;
    };
    let m = qa.transpose() * &qb;
    let mut sum = 0.0;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            sum += m[(i, j)] * m[(i, j)];
        }
    }
    sum / k as f64
}

/// An orthonormal basis (as columns) of the span of the centred columns of the row-major
/// `rows x k` matrix `data`; None when an entry is not finite or the SVD fails.
fn centred_basis(data: &[f64], rows: usize, k: usize) -> Option<Mat<f64>> {
    if data[..rows * k].iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut m = mat_from_row_major(rows, k, &data[..rows * k]);
    for j in 0..k {
        let mean = (0..rows).map(|i| m[(i, j)]).sum::<f64>() / rows as f64;
        for i in 0..rows {
            m[(i, j)] -= mean;
        }
    }
    let svd = m.thin_svd().ok()?;
    let s = svd.S().column_vector();
    let top = if s.nrows() > 0 { s[0] } else { 0.0 };
    let keep = (0..s.nrows())
        .filter(|&i| top > 0.0 && s[i] > RELATIVE_RANK_TOL * top)
        .count();
    let u = svd.U();
    Some(Mat::from_fn(rows, keep, |i, j| u[(i, j)]))
}

/// The expected [`subspace_alignment`] of two independent uniformly random k-dimensional
/// subspaces (docs/deep.md §5). Centred columns live in the (rows − 1)-dimensional subspace
/// orthogonal to the all-ones vector, where the expectation of ‖Q_aᵀ Q_b‖_F² / k is
/// k / (rows − 1) (each of the k² entries of Q_aᵀ Q_b has mean square 1/(rows − 1)); capped
/// at 1. For rows ≫ k this is the familiar k / rows.
pub fn chance_alignment(rows: usize, k: usize) -> f64 {
    if rows < 2 {
        return 1.0;
    }
    (k as f64 / (rows - 1) as f64).min(1.0)
}

#[cfg(test)]
#[path = "measures_tests.rs"]
mod tests;
