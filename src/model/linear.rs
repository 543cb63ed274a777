//! Linear Barlow Twins (docs/math.md §2): f(x) = W x, C = W Γ Wᵀ, L = ||C − I||_F²,
//! ∇_W L = 4 (C − I) W Γ. Reference implementation in f64.

use faer::{Mat, MatRef};

use crate::data::Pairs;

/// Γ = (1/2n) Σ_i (x_i x'_iᵀ + x'_i x_iᵀ), an m x m symmetric matrix.
pub fn gamma(p: &Pairs) -> Mat<f64> {
    let x = Mat::from_fn(p.n, p.m, |i, j| p.x[i * p.m + j] as f64);
    let xp = Mat::from_fn(p.n, p.m, |i, j| p.x_prime[i * p.m + j] as f64);
    let cross = x.transpose() * &xp;
    let scale = 1.0 / (2 * p.n) as f64;
    Mat::from_fn(p.m, p.m, |i, j| (cross[(i, j)] + cross[(j, i)]) * scale)
}

/// C = W Γ Wᵀ (d x d).
pub fn cross_correlation(w: MatRef<'_, f64>, gamma: MatRef<'_, f64>) -> Mat<f64> {
    w * gamma * w.transpose()
}

/// L = ||C − I||_F².
pub fn loss_of_c(c: MatRef<'_, f64>) -> f64 {
    let mut l = 0.0;
    for j in 0..c.ncols() {
        for i in 0..c.nrows() {
            let e = c[(i, j)] - if i == j { 1.0 } else { 0.0 };
            l += e * e;
        }
    }
    l
}

/// L(W) = ||W Γ Wᵀ − I||_F².
pub fn loss(w: MatRef<'_, f64>, gamma: MatRef<'_, f64>) -> f64 {
    loss_of_c(cross_correlation(w, gamma).as_ref())
}

/// ∇_W L = 4 (C − I) W Γ.
pub fn gradient(w: MatRef<'_, f64>, gamma: MatRef<'_, f64>) -> Mat<f64> {
    let p = w * gamma;
    let mut c = &p * w.transpose();
    for i in 0..c.nrows() {
        c[(i, i)] -= 1.0;
    }
    (&c * &p) * 4.0
}

/// Symmetric part (C + Cᵀ)/2 of a row-major d x d f32 matrix, as f64.
pub fn symmetrize(d: usize, c: &[f32]) -> Mat<f64> {
    Mat::from_fn(d, d, |i, j| {
        0.5 * (c[i * d + j] as f64 + c[j * d + i] as f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::Rng;

    fn random(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
        let mut r = Rng::new(seed, 0);
        Mat::from_fn(rows, cols, |_, _| r.normal())
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (d, m) = (3, 7);
        let a = random(m, m, 1);
        let g = Mat::from_fn(m, m, |i, j| 0.1 * (a[(i, j)] + a[(j, i)]));
        let w = random(d, m, 2) * 0.5;
        let grad = gradient(w.as_ref(), g.as_ref());
        let h = 1e-6;
        let mut worst: f64 = 0.0;
        for i in 0..d {
            for j in 0..m {
                let mut wp = w.clone();
                let mut wm = w.clone();
                wp[(i, j)] += h;
                wm[(i, j)] -= h;
                let fd =
                    (loss(wp.as_ref(), g.as_ref()) - loss(wm.as_ref(), g.as_ref())) / (2.0 * h);
                worst = worst.max((fd - grad[(i, j)]).abs() / (1.0 + fd.abs()));
            }
        }
        assert!(worst < 1e-7, "relative gradient error {worst}");
    }

    #[test]
    fn gamma_is_symmetric_cross_correlation() {
        let p = Pairs {
            n: 2,
            m: 2,
            x: vec![1.0, 0.0, 0.0, 2.0],
            x_prime: vec![0.0, 1.0, 1.0, 1.0],
            crop: None,
        };
        let g = gamma(&p);
        // (1/4)(x1 x1'ᵀ + x1' x1ᵀ + x2 x2'ᵀ + x2' x2ᵀ)
        assert!((g[(0, 0)] - 0.0).abs() < 1e-12);
        assert!((g[(0, 1)] - 0.75).abs() < 1e-12);
        assert!((g[(1, 0)] - 0.75).abs() < 1e-12);
        assert!((g[(1, 1)] - 1.0).abs() < 1e-12);
    }
}
