//! Planted pairs: x = U A z + σ ε, x' = U B z + σ ε' with orthonormal U (m x k), latents z
//! whose n x k matrix Z has exactly orthonormal, mean-zero columns scaled by sqrt(n), and
//! A B = diag(spectrum). Without noise Γ = U diag(spectrum) Uᵀ exactly (up to rounding).

use super::config::DatasetConfig;
use super::rng::{stream, Rng};
use super::Pairs;

/// Builds the planted dataset (cfg already validated: k ≤ min(dim, n − 1)).
pub fn build(cfg: &DatasetConfig) -> Pairs {
    let (n, m, k) = (cfg.n, cfg.dim, cfg.spectrum.len());
    let mut rng = Rng::new(cfg.seed, stream::PLANTED);
    let u = orthonormal_columns(m, k, false, &mut rng);
    let z = orthonormal_columns(n, k, true, &mut rng);
    let scale = (n as f64).sqrt();
    let mut x = Vec::with_capacity(n * m);
    let mut x_prime = Vec::with_capacity(n * m);
    for i in 0..n {
        for (view, signed) in [(&mut x, false), (&mut x_prime, true)] {
            for r in 0..m {
                let mut v = 0.0;
                for (j, g) in cfg.spectrum.iter().enumerate() {
                    let a = g.abs().sqrt();
                    let coef = if signed && *g < 0.0 { -a } else { a };
                    v += u[r * k + j] * coef * z[i * k + j] * scale;
                }
                view.push((v + cfg.noise * rng.normal()) as f32);
            }
        }
    }
    Pairs {
        n,
        m,
        x,
        x_prime,
        crop: None,
    }
}

/// A `rows x cols` row-major matrix with orthonormal columns, by modified Gram–Schmidt of a
/// Gaussian matrix (plain loops: identical on every platform). `mean_zero` first removes each
/// column's mean, so the columns are also orthogonal to the all-ones vector.
fn orthonormal_columns(rows: usize, cols: usize, mean_zero: bool, rng: &mut Rng) -> Vec<f64> {
    let mut a: Vec<Vec<f64>> = (0..cols)
        .map(|_| (0..rows).map(|_| rng.normal()).collect())
        .collect();
    for j in 0..cols {
        if mean_zero {
            let mu = a[j].iter().sum::<f64>() / rows as f64;
            a[j].iter_mut().for_each(|v| *v -= mu);
        }
        for p in 0..j {
            let dot: f64 = a[j].iter().zip(&a[p]).map(|(x, y)| x * y).sum();
            let (done, rest) = a.split_at_mut(j);
            rest[0]
                .iter_mut()
                .zip(&done[p])
                .for_each(|(v, q)| *v -= dot * q);
        }
        let norm = a[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        a[j].iter_mut().for_each(|v| *v /= norm);
    }
    (0..rows * cols)
        .map(|idx| a[idx % cols][idx / cols])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_orthonormal_and_mean_zero() {
        let mut rng = Rng::new(5, 0);
        let (rows, cols) = (17, 5);
        let q = orthonormal_columns(rows, cols, true, &mut rng);
        for a in 0..cols {
            let mean: f64 = (0..rows).map(|r| q[r * cols + a]).sum::<f64>() / rows as f64;
            assert!(mean.abs() < 1e-12);
            for b in 0..cols {
                let dot: f64 = (0..rows).map(|r| q[r * cols + a] * q[r * cols + b]).sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "{a} {b} {dot}");
            }
        }
    }
}
