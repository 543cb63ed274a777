//! Section 5 and Def. 4.2: the kernel form reproduces Γ's spectrum; the top spectral W is the
//! least-norm zero-loss solution.

use faer::Mat;
use stepwise::data::{self, rng::Rng, DatasetConfig, DatasetKind};
use stepwise::linalg;
use stepwise::model::linear;
use stepwise::theory::{kernel, spectral};

fn planted_pairs(n: usize, dim: usize, noise: f64) -> data::Pairs {
    data::build(&DatasetConfig {
        kind: DatasetKind::Planted,
        n,
        dim,
        noise,
        spectrum: vec![3.0, 2.0, 1.0, 0.5, -0.4],
        ..DatasetConfig::default()
    })
    .unwrap()
}

#[test]
fn gamma_is_symmetric_with_the_planted_spectrum() {
    let p = planted_pairs(40, 12, 0.0);
    let g = linear::gamma(&p);
    for i in 0..12 {
        for j in 0..12 {
            assert_eq!(g[(i, j)], g[(j, i)]);
        }
    }
    let ev = linalg::sym_eigenvalues(g.as_ref()).unwrap();
    let want = [3.0, 2.0, 1.0, 0.5];
    for (a, b) in ev.iter().zip(want) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    assert!(
        (ev[11] + 0.4).abs() < 1e-5,
        "negative planted eigenvalue {}",
        ev[11]
    );
}

#[test]
fn k_gamma_with_the_linear_kernel_has_gammas_eigenvalues() {
    // both 2n < m and 2n > m, with noise so Γ has full rank
    for (n, dim) in [(6, 17), (30, 9)] {
        let p = planted_pairs(n, dim, 0.3);
        let g_eigs = linalg::sym_eigenvalues(linear::gamma(&p).as_ref()).unwrap();
        let k = kernel::linear_kernel(&p);
        let kg = kernel::k_gamma(k.as_ref()).unwrap();
        let k_eigs = linalg::sym_eigenvalues(kg.as_ref()).unwrap();
        // the non-zero eigenvalues agree: compare the rank-many largest in magnitude
        let mut a: Vec<f64> = g_eigs.iter().copied().filter(|v| v.abs() > 1e-8).collect();
        let mut b: Vec<f64> = k_eigs.iter().copied().filter(|v| v.abs() > 1e-8).collect();
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        assert_eq!(a.len(), b.len(), "n={n} m={dim}: {a:?} vs {b:?}");
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() < 1e-8 * (1.0 + x.abs()),
                "n={n} m={dim}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn top_spectral_w_has_zero_loss_and_least_norm() {
    let p = planted_pairs(40, 10, 0.2);
    let g = linear::gamma(&p);
    let e = linalg::sym_eigen(g.as_ref()).unwrap();
    let d = 3;
    let w_top =
        spectral::top_spectral_w(Mat::identity(d, d).as_ref(), &e.values, e.vectors.as_ref());
    assert!(linear::loss(w_top.as_ref(), g.as_ref()) < 1e-20);
    let top_norm = w_top.norm_l2().powi(2);
    assert!((top_norm - spectral::top_spectral_norm_sq(&e.values, d)).abs() < 1e-10);

    // A rotated top solution has the same norm and zero loss.
    let (c, s) = (0.6, 0.8);
    let rot = faer::mat![[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]];
    let w_rot = spectral::top_spectral_w(rot.as_ref(), &e.values, e.vectors.as_ref());
    assert!(linear::loss(w_rot.as_ref(), g.as_ref()) < 1e-20);
    assert!((w_rot.norm_l2().powi(2) - top_norm).abs() < 1e-10);

    // Any zero-loss W = (B Γ Bᵀ)^{-1/2} B built from a random B is at least as large.
    let mut rng = Rng::new(11, 0);
    for _ in 0..200 {
        let b = Mat::from_fn(d, 10, |_, _| rng.normal());
        let c = linear::cross_correlation(b.as_ref(), g.as_ref());
        let ce = linalg::sym_eigen(c.as_ref()).unwrap();
        if ce.values[d - 1] <= 1e-6 {
            continue; // B Γ Bᵀ not positive definite: no zero-loss W of this form
        }
        let inv_root = Mat::from_fn(d, d, |i, j| {
            (0..d)
                .map(|k| ce.vectors[(i, k)] * ce.vectors[(j, k)] / ce.values[k].sqrt())
                .sum::<f64>()
        });
        let w = &inv_root * &b;
        assert!(linear::loss(w.as_ref(), g.as_ref()) < 1e-16);
        assert!(w.norm_l2().powi(2) >= top_norm - 1e-9);
    }
}
