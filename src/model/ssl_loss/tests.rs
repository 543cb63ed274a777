//! The losses against central finite differences, known values and identities.

use faer::Mat;

use super::*;
use crate::data::rng::Rng;
use crate::model::linear;

/// Gaussian N x d data, column j scaled by `scale(j)`.
fn data(n: usize, d: usize, seed: u64, scale: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut r = Rng::new(seed, 0);
    (0..2 * n * d).map(|e| r.normal() * scale(e % d)).collect()
}

/// max |central difference − gradient| / max |gradient|.
fn finite_difference_error(loss: SslLoss, f: &[f64], n: usize, d: usize) -> f64 {
    let grad = loss_and_grad(loss, f, n, d).grad;
    let h = 1e-5;
    let mut worst: f64 = 0.0;
    for e in 0..f.len() {
        let (mut fp, mut fm) = (f.to_vec(), f.to_vec());
        fp[e] += h;
        fm[e] -= h;
        let fd = (loss_value(loss, &fp, n, d) - loss_value(loss, &fm, n, d)) / (2.0 * h);
        worst = worst.max((fd - grad[e]).abs());
    }
    let largest = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(
        largest > 1e-8,
        "{loss:?}: gradient is ~0, the test would be vacuous"
    );
    let err = worst / largest;
    println!("{loss:?} n = {n}, d = {d}: finite-difference error {err:.1e} of max |g|");
    err
}

const SIZES: [(usize, usize); 2] = [(7, 3), (13, 5)];

#[test]
fn barlow_gradient_matches_finite_differences() {
    for (s, &(n, d)) in SIZES.iter().enumerate() {
        let f = data(n, d, 10 + s as u64, |_| 0.7);
        let err = finite_difference_error(SslLoss::BarlowTwins, &f, n, d);
        assert!(err < 1e-6, "n = {n}, d = {d}: relative error {err}");
    }
}

#[test]
fn simclr_gradient_matches_finite_differences() {
    for (s, &(n, d)) in SIZES.iter().enumerate() {
        for temperature in [0.1, 0.5] {
            let f = data(n, d, 20 + s as u64, |j| 1.0 + j as f64);
            let err = finite_difference_error(SslLoss::SimClr { temperature }, &f, n, d);
            assert!(
                err < 1e-6,
                "n = {n}, d = {d}, τ = {temperature}: error {err}"
            );
        }
    }
}

#[test]
fn vicreg_gradient_matches_finite_differences() {
    for (s, &(n, d)) in SIZES.iter().enumerate() {
        // columns with std well below and well above 1: both sides of the relu
        let f = data(n, d, 30 + s as u64, |j| [0.3, 2.0][j % 2]);
        let err = finite_difference_error(SslLoss::VicReg, &f, n, d);
        assert!(err < 1e-6, "n = {n}, d = {d}: relative error {err}");
    }
}

/// F = [X; X'] Wᵀ: the chain rule through F gives the linear model's ∇_W L = 4 (C − I) W Γ.
#[test]
fn barlow_matches_the_linear_model() {
    let (n, m, d) = (9, 6, 4);
    let mut r = Rng::new(40, 0);
    let x = Mat::from_fn(2 * n, m, |_, _| r.normal());
    let w = Mat::from_fn(d, m, |_, _| 0.3 * r.normal());
    let f_mat = &x * w.transpose();
    let f: Vec<f64> = (0..2 * n * d).map(|e| f_mat[(e / d, e % d)]).collect();
    let value = loss_and_grad(SslLoss::BarlowTwins, &f, n, d);
    let g_f = Mat::from_fn(2 * n, d, |i, j| value.grad[i * d + j]);
    let chain = g_f.transpose() * &x;
    let (z, zp) = (x.subrows(0, n), x.subrows(n, n));
    let cross = z.transpose() * zp;
    let gamma = Mat::from_fn(m, m, |i, j| {
        (cross[(i, j)] + cross[(j, i)]) / (2 * n) as f64
    });
    let expected = linear::gradient(w.as_ref(), gamma.as_ref());
    let loss = linear::loss(w.as_ref(), gamma.as_ref());
    assert!(
        (value.loss - loss).abs() < 1e-12 * loss.max(1.0),
        "{} vs {loss}",
        value.loss
    );
    for i in 0..d {
        for j in 0..m {
            let (a, b) = (chain[(i, j)], expected[(i, j)]);
            assert!((a - b).abs() < 1e-12, "({i}, {j}): {a} vs {b}");
        }
    }
}

/// At F = 0, C = 0 and L = ||I||² = d with a zero gradient.
#[test]
fn barlow_at_zero_is_d() {
    let v = loss_and_grad(SslLoss::BarlowTwins, &[0.0; 2 * 5 * 3], 5, 3);
    assert_eq!(v.loss, 3.0);
    assert!(v.grad.iter().all(|g| *g == 0.0));
}

/// Rescaling rows leaves the loss unchanged; each row's gradient is orthogonal to the row and
/// scales inversely with it.
#[test]
fn simclr_is_invariant_to_row_scale() {
    let (n, d) = (6, 4);
    let loss = SslLoss::SimClr { temperature: 0.2 };
    let f = data(n, d, 50, |_| 1.0);
    let row_scale = |i: usize| 0.25 + 0.5 * i as f64;
    let scaled: Vec<f64> = f
        .iter()
        .enumerate()
        .map(|(e, x)| x * row_scale(e / d))
        .collect();
    let (a, b) = (
        loss_and_grad(loss, &f, n, d),
        loss_and_grad(loss, &scaled, n, d),
    );
    assert!((a.loss - b.loss).abs() < 1e-12, "{} vs {}", a.loss, b.loss);
    for i in 0..2 * n {
        let rows = |v: &[f64]| v[i * d..(i + 1) * d].to_vec();
        let (fi, ga, gb) = (rows(&f), rows(&a.grad), rows(&b.grad));
        let radial: f64 = fi.iter().zip(&ga).map(|(x, g)| x * g).sum();
        let norms = fi.iter().map(|x| x * x).sum::<f64>().sqrt()
            * ga.iter().map(|g| g * g).sum::<f64>().sqrt();
        assert!(radial.abs() < 1e-12 * norms, "row {i}: f·g = {radial}");
        for (x, y) in ga.iter().zip(&gb) {
            assert!(
                (x - y * row_scale(i)).abs() < 1e-12,
                "row {i}: {x} vs {}",
                y * row_scale(i)
            );
        }
    }
}

/// All rows equal: every s_ij = 1/τ, L = log(N − 1) and the gradient vanishes. At n = 1 the
/// only negative is the positive, so L = 0.
#[test]
fn simclr_known_values() {
    let loss = SslLoss::SimClr { temperature: 0.3 };
    let (n, d) = (4, 3);
    let f: Vec<f64> = (0..2 * n * d).map(|e| [1.0, -2.0, 0.5][e % d]).collect();
    let v = loss_and_grad(loss, &f, n, d);
    assert!((v.loss - 7f64.ln()).abs() < 1e-12, "{}", v.loss);
    assert!(v.grad.iter().all(|g| g.abs() < 1e-12), "{:?}", v.grad);
    let v = loss_and_grad(loss, &[1.0, 2.0, -3.0, 0.5], 1, 2);
    assert!(
        v.loss.abs() < 1e-12 && v.grad.iter().all(|g| g.abs() < 1e-12),
        "{v:?}"
    );
    // a zero row has a zero gradient, not NaN
    let v = loss_and_grad(loss, &[0.0, 0.0, 1.0, 2.0, -3.0, 0.5, 1.0, 1.0], 2, 2);
    assert!(v.grad[..2].iter().all(|g| *g == 0.0) && v.grad.iter().all(|g| g.is_finite()));
}

/// Z = Z' with orthogonal ±1 (Hadamard) columns and non-zero means: Cov = (4/3) I, so every
/// std exceeds 1 and all three terms, and the gradient, are zero.
#[test]
fn vicreg_vanishes_at_a_whitened_invariant_embedding() {
    let z = [
        [1.0, 1.0, 1.0],
        [1.0, -1.0, -1.0],
        [-1.0, 1.0, -1.0],
        [-1.0, -1.0, 1.0],
    ];
    let shift = [5.0, -2.0, 0.5];
    let block: Vec<f64> = z
        .iter()
        .flat_map(|r| (0..3).map(move |j| r[j] + shift[j]))
        .collect();
    let f = [block.clone(), block].concat();
    let v = loss_and_grad(SslLoss::VicReg, &f, 4, 3);
    assert!(v.loss.abs() < 1e-12, "{}", v.loss);
    assert!(v.grad.iter().all(|g| g.abs() < 1e-12), "{:?}", v.grad);
}

/// At F = 0 only the variance term is left: 25 · 2 · (1 − sqrt(1e-4))/2 = 24.75.
#[test]
fn vicreg_at_zero() {
    let v = loss_and_grad(SslLoss::VicReg, &[0.0; 2 * 5 * 3], 5, 3);
    assert!((v.loss - 24.75).abs() < 1e-12, "{}", v.loss);
    assert!(v.grad.iter().all(|g| *g == 0.0));
}

#[test]
fn serialized_names() {
    let json = serde_json::to_string(&SslLoss::SimClr { temperature: 0.5 }).unwrap();
    assert_eq!(json, r#"{"kind":"sim-clr","temperature":0.5}"#);
    let back: SslLoss = serde_json::from_str(r#"{"kind":"barlow-twins"}"#).unwrap();
    assert_eq!(back, SslLoss::BarlowTwins);
    let back: SslLoss = serde_json::from_str(r#"{"kind":"vic-reg"}"#).unwrap();
    assert_eq!(back, SslLoss::VicReg);
}

#[test]
fn spectral_barlow_variants_match_finite_differences() {
    let (n, d) = (9, 3);
    // eigenvalues of C around 0.2..2.5: clear of sharp's floor and of smooth's kink at 1
    let f = data(n, d, 40, |j| 0.5 + 0.5 * j as f64);
    for variant in [
        LossVariant::Baseline,
        LossVariant::Sharp,
        LossVariant::Smooth,
        LossVariant::Quartic,
    ] {
        let err = finite_difference_error(SslLoss::Spectral { variant, a: 1.0 }, &f, n, d);
        assert!(err < 1e-6, "{variant:?}: relative error {err}");
    }
}

#[test]
fn spectral_baseline_is_barlow_twins_and_precondition_divides_by_the_moment() {
    let (n, d) = (11, 4);
    let f = data(n, d, 41, |_| 0.8);
    let bt = loss_and_grad(SslLoss::BarlowTwins, &f, n, d);
    let base = loss_and_grad(
        SslLoss::Spectral {
            variant: LossVariant::Baseline,
            a: 1.0,
        },
        &f,
        n,
        d,
    );
    assert!((bt.loss - base.loss).abs() < 1e-10);
    for (x, y) in bt.grad.iter().zip(&base.grad) {
        assert!((x - y).abs() < 1e-10);
    }
    // preconditioned: grad · (FᵀF/(2n) + aI) = the Barlow Twins gradient
    let a = 0.3;
    let pre = loss_and_grad(
        SslLoss::Spectral {
            variant: LossVariant::Precondition,
            a,
        },
        &f,
        n,
        d,
    );
    let fm = Mat::from_fn(2 * n, d, |i, j| f[i * d + j]);
    let shifted = fm.transpose() * &fm * (1.0 / (2 * n) as f64)
        + Mat::from_fn(d, d, |i, j| if i == j { a } else { 0.0 });
    let g = Mat::from_fn(2 * n, d, |i, j| pre.grad[i * d + j]);
    let back = g * shifted;
    for i in 0..2 * n {
        for j in 0..d {
            assert!((back[(i, j)] - bt.grad[i * d + j]).abs() < 1e-10);
        }
    }
    assert!(
        (pre.loss - bt.loss).abs() < 1e-10,
        "the loss itself is the baseline's"
    );
}
