//! The kernelized model (docs/math.md §6): K_Γ = K^{1/2} S K^{1/2} over the 2n points [X; X'],
//! with S = (1/2n) [[0, I], [I, 0]].

use faer::{Mat, MatRef};

use crate::data::Pairs;
use crate::linalg::{self, LinalgError};

/// The linear kernel K = Φ Φᵀ of the 2n points Φ = [X; X'].
pub fn linear_kernel(p: &Pairs) -> Mat<f64> {
    let phi = Mat::from_fn(2 * p.n, p.m, |i, j| {
        if i < p.n {
            p.x[i * p.m + j] as f64
        } else {
            p.x_prime[(i - p.n) * p.m + j] as f64
        }
    });
    &phi * phi.transpose()
}

/// K_Γ = K^{1/2} S K^{1/2} for a 2n x 2n kernel matrix in the [X; X'] order. Its non-zero
/// eigenvalues are those of Γ (Prop. 5.1a).
pub fn k_gamma(k: MatRef<'_, f64>) -> Result<Mat<f64>, LinalgError> {
    let two_n = k.nrows();
    let n = two_n / 2;
    let root = linalg::psd_sqrt(k)?;
    // S K^{1/2}: swap the two row blocks and scale by 1/2n.
    let scale = 1.0 / two_n as f64;
    let s_root = Mat::from_fn(two_n, two_n, |i, j| root[((i + n) % two_n, j)] * scale);
    let kg = &root * s_root;
    // exact symmetry (rounding leaves K_Γ asymmetric in the last bits)
    Ok(Mat::from_fn(two_n, two_n, |i, j| {
        0.5 * (kg[(i, j)] + kg[(j, i)])
    }))
}
