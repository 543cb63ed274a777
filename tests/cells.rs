//! The notebook's cells after Figure 1: init comparison (Result 4.6), learned directions
//! (Section 5) and the symmetry-breaking landscape (App. F), with their figures.

use std::path::PathBuf;

use stepwise::experiment::cells::{
    self, init_comparison, landscape, landscape_from, learned_directions, run_cpu_with_weights,
    ssl_loss, ssl_trajectory, supervised_loss, supervised_trajectory, top_eigenvectors, C_STAR,
};
use stepwise::experiment::{prepare, preset, RunConfig, RunError};
use stepwise::plot::{
    direction_rgb, directions_svg, init_comparison_svg, landscape_svg, spectrum_svg, FigureOptions,
};

fn planted() -> RunConfig {
    preset("planted").expect("planted preset")
}

/// Writes an SVG under target/test-output for a human to look at.
fn write_svg(name: &str, svg: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&dir).expect("create target/test-output");
    std::fs::write(dir.join(name), svg).expect("write svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The first t where `values` crosses `level` upwards, interpolated.
fn crossing(times: &[f64], values: &[f64], level: f64) -> Option<f64> {
    let pts: Vec<(f64, f64)> = times.iter().copied().zip(values.iter().copied()).collect();
    pts.windows(2).find_map(|w| {
        let ((t0, a), (t1, b)) = (w[0], w[1]);
        (a < level && b >= level).then(|| t0 + (level - a) / (b - a) * (t1 - t0))
    })
}

#[test]
fn a_random_init_follows_the_aligned_one() {
    let cmp = init_comparison(&planted()).expect("runs");
    assert_eq!(cmp.random.len(), cmp.aligned.len());
    assert_eq!(cmp.random.len(), cmp.theory.len());
    let (gap, exact) = (cmp.max_gap(), cmp.max_aligned_theory_gap());
    println!("planted: max |λ_random − λ_aligned| = {gap:.4}, aligned vs theory {exact:.5}");
    // Both runs share s_j(0), so Result 4.6 predicts the same λ_j(t) for both; what is left
    // is the random init's O(α)-relative coupling between modes while they are small, which
    // shifts each step by a fraction of a record (measured 4e-4 on `planted`). 0.01 is 25x
    // that, and 5x below the 0.05 (≈ 5 records of a step's rise) that bounds random vs theory
    // in tests/theory_vs_simulation.rs, so a real mismatch in alignment would fail it.
    assert!(gap < 0.01, "max |λ_random − λ_aligned| = {gap}");
    // Aligned and discrete-time theory agree up to f32 rounding and the O(λ(0)) term.
    assert!(exact < 0.01, "max |λ_aligned − λ_theory| = {exact}");
    for opts in [
        FigureOptions::default(),
        FigureOptions {
            log_time: true,
            ..FigureOptions::default()
        },
    ] {
        let svg = init_comparison_svg(&cmp, &opts).expect("svg");
        let name = if opts.log_time {
            "cell_init_log.svg"
        } else {
            "cell_init.svg"
        };
        write_svg(name, &svg);
    }
}

#[test]
fn at_a_large_init_the_comparison_runs_until_every_mode_is_learned() {
    let cfg = RunConfig {
        init_scale: 0.1,
        ..planted()
    };
    let plain = prepare(&cfg).expect("prepares");
    let prep = cells::prepare_init(&cfg).expect("prepares");
    let tau_d = plain.theory.last_tau().expect("a positive mode");
    println!(
        "α = 0.1: 1.3·τ_d needs {} steps, the init comparison runs {}",
        plain.steps(),
        prep.steps()
    );
    assert!(prep.steps() >= plain.steps());
    assert!(prep.steps() as f64 * prep.lr() >= 1.3 * tau_d);
    let cmp = init_comparison(&cfg).expect("runs");
    for (name, records) in [("random", &cmp.random), ("aligned", &cmp.aligned)] {
        let last = records.last().expect("records");
        let least = last
            .eigenvalues
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        println!("α = 0.1, {name}: smallest λ_j at the end {least:.4}");
        // every mode has stepped: the theory's λ_d reaches 0.95 by the last step
        assert!(least > 0.9, "{name}: λ at the end {:?}", last.eigenvalues);
    }
    // a set step count is kept
    let fixed = RunConfig {
        steps: Some(7),
        ..cfg
    };
    assert_eq!(cells::prepare_init(&fixed).expect("prepares").steps(), 7);
}

#[test]
fn learned_directions_are_the_top_eigenvectors_in_order() {
    let cfg = planted();
    let (result, w) = run_cpu_with_weights(&cfg).expect("run");
    let (d, m) = (result.config.d, result.m);
    let learned = learned_directions(&w, d, m).expect("svd");
    let top = top_eigenvectors(&prepare(&cfg).expect("prepare"), d);
    assert_eq!((learned.len(), top.len()), (d, d));
    for (j, (a, b)) in learned.iter().zip(&top).enumerate() {
        let cos = cosine(a, b);
        println!("j = {}: cos(learned, v_j) = {cos:.6}", j + 1);
        // Γ's planted spectrum 4, 3, 2, 1.5 | 1 is well separated and every λ_j ≈ 1 at the
        // end, so W ≈ U diag(γ^{-1/2}) V_dᵀ up to O(α) residue: |cos| is 1 − O(1e-8).
        assert!(cos.abs() > 0.95, "direction {j}: |cos| = {}", cos.abs());
        // The shared sign convention makes them equal, not just parallel.
        assert!(
            cos > 0.95,
            "direction {j}: sign convention differs, cos = {cos}"
        );
    }
    write_svg(
        "cell_spectrum.svg",
        &spectrum_svg(&result.gamma_top, d, (1100, 420)).expect("svg"),
    );
}

#[test]
fn learned_directions_reject_bad_input() {
    assert!(matches!(
        learned_directions(&[1.0; 5], 2, 3),
        Err(RunError::Config(_))
    ));
    assert!(matches!(
        learned_directions(&[f32::NAN; 6], 2, 3),
        Err(RunError::Linalg(_))
    ));
    // W = diag(1, 3) on the first two axes of R³: ascending singular values, unit vectors,
    // largest entry positive.
    let w = [0.0, -1.0, 0.0, 3.0, 0.0, 0.0];
    let dirs = learned_directions(&w, 2, 3).expect("svd");
    assert!(cosine(&dirs[0], &[0.0, 1.0, 0.0]) > 1.0 - 1e-6);
    assert!(cosine(&dirs[1], &[1.0, 0.0, 0.0]) > 1.0 - 1e-6);
}

#[test]
fn directions_draw_as_images() {
    let crop = 3;
    let directions: Vec<Vec<f32>> = (0..4)
        .map(|j| (0..27).map(|k| ((k * (j + 1)) as f32).sin()).collect())
        .collect();
    write_svg(
        "cell_directions.svg",
        &directions_svg(&directions, crop, (1100, 320)).expect("svg"),
    );
    assert!(directions_svg(&directions, 4, (600, 200)).is_err());
    assert!(directions_svg(&[], crop, (600, 200)).is_ok());
    let rgb = direction_rgb(&[-2.0, 0.0, 1.0, 2.0]);
    assert_eq!(rgb, vec![0, 128, 191, 255]);
}

/// The learned directions of the `small` photo-patch preset as images (6x6 crops).
#[test]
fn photo_patch_directions_render() {
    let cfg = preset("small").expect("small preset");
    let (result, w) = run_cpu_with_weights(&cfg).expect("run");
    let learned = learned_directions(&w, result.config.d, result.m).expect("svd");
    let crop = result.config.dataset.crop;
    write_svg(
        "cell_directions_small.svg",
        &directions_svg(&learned, crop, (1100, 320)).expect("svg"),
    );
    write_svg(
        "cell_spectrum_small.svg",
        &spectrum_svg(&result.gamma_top, result.config.d, (1100, 420)).expect("svg"),
    );
}

#[test]
fn ssl_is_a_double_well_and_supervised_a_single_well() {
    let ls = landscape(&[4.0, 2.0, 1.0], 2.0, 401);
    for (j, &g) in ls.gammas.iter().enumerate() {
        // SSL: the maximum L(0) = 1 between two zero minima at ±γ^{-1/2}.
        let min = 1.0 / g.sqrt();
        assert_eq!(ssl_loss(g, 0.0), 1.0);
        assert!(ssl_loss(g, min).abs() < 1e-12 && ssl_loss(g, -min).abs() < 1e-12);
        assert!(ssl_loss(g, 1e-3) < 1.0 && ssl_loss(g, -1e-3) < 1.0);
        let (ssl_min, ssl_max) = extrema(&ls.ssl_loss[j]);
        assert_eq!((ssl_min.len(), ssl_max.len()), (2, 1), "γ = {g}");
        assert!(ls.params[ssl_max[0]].abs() < 1e-9);
        // Supervised: one minimum, at c = c*/γ, and no maximum.
        let (sup_min, sup_max) = extrema(&ls.supervised_loss[j]);
        assert_eq!((sup_min.len(), sup_max.len()), (1, 0), "γ = {g}");
        assert!((ls.params[sup_min[0]] - C_STAR / g).abs() <= 2.0 * 4.0 / 400.0);
        assert_eq!(supervised_loss(g, C_STAR / g), 0.0);
    }
}

/// Indices of the interior strict local minima and maxima of a sampled curve.
fn extrema(v: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let inner = 1..v.len() - 1;
    let min = inner
        .clone()
        .filter(|&i| v[i] < v[i - 1] && v[i] <= v[i + 1]);
    let max = inner.filter(|&i| v[i] > v[i - 1] && v[i] >= v[i + 1]);
    (min.collect(), max.collect())
}

#[test]
fn ssl_escapes_late_and_supervised_at_once() {
    let s0 = 1e-3;
    let ls = landscape_from(&[2.0, 1.0, 0.5], 2.0, 4001, s0);
    let dt = ls.times[1];
    for (j, &g) in ls.gammas.iter().enumerate() {
        let tau = (1.0 / (g * s0 * s0)).ln() / (8.0 * g);
        assert!((ls.ssl_tau[j] - tau).abs() < 1e-12);
        // γ s² = 1/2 at τ (up to O(γ s0²)); s reaches half its final value γ^{-1/2} when
        // γ s² = 1/4, i.e. ln 3 / (8γ) before τ.
        let lam = |t: f64| g * ssl_trajectory(g, s0, t).powi(2);
        assert!(
            (lam(tau) - 0.5).abs() < 1e-5,
            "γ = {g}: λ(τ) = {}",
            lam(tau)
        );
        let s_final = 1.0 / g.sqrt();
        let t_half = crossing(&ls.times, &ls.ssl[j], 0.5 * s_final).expect("SSL crosses");
        let want = tau - 3f64.ln() / (8.0 * g);
        println!("γ = {g}: τ = {tau:.4}, s = s∞/2 at {t_half:.4} (predicted {want:.4})");
        assert!((t_half - want).abs() < dt, "γ = {g}: {t_half} vs {want}");
        // Supervised: halfway from c(0) to c*/γ at ln 2/(2γ²), whatever c(0).
        let half = 2f64.ln() / (2.0 * g * g);
        assert!((ls.supervised_half[j] - half).abs() < 1e-12);
        for c0 in [0.0, s0, 0.3, -2.0] {
            let c = supervised_trajectory(g, c0, half);
            let mid = 0.5 * (c0 + C_STAR / g);
            assert!(
                (c - mid).abs() < 1e-12,
                "γ = {g}, c(0) = {c0}: {c} vs {mid}"
            );
        }
        let c_half = crossing(&ls.times, &ls.supervised[j], 0.5 * (s0 + C_STAR / g));
        assert!((c_half.expect("supervised crosses") - half).abs() < dt);
        // Delayed vs immediate: when supervised is halfway, SSL has barely moved.
        assert!(lam(half) < 0.01, "γ = {g}: λ = {}", lam(half));
    }
}

#[test]
fn trajectories_solve_their_gradient_flows() {
    let h = 1e-6;
    for g in [0.5, 1.0, 3.0] {
        for t in [0.1, 1.0, 2.5] {
            let s = ssl_trajectory(g, 0.01, t);
            let ds = (ssl_trajectory(g, 0.01, t + h) - ssl_trajectory(g, 0.01, t - h)) / (2.0 * h);
            let want = 4.0 * g * s * (1.0 - g * s * s);
            assert!(
                (ds - want).abs() < 1e-5 * (1.0 + want.abs()),
                "{g} {t}: {ds} {want}"
            );
            let c = supervised_trajectory(g, 0.2, t);
            let dc = (supervised_trajectory(g, 0.2, t + h) - supervised_trajectory(g, 0.2, t - h))
                / (2.0 * h);
            let want = 2.0 * g * (C_STAR - g * c);
            assert!(
                (dc - want).abs() < 1e-5 * (1.0 + want.abs()),
                "{g} {t}: {dc} {want}"
            );
        }
    }
    assert!(
        ssl_trajectory(1.0, -0.01, 5.0) < 0.0,
        "the sign of s(0) picks the well"
    );
}

#[test]
fn landscape_is_forgiving_and_renders() {
    let ls = landscape(&[f64::NAN, -1.0, 1.0], -3.0, 0);
    assert_eq!(ls.gammas, vec![1.0]);
    assert_eq!(ls.params.len(), 2);
    assert_eq!(ls.init, cells::LANDSCAPE_INIT);
    let ls = landscape(&[4.0, 2.0, 1.0, 0.5], 2.0, 400);
    write_svg(
        "cell_landscape.svg",
        &landscape_svg(&ls, (1100, 420)).expect("svg"),
    );
    assert!(landscape_svg(&landscape(&[], 1.0, 10), (300, 200)).is_ok());
}

/// The init comparison on the paper's configuration (slow: `--ignored`).
#[test]
#[ignore]
fn fig1_init_comparison_for_inspection() {
    let cmp = init_comparison(&preset("fig1").expect("fig1 preset")).expect("runs");
    println!(
        "fig1: max |λ_random − λ_aligned| = {:.4}, aligned vs theory {:.4}",
        cmp.max_gap(),
        cmp.max_aligned_theory_gap()
    );
    let svg = init_comparison_svg(&cmp, &FigureOptions::default()).expect("svg");
    write_svg("cell_init_fig1.svg", &svg);
}
