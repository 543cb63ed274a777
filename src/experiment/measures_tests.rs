use super::*;

/// `per_class` points of each of `classes` Gaussian blobs in `dim` dimensions: class c is
/// centred at `separation` · e_c (plus a common offset far from the origin), unit noise.
fn blobs(classes: usize, per_class: usize, dim: usize, separation: f64) -> (Vec<f64>, Vec<u16>) {
    let mut rng = Rng::new(1, 0);
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for i in 0..classes * per_class {
        let c = i % classes;
        for j in 0..dim {
            let centre = 50.0 + if j == c { separation } else { 0.0 };
            features.push(centre + rng.normal());
        }
        labels.push(c as u16);
    }
    (features, labels)
}

#[test]
fn probe_separates_gaussian_blobs() {
    let (features, labels) = blobs(3, 200, 5, 10.0);
    let (train, test) = split(labels.len(), 0.5, 7);
    let acc = probe_accuracy(&features, 5, &labels, 3, &train, &test, 1e-3);
    // blobs 10σ apart: the Bayes error is below 1e-6
    assert!(acc > 0.99, "accuracy {acc}");
    // without any ridge the pseudo-inverse solves it just as well
    assert!(probe_accuracy(&features, 5, &labels, 3, &train, &test, 0.0) > 0.99);
}

#[test]
fn probe_on_noise_labels_is_at_chance() {
    let mut rng = Rng::new(4, 0);
    let (rows, dim, classes) = (2000, 6, 4);
    let features: Vec<f64> = (0..rows * dim).map(|_| rng.normal()).collect();
    let labels: Vec<u16> = (0..rows).map(|_| rng.below(classes) as u16).collect();
    let (train, test) = split(rows, 0.5, 3);
    let acc = probe_accuracy(&features, dim, &labels, classes, &train, &test, 1.0);
    // 1000 test points at p = 1/4: σ ≈ 0.014, and the fit overfits a little
    assert!((acc - 0.25).abs() < 0.06, "accuracy {acc}");
}

#[test]
fn huge_ridge_predicts_the_majority_class() {
    // With λ → ∞ the weights vanish and only the intercept (train class frequencies) is left.
    let (features, mut labels) = blobs(3, 100, 4, 10.0);
    for l in labels.iter_mut().take(150) {
        *l = 1;
    }
    let (train, test) = split(labels.len(), 0.3, 1);
    let acc = probe_accuracy(&features, 4, &labels, 3, &train, &test, 1e12);
    let majority = test.iter().filter(|&&i| labels[i] == 1).count() as f64 / test.len() as f64;
    assert_eq!(acc, majority);
}

#[test]
fn probe_ignores_constant_features_and_refuses_nan() {
    let (mut features, labels) = blobs(2, 50, 3, 8.0);
    for row in features.chunks_exact_mut(3) {
        row[2] = 4.0; // constant on every split: dropped, not divided by 0
    }
    let (train, test) = split(labels.len(), 0.5, 2);
    assert!(probe_accuracy(&features, 3, &labels, 2, &train, &test, 0.0) > 0.95);
    features[3 * test[0]] = f64::NAN;
    assert!(probe_accuracy(&features, 3, &labels, 2, &train, &test, 0.1).is_nan());
    assert!(probe_accuracy(&features, 3, &labels, 2, &[], &test, 0.1).is_nan());
    // a label beyond `classes` widens the classes instead of panicking
    let acc = probe_accuracy(&features, 3, &[5; 100], 2, &train[1..], &test[1..], 0.1);
    assert_eq!(acc, 1.0);
}

#[test]
fn split_is_a_seeded_partition() {
    let (train, test) = split(100, 0.25, 9);
    assert_eq!((train.len(), test.len()), (75, 25));
    let mut all = [train.clone(), test.clone()].concat();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
    assert_eq!(split(100, 0.25, 9), (train.clone(), test));
    assert_ne!(split(100, 0.25, 10).0, train);
    // both sides stay non-empty
    assert_eq!(split(5, 0.0, 1).1.len(), 1);
    assert_eq!(split(5, 1.0, 1).0.len(), 1);
    assert_eq!(split(5, f64::NAN, 1).1.len(), 1);
    assert_eq!(split(0, 0.5, 1), (vec![], vec![]));
}

#[test]
fn rankme_counts_equal_values() {
    for k in [1usize, 2, 7, 64] {
        let r = rankme(&vec![3.5; k]);
        // ε shifts it by about k²·ε·log k
        assert!((r - k as f64).abs() < 1e-3 * k as f64, "k = {k}: {r}");
    }
    let one = rankme(&[2.0, 0.0, 0.0, 0.0]);
    assert!((one - 1.0).abs() < 1e-4, "{one}");
    // between 1 and the count for an uneven spectrum, invariant under scaling
    let uneven = rankme(&[4.0, 2.0, 1.0, 0.5]);
    assert!(uneven > 1.0 && uneven < 4.0);
    assert!((rankme(&[40.0, 20.0, 10.0, 5.0]) - uneven).abs() < 1e-12);
    assert_eq!(rankme(&[]), 0.0);
    assert_eq!(rankme(&[0.0, -1e-18]), 0.0);
    assert!(rankme(&[1.0, f64::NAN]).is_nan());
}

#[test]
fn rankme_from_covariance_eigenvalues() {
    // covariance eigenvalues 4, 1 → singular values ∝ 2, 1 → p = (2/3, 1/3)
    let s = singular_values_from_covariance(&[4.0, 1.0, -1e-17]);
    assert_eq!(s, [2.0, 1.0, 0.0]);
    let p: [f64; 2] = [2.0 / 3.0, 1.0 / 3.0];
    let want = (-p.iter().map(|p| p * p.ln()).sum::<f64>()).exp();
    assert!((rankme(&s) - want).abs() < 1e-5);
}

fn random_matrix(rows: usize, k: usize, rng: &mut Rng) -> Vec<f64> {
    (0..rows * k).map(|_| rng.normal()).collect()
}

#[test]
fn alignment_with_a_rotated_scaled_copy_is_one() {
    let mut rng = Rng::new(2, 0);
    let (rows, k) = (40, 3);
    let a = random_matrix(rows, k, &mut rng);
    // b = a · M + offsets, with M invertible (rotation and scaling mixed)
    let m = [[2.0, 0.5, 0.0], [-1.0, 3.0, 0.2], [0.3, 0.0, -0.7]];
    let mut b = vec![0.0; rows * k];
    for i in 0..rows {
        for j in 0..k {
            b[i * k + j] = 10.0 * j as f64 + (0..k).map(|l| a[i * k + l] * m[l][j]).sum::<f64>();
        }
    }
    let s = subspace_alignment(&a, &b, rows, k);
    assert!((s - 1.0).abs() < 1e-10, "{s}");
    assert!((subspace_alignment(&a, &a, rows, k) - 1.0).abs() < 1e-10);
}

/// Row-major `rows x cols` matrix whose column j is the difference e_{plus[j]} − e_{minus[j]}
/// times `scale[j]` (a zero-mean column).
fn differences(rows: usize, cols: &[(usize, usize, f64)]) -> Vec<f64> {
    let k = cols.len();
    let mut m = vec![0.0; rows * k];
    for (j, &(plus, minus, scale)) in cols.iter().enumerate() {
        m[plus * k + j] = scale;
        m[minus * k + j] = -scale;
    }
    m
}

#[test]
fn alignment_of_orthogonal_subspaces_is_zero() {
    let rows = 6;
    let a = differences(rows, &[(0, 3, 1.0), (1, 4, 1.0)]);
    // b's second column repeats its first (a collapsed dimension): still orthogonal to a
    let b = differences(rows, &[(2, 5, 1.0), (2, 5, 0.5)]);
    assert!(subspace_alignment(&a, &b, rows, 2).abs() < 1e-12);
    // one shared direction out of two: 1/2
    let half = differences(rows, &[(0, 3, 2.0), (2, 5, 1.0)]);
    let mixed = subspace_alignment(&a, &half, rows, 2);
    assert!((mixed - 0.5).abs() < 1e-12, "{mixed}");
    // a collapsed direction counts as a right angle: a against its first column twice
    let collapsed = differences(rows, &[(0, 3, 1.0), (0, 3, -3.0)]);
    let one_of_two = subspace_alignment(&a, &collapsed, rows, 2);
    assert!((one_of_two - 0.5).abs() < 1e-12, "{one_of_two}");
}

#[test]
fn random_subspaces_align_at_chance() {
    let mut rng = Rng::new(8, 0);
    let (rows, k, draws) = (20, 4, 2000);
    let mean = (0..draws)
        .map(|_| {
            let a = random_matrix(rows, k, &mut rng);
            let b = random_matrix(rows, k, &mut rng);
            subspace_alignment(&a, &b, rows, k)
        })
        .sum::<f64>()
        / draws as f64;
    let chance = chance_alignment(rows, k);
    assert!((chance - 4.0 / 19.0).abs() < 1e-15);
    // per draw σ ≈ 0.057 (NumPy, 4000 draws), so the mean of 2000 has σ ≈ 0.0013: 0.006 is
    // 4.7σ, and the uncentred k/rows = 0.2 would be 8σ off
    assert!((mean - chance).abs() < 0.006, "mean {mean} chance {chance}");
    assert_eq!(chance_alignment(3, 10), 1.0);
}

#[test]
fn alignment_refuses_non_finite_and_handles_constants() {
    let a = vec![1.0; 10];
    let mut b: Vec<f64> = (0..10).map(f64::from).collect();
    assert_eq!(subspace_alignment(&a, &b, 5, 2), 0.0);
    b[3] = f64::INFINITY;
    assert!(subspace_alignment(&b, &b, 5, 2).is_nan());
}
