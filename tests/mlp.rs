//! The MLP experiments on the CPU: the kernel theory against the linear theory, Barlow
//! Twins' step times against the NTK prediction, the other losses' stepwise growth, and
//! bad configurations.

use faer::Mat;
use stepwise::experiment::mlp::{mlp_preset, run_mlp_cpu, MlpConfig, MlpResult};
use stepwise::experiment::{overrides, prepare, preset, RunError};
use stepwise::theory::kernel::linear_kernel;
use stepwise::theory::ntk::kernel_theory;

fn run(name: &str, sets: &[&str]) -> MlpResult {
    let cfg: MlpConfig = overrides::apply_all(mlp_preset(name).unwrap(), sets).unwrap();
    run_mlp_cpu(&cfg).unwrap_or_else(|e| panic!("{name} {sets:?}: {e}"))
}

/// With the linear kernel K = ΦΦᵀ and F0 = Φ W(0)ᵀ, the kernel path gives the linear model's
/// γ_j and s_j(0) (docs/math.md §6: then the kernel theory is the linear one of §4).
#[test]
fn linear_kernel_reproduces_the_linear_theory() {
    let prep =
        prepare(&overrides::apply(&preset("small").unwrap(), "dataset.n=60").unwrap()).unwrap();
    let (n, m, d) = (prep.pairs.n, prep.pairs.m, prep.config.d);
    let phi = Mat::from_fn(2 * n, m, |i, j| {
        let row = if i < n {
            prep.pairs.x_row(i)
        } else {
            prep.pairs.x_prime_row(i - n)
        };
        f64::from(row[j])
    });
    let w0 = Mat::from_fn(d, m, |i, j| f64::from(prep.w0[i * m + j]));
    let f0 = &phi * w0.transpose();
    let kt = kernel_theory(linear_kernel(&prep.pairs).as_ref(), f0.as_ref(), 8).unwrap();
    let linear = prep.theory.clone();
    for j in 0..d {
        let (g, g_lin) = (kt.theory.gamma[j], prep.eigen.values[j]);
        assert!((g - g_lin).abs() <= 1e-9 * g_lin, "γ_{j}: {g} vs {g_lin}");
        let (s, s_lin) = (kt.theory.s0[j], linear.s0[j]);
        assert!(
            (s - s_lin).abs() <= 1e-6 * s_lin,
            "s_{j}(0): {s} vs {s_lin}"
        );
    }
}

/// The first time the theory's λ_j(t) exceeds `level`.
fn theory_crossings(r: &MlpResult, level: f64) -> Vec<Option<f64>> {
    stepwise::experiment::mlp::crossing_times(&r.theory.records, r.config.d, level)
}

/// A wide network from a small readout init stays near its kernel regime: the NTK at init
/// predicts when each eigenvalue of C rises. Width 1024 and 3 modes keep it fast; the NTK
/// drifts by O(1/√h) during training (~3%), and the run is recorded every 5 steps (the
/// crossing time is known to ±1.5% of the fastest mode's), so 10% is the stated tolerance.
#[test]
fn barlow_twins_steps_follow_the_ntk_prediction() {
    let r = run(
        "fig2-bt",
        &[
            "width=1024",
            "dataset.n=40",
            "d=4",
            "record_every=5",
            "hidden_top=0",
        ],
    );
    let measured = r.crossing_times(0.5);
    let predicted = theory_crossings(&r, 0.5);
    eprintln!("measured {measured:?}\npredicted {predicted:?}");
    for (j, (m, p)) in measured.iter().zip(&predicted).enumerate() {
        let (m, p) = (m.expect("mode learned"), p.expect("mode predicted"));
        assert!(
            (m - p).abs() <= 0.10 * p,
            "mode {j}: t = {m:.3} vs NTK {p:.3}"
        );
    }
    // distinct steps: each mode rises well after the previous one
    for w in measured.windows(2) {
        assert!(
            w[1].unwrap() > 1.3 * w[0].unwrap(),
            "steps not separated: {measured:?}"
        );
    }
    assert!(r.ntk.alignment > 0.9, "alignment {}", r.ntk.alignment);
    assert!(r.records.last().unwrap().loss < 1e-3);
}

/// SimCLR and VICReg learn their covariance eigenvalues one after the other too.
#[test]
fn other_losses_grow_eigenvalues_one_at_a_time() {
    for name in ["mlp-small-simclr", "mlp-small-vicreg"] {
        let r = run(name, &[]);
        let first = r.records.first().unwrap().loss;
        let last = r.records.last().unwrap().loss;
        assert!(last < first, "{name}: loss {first} → {last}");
        let cross = r.crossing_times(0.3);
        eprintln!("{name}: times to λ_j > 0.3: {cross:?}");
        let (t1, t2) = (
            cross[0].expect("first mode"),
            cross[1].expect("second mode"),
        );
        assert!(t2 > 2.0 * t1, "{name}: modes rise together: {cross:?}");
    }
}

#[test]
fn hidden_eigenvalues_are_recorded_with_the_embeddings() {
    let r = run(
        "mlp-small-bt",
        &["steps=40", "record_every=10", "hidden_top=5"],
    );
    assert_eq!(r.hidden.len(), r.records.len());
    for h in &r.hidden {
        assert_eq!(h.eigenvalues.len(), 5);
        assert!(h.eigenvalues.windows(2).all(|w| w[0] >= w[1] - 1e-12));
        assert!(h.eigenvalues.iter().all(|v| *v > -1e-9));
    }
}

#[test]
fn a_too_large_learning_rate_is_reported_not_a_panic() {
    let cfg: MlpConfig =
        overrides::apply_all(mlp_preset("mlp-small-bt").unwrap(), &["lr=50", "steps=200"]).unwrap();
    match run_mlp_cpu(&cfg) {
        Err(RunError::MlpDiverged { step, .. }) => assert!(step <= 200),
        other => panic!(
            "expected divergence, got {:?}",
            other.map(|r| r.records.len())
        ),
    }
}

#[test]
fn bad_mlp_configs_name_their_key() {
    let base = mlp_preset("fig2-bt").unwrap();
    for (set, key) in [
        ("d=33", "d"),
        ("width=0", "width"),
        ("width=8193", "width"),
        ("dataset.n=2000", "dataset.n"),
        ("momentum=1.5", "momentum"),
        ("temperature=0", "temperature"),
        ("hidden_top=65", "hidden_top"),
        ("init_scale=-1", "init_scale"),
    ] {
        let err = overrides::apply(&base, set).expect_err(set);
        assert_eq!(err.key, key, "{set}: {err}");
    }
    assert!(overrides::apply(&base, "loss=byol").is_err());
}
