//! Simplified Barlow Twins: C = (ZᵀZ' + Z'ᵀZ)/(2n), L = ||C − I||_F²,
//! dL/dZ = (2/n) Z'(C − I), dL/dZ' = (2/n) Z(C − I) (C is symmetric).

use super::{times_square, LossValue};

/// C − I (d x d, row-major) for Z, Z' (n x d each).
pub(super) fn c_minus_identity(z: &[f64], zp: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut m = vec![0.0; d * d];
    for (a, b) in z.chunks_exact(d).zip(zp.chunks_exact(d)) {
        for j in 0..d {
            for k in 0..d {
                m[j * d + k] += a[j] * b[k] + b[j] * a[k];
            }
        }
    }
    let scale = 1.0 / (2 * n) as f64;
    for (e, v) in m.iter_mut().enumerate() {
        *v *= scale;
        if e % (d + 1) == 0 {
            *v -= 1.0;
        }
    }
    m
}

pub(super) fn loss_and_grad(f: &[f64], n: usize, d: usize) -> LossValue {
    let (z, zp) = f.split_at(n * d);
    let m = c_minus_identity(z, zp, n, d);
    let loss = m.iter().map(|v| v * v).sum();
    let scale = 2.0 / n as f64;
    let mut grad = times_square(zp, d, &m);
    grad.extend(times_square(z, d, &m));
    grad.iter_mut().for_each(|g| *g *= scale);
    LossValue { loss, grad }
}
