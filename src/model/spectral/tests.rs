use faer::Mat;

use super::*;
use crate::data::rng::Rng;
use crate::model::linear;

fn random(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
    let mut r = Rng::new(seed, 0);
    Mat::from_fn(rows, cols, |_, _| r.normal())
}

/// A symmetric positive definite m x m "Γ" with eigenvalues spread over [0.2, 2].
fn gamma(m: usize, seed: u64) -> Mat<f64> {
    let a = random(m, m, seed);
    let q = a.qr().compute_Q();
    let diag = Mat::from_fn(m, m, |i, j| {
        if i == j {
            0.2 + 1.8 * i as f64 / m as f64
        } else {
            0.0
        }
    });
    &q * diag * q.transpose()
}

fn variant_loss(v: LossVariant, w: &Mat<f64>, g: &Mat<f64>) -> f64 {
    let c = linear::cross_correlation(w.as_ref(), g.as_ref());
    v.loss(&linalg::sym_eigenvalues(c.as_ref()).unwrap())
}

/// max over entries of |finite difference − 2 G W Γ| / (1 + |fd|).
fn gradient_error(v: LossVariant, w: &Mat<f64>, g: &Mat<f64>) -> f64 {
    let c = linear::cross_correlation(w.as_ref(), g.as_ref());
    let b = update_matrix(v, c.as_ref(), None, 1.0).unwrap();
    let grad = b * w * g;
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for i in 0..w.nrows() {
        for j in 0..w.ncols() {
            let (mut wp, mut wm) = (w.clone(), w.clone());
            wp[(i, j)] += h;
            wm[(i, j)] -= h;
            let fd = (variant_loss(v, &wp, g) - variant_loss(v, &wm, g)) / (2.0 * h);
            worst = worst.max((fd - grad[(i, j)]).abs() / (1.0 + fd.abs()));
        }
    }
    worst
}

#[test]
fn every_variant_gradient_matches_finite_differences() {
    let (d, m) = (3, 7);
    let g = gamma(m, 1);
    // eigenvalues of C of order 0.3..3: away from λ = 0 (sharp's floor) and from smooth's
    // kink at λ = 1 for this seed (checked below)
    let w = random(d, m, 2) * 0.6;
    let c = linear::cross_correlation(w.as_ref(), g.as_ref());
    let eig = linalg::sym_eigenvalues(c.as_ref()).unwrap();
    assert!(
        eig.iter().all(|l| *l > 0.05 && (l - 1.0).abs() > 0.05),
        "{eig:?}"
    );
    for v in [
        LossVariant::Baseline,
        LossVariant::Sharp,
        LossVariant::Smooth,
        LossVariant::Quartic,
    ] {
        let err = gradient_error(v, &w, &g);
        assert!(err < 1e-6, "{}: relative gradient error {err}", v.name());
    }
}

#[test]
fn baseline_update_is_four_c_minus_identity() {
    let g = gamma(6, 3);
    let w = random(4, 6, 4) * 0.5;
    let c = linear::cross_correlation(w.as_ref(), g.as_ref());
    let b = update_matrix(LossVariant::Baseline, c.as_ref(), None, 1.0).unwrap();
    // the eigen route gives the same matrix: 2 Q diag(2(λ − 1)) Qᵀ = 4 (C − I)
    let via_eigen = slope_matrix(
        LossVariant::Baseline,
        &linalg::sym_eigen(c.as_ref()).unwrap(),
    ) * 2.0;
    let plain = linear::gradient(w.as_ref(), g.as_ref());
    let ours = &b * &w * &g;
    for i in 0..4 {
        for j in 0..6 {
            assert!((plain[(i, j)] - ours[(i, j)]).abs() < 1e-12);
        }
        for j in 0..4 {
            assert!((b[(i, j)] - via_eigen[(i, j)]).abs() < 1e-12);
        }
    }
}

#[test]
fn slopes_at_known_points() {
    use LossVariant::*;
    // the floor is read by sharp only
    for floor in [0.0, 1e-4, 7.0] {
        assert_eq!(Baseline.slope(0.0, floor), -2.0);
        assert_eq!(Quartic.slope(0.0, floor), -4.0);
        assert_eq!(Smooth.slope(0.5, floor), -1.0);
        assert!((Smooth.slope(2.0, floor) - 0.02).abs() < 1e-15);
    }
    assert!((Smooth.value(2.0) - 0.01).abs() < 1e-15);
    // sharp: ℓ'(1/4) = (1/2 − 1)/(1/2) = −1 above the floor, finite and bounded at and below it
    let floor = 1e-4;
    assert!((Sharp.slope(0.25, floor) + 1.0).abs() < 1e-15);
    let cap = (floor.sqrt() - 1.0) / floor.sqrt();
    assert!((Sharp.slope(0.0, floor) + 1.0 / floor.sqrt()).abs() < 1e-9);
    assert!((Sharp.slope(floor, floor) - cap).abs() < 1e-9);
    // a negative eigenvalue is pushed up too
    assert!(Sharp.slope(-1e-3, floor) < 0.0);
    for v in LossVariant::ALL {
        assert!(v.value(1.0).abs() < 1e-15, "{}", v.name());
        assert!(v.slope(1.0, floor).abs() < 1e-15, "{}", v.name());
    }
}

#[test]
fn sharp_floor_follows_the_scale_of_c() {
    // 2^-17 of Σ|λ|: negative eigenvalues count by their size
    let f = sharp_floor(&[2.0, 1.0, -1.0, 0.0]);
    assert_eq!(f, 4.0 / 131_072.0);
    // scale invariant: under small init (λ ~ 1e-12) the floor is far below every eigenvalue
    let tiny = [3e-12, 2e-12, 1e-12];
    assert!((sharp_floor(&tiny) - 6e-12 * SHARP_FLOOR_REL).abs() < 1e-30);
    let exact: Vec<f64> = tiny.iter().map(|l| (l.sqrt() - 1.0) / l.sqrt()).collect();
    assert_eq!(LossVariant::Sharp.slopes(&tiny), exact);
    // C = 0: the least floor keeps every slope finite, 1/sqrt(1e-30) = 1e15
    let zero = LossVariant::Sharp.slopes(&[0.0, 0.0]);
    assert!(zero.iter().all(|s| (s + 1e15).abs() < 1e3), "{zero:?}");
    // rounding noise next to learned modes (‖C‖ ~ 1) gets one slope, whatever its sign
    let noisy = LossVariant::Sharp.slopes(&[1.0, 1.0, 3e-8, -2e-8, 0.0]);
    let cap = -1.0 / sharp_floor(&[2.0]).sqrt();
    for s in &noisy[2..] {
        assert!((s - cap).abs() < 1e-3 * cap.abs(), "{noisy:?}");
    }
}

#[test]
fn precondition_divides_by_the_shifted_moment() {
    let g = gamma(5, 5);
    let w = random(3, 5, 6) * 0.4;
    let c = linear::cross_correlation(w.as_ref(), g.as_ref());
    let moment = random(3, 3, 7);
    let moment = &moment * moment.transpose();
    let a = 0.3;
    let b = update_matrix(
        LossVariant::Precondition,
        c.as_ref(),
        Some(moment.as_ref()),
        a,
    )
    .unwrap();
    let base = update_matrix(LossVariant::Baseline, c.as_ref(), None, a).unwrap();
    // (M + aI) B = B_baseline
    let shifted = Mat::from_fn(3, 3, |i, j| moment[(i, j)] + if i == j { a } else { 0.0 });
    let back = shifted * &b;
    for i in 0..3 {
        for j in 0..3 {
            assert!((back[(i, j)] - base[(i, j)]).abs() < 1e-10);
        }
    }
    // a → ∞: a·B → B_baseline
    let big = 1e8;
    let b = update_matrix(
        LossVariant::Precondition,
        c.as_ref(),
        Some(moment.as_ref()),
        big,
    )
    .unwrap();
    for i in 0..3 {
        for j in 0..3 {
            assert!((big * b[(i, j)] - base[(i, j)]).abs() < 1e-6 * (1.0 + base[(i, j)].abs()));
        }
    }
}

#[test]
fn non_finite_c_is_an_error() {
    let c = faer::mat![[f64::NAN, 0.0], [0.0, 1.0]];
    assert!(update_matrix(LossVariant::Sharp, c.as_ref(), None, 1.0).is_err());
}
