//! Plain-Rust references for the kernels: triple loops with f64 accumulation.

use super::matmul::{Epilogue, MatmulShape};

/// C = A·B (or A·Bᵀ, Aᵀ·B per `shape`), row-major, in f64.
pub fn matmul(shape: MatmulShape, a: &[f32], b: &[f32]) -> Vec<f64> {
    let (m, n, k) = (shape.m, shape.n, shape.k);
    let a_at = |i: usize, kk: usize| {
        if shape.a_transposed {
            a[kk * m + i]
        } else {
            a[i * k + kk]
        }
    };
    let b_at = |kk: usize, j: usize| {
        if shape.b_transposed {
            b[j * k + kk]
        } else {
            b[kk * n + j]
        }
    };
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k)
                .map(|kk| f64::from(a_at(i, kk)) * f64::from(b_at(kk, j)))
                .sum();
        }
    }
    c
}

/// W − 4η (C − I) P for W, P (d x m) and C (d x d), row-major, in f64.
pub fn linear_update((d, m, lr): (usize, usize, f32), c: &[f32], p: &[f32], w: &[f32]) -> Vec<f64> {
    linear_update_with((d, m), (4.0 * f64::from(lr), 1.0), c, p, w)
}

/// W − scale (X − eye I) P for W, P (d x m) and X (d x d), row-major, in f64.
pub fn linear_update_with(
    (d, m): (usize, usize),
    (scale, eye): (f64, f64),
    c: &[f32],
    p: &[f32],
    w: &[f32],
) -> Vec<f64> {
    let mut out = vec![0.0; d * m];
    for i in 0..d {
        for j in 0..m {
            let g: f64 = (0..d)
                .map(|k| {
                    let cik = f64::from(c[i * d + k]) - if i == k { eye } else { 0.0 };
                    cik * f64::from(p[k * m + j])
                })
                .sum();
            out[i * m + j] = f64::from(w[i * m + j]) - scale * g;
        }
    }
    out
}

/// A diag(values) for A (rows x cols), row-major, in f64.
pub fn scale_columns((rows, cols): (usize, usize), a: &[f32], values: &[f32]) -> Vec<f64> {
    (0..rows * cols)
        .map(|k| f64::from(a[k]) * f64::from(values[k % cols]))
        .collect()
}

/// C = A·B per `shape` with `epilogue` applied, C starting as `c` and `aux` the mask source
/// (both m x n), row-major, in f64.
pub fn matmul_epilogue(
    (shape, epilogue): (MatmulShape, Epilogue),
    (a, b): (&[f32], &[f32]),
    (c, aux): (&[f32], &[f32]),
) -> Vec<f64> {
    let n = shape.n;
    let mut out = matmul(shape, a, b);
    for (k, v) in out.iter_mut().enumerate() {
        match epilogue {
            Epilogue::None => {}
            Epilogue::Relu => *v = v.max(0.0),
            Epilogue::ReluMask { frozen } => {
                if aux[k] <= 0.0 || k % n == frozen {
                    *v = 0.0;
                }
            }
            Epilogue::Descend { lr } => *v = f64::from(c[k]) - f64::from(lr) * *v,
        }
    }
    out
}

/// One step of gradient descent, with heavy-ball momentum μ when given (v ← μ v + g,
/// w ← w − η v), on flat (w, g, v); returns (w, v), in f64.
pub fn sgd(
    (lr, momentum): (f32, Option<f32>),
    (w, g, v): (&[f32], &[f32], &[f32]),
) -> (Vec<f64>, Vec<f64>) {
    let (lr, f) = (f64::from(lr), f64::from);
    let vel: Vec<f64> = match momentum {
        Some(mu) => g
            .iter()
            .zip(v)
            .map(|(&g, &v)| f64::from(mu) * f(v) + f(g))
            .collect(),
        None => g.iter().map(|&g| f(g)).collect(),
    };
    let w = w.iter().zip(&vel).map(|(&w, v)| f(w) - lr * v).collect();
    let v = match momentum {
        Some(_) => vel,
        None => v.iter().map(|&v| f(v)).collect(),
    };
    (w, v)
}

/// `steps` steps of [`super::linear_fused`] in f64 from A (d x K, row-major) with eigenvalues
/// `values`: A ← A − 4η (C − I) A Λ, then C = A Λ Aᵀ. Returns A and C (row-major).
pub fn linear_fused(
    (d, k, lr): (usize, usize, f32),
    steps: u32,
    values: &[f32],
    a: &[f32],
) -> (Vec<f64>, Vec<f64>) {
    let mut a: Vec<f64> = a.iter().map(|&x| f64::from(x)).collect();
    let mut c = correlation(d, k, values, &a);
    for _ in 0..steps {
        let mut b = c.clone();
        for i in 0..d {
            b[i * d + i] -= 1.0;
        }
        a = eigenbasis_step(d, k, values, &a, &b, 4.0 * f64::from(lr));
        c = correlation(d, k, values, &a);
    }
    (a, c)
}

/// `steps` steps of [`super::spectral_fused`] in f64: B from C (and, for preconditioning,
/// M = A Σ Aᵀ with `sigma` Σ, K x K row-major) by [`crate::model::spectral::update_matrix`],
/// A ← A − η B A Λ, C = A Λ Aᵀ. Returns A and C.
pub fn spectral_fused(
    (variant, shift): (crate::model::spectral::LossVariant, f64),
    (d, k, lr): (usize, usize, f32),
    steps: u32,
    (values, a, sigma): (&[f32], &[f32], Option<&[f32]>),
) -> Result<(Vec<f64>, Vec<f64>), crate::linalg::LinalgError> {
    use faer::Mat;
    let mut a: Vec<f64> = a.iter().map(|&x| f64::from(x)).collect();
    let mut c = correlation(d, k, values, &a);
    let sigma = sigma.map(|s| Mat::from_fn(k, k, |i, j| f64::from(s[i * k + j])));
    for _ in 0..steps {
        let am = Mat::from_fn(d, k, |i, j| a[i * k + j]);
        let m = sigma.as_ref().map(|s| &am * s * am.transpose());
        let cm = Mat::from_fn(d, d, |i, j| c[i * d + j]);
        let b = crate::model::spectral::update_matrix(
            variant,
            cm.as_ref(),
            m.as_ref().map(|m| m.as_ref()),
            shift,
        )?;
        let b: Vec<f64> = (0..d * d).map(|e| b[(e / d, e % d)]).collect();
        a = eigenbasis_step(d, k, values, &a, &b, f64::from(lr));
        c = correlation(d, k, values, &a);
    }
    Ok((a, c))
}

/// A Λ Aᵀ for A (d x K, row-major).
fn correlation(d: usize, k: usize, values: &[f32], a: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            c[i * d + j] = (0..k)
                .map(|q| a[i * k + q] * f64::from(values[q]) * a[j * k + q])
                .sum();
        }
    }
    c
}

/// A − scale X A Λ for A (d x K) and X (d x d), row-major.
fn eigenbasis_step(
    d: usize,
    k: usize,
    values: &[f32],
    a: &[f64],
    x: &[f64],
    scale: f64,
) -> Vec<f64> {
    (0..d * k)
        .map(|e| {
            let (i, q) = (e / k, e % k);
            let g: f64 = (0..d).map(|j| x[i * d + j] * a[j * k + q]).sum();
            a[e] - scale * g * f64::from(values[q])
        })
        .collect()
}
