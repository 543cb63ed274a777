//! The simulated gradient descent against the closed-form theory (docs/math.md §4–5).

use stepwise::experiment::{overrides, preset, run_cpu, RunResult};
use stepwise::theory::LinearTheory;

fn planted(sets: &[&str]) -> RunResult {
    let cfg = overrides::apply_all(preset("planted").unwrap(), sets).unwrap();
    run_cpu(&cfg, false).unwrap()
}

#[test]
fn planted_run_follows_the_theory() {
    let r = planted(&[]);
    let gap = r.max_theory_gap();
    println!("planted: max |λ_sim − λ_th| = {gap:.4}");
    // The theory is exact for aligned init and gradient flow; a random init and a finite
    // step (η = 0.1/γ₁) leave a small lag. 0.05 is about 5 records' worth of rise.
    assert!(gap < 0.05, "max |λ_sim − λ_th| = {gap}");
    let crossings = r.crossing_times(0.5);
    for (j, (t_half, tau)) in crossings.iter().zip(&r.theory.tau).enumerate() {
        let (t_half, tau) = (t_half.unwrap(), tau.unwrap());
        let rel = (t_half - tau).abs() / tau;
        println!("mode {j}: τ = {tau:.4}, t(λ > 1/2) = {t_half:.4}, rel. error {rel:.4}");
        // τ_j is where λ_j(t) = 1/2 up to O(λ(0)); records are 2η apart.
        assert!(rel < 0.02, "mode {j}: τ = {tau}, measured {t_half}");
    }
}

#[test]
fn interpolated_crossings_match_the_discrete_theory_within_a_fraction_of_a_record() {
    for sets in [&[][..], &["record_every=40"][..]] {
        let r = planted(sets);
        let (d, lr) = (r.config.d, r.config.lr.unwrap());
        let theory =
            LinearTheory::from_s0(r.gamma_top[..d].to_vec(), r.theory.s0.clone()).discrete(lr);
        let spacing = lr * r.config.record_every as f64;
        for (j, t) in r.crossing_times(0.5).iter().enumerate() {
            let (t, want) = (t.unwrap(), theory.time_to_reach(j, 0.5).unwrap());
            let off = (t - want).abs() / spacing;
            println!(
                "{sets:?} mode {j}: t(λ = 1/2) = {t:.5}, theory {want:.5}, off by {off:.3} records"
            );
            // the random init lags the theory slightly (O(α) coupling) and linear
            // interpolation of the sigmoid errs by a little; both well inside one record
            assert!(off < 0.25, "mode {j}: {t} vs {want} ({off} records)");
        }
    }
}

#[test]
fn loss_is_a_staircase_counting_unlearned_modes() {
    let r = planted(&[]);
    let taus: Vec<f64> = r.theory.tau.iter().map(|t| t.unwrap()).collect();
    // Midway between consecutive step times the loss is close to the number of modes left.
    for k in 0..taus.len() - 1 {
        let t_mid = 0.5 * (taus[k] + taus[k + 1]);
        let rec = r
            .records
            .iter()
            .min_by(|a, b| (a.t - t_mid).abs().total_cmp(&(b.t - t_mid).abs()));
        let left = (taus.len() - k - 1) as f64;
        let loss = rec.unwrap().loss;
        assert!(
            (loss - left).abs() < 0.35,
            "at t = {t_mid}: loss {loss}, modes left {left}"
        );
    }
    let last = r.records.last().unwrap();
    assert!(last.loss < 0.05, "final loss {}", last.loss);
}

#[test]
fn eigenvalues_of_c_approach_one_and_gamma_matches_the_plant() {
    let r = planted(&[]);
    let spectrum = [4.0, 3.0, 2.0, 1.5, 1.0];
    for (g, want) in r.gamma_top.iter().zip(spectrum) {
        assert!((g - want).abs() < 1e-4, "γ {g} vs planted {want}");
    }
    for ev in &r.records.last().unwrap().eigenvalues {
        assert!((ev - 1.0).abs() < 0.05, "final eigenvalue {ev}");
    }
}

#[test]
fn smaller_init_delays_every_step_by_the_predicted_amount() {
    // τ_j grows by ln(100)/(4 γ_j) when α shrinks 10x (s_j(0)² shrinks 100x).
    let a = planted(&[]);
    let b = planted(&["init_scale=1e-6"]);
    for j in 0..a.config.d {
        let g = a.gamma_top[j];
        let predicted = (100.0f64).ln() / (8.0 * g);
        let measured = b.crossing_times(0.5)[j].unwrap() - a.crossing_times(0.5)[j].unwrap();
        println!("mode {j}: delay {measured:.4}, predicted {predicted:.4}");
        assert!(
            (measured - predicted).abs() < 0.02 * predicted,
            "mode {j}: delay {measured}, predicted {predicted}"
        );
    }
}

#[test]
fn fig1_follows_the_theory() {
    let r = run_cpu(&preset("fig1").unwrap(), false).unwrap();
    let gap = r.max_theory_gap();
    println!("fig1: max |λ_sim − λ_th| = {gap:.4}");
    // the acceptance bound (an independent reference on similar data: 0.09)
    assert!(gap <= 0.15, "max |λ_sim − λ_th| = {gap}");
    assert_eq!(r.config.d, 10);
    assert_eq!(r.m, 1200);
    // ten steps: the loss starts at d and every mode ends learned
    assert!((r.records[0].loss - 10.0).abs() < 1e-3);
    assert!(r.records.last().unwrap().loss < 0.05);
    for j in 0..10 {
        let t = r.crossing_times(0.5)[j].expect("every mode is learned");
        let tau = r.theory.tau[j].unwrap();
        assert!(
            (t - tau).abs() < 0.1 * tau.max(1.0),
            "mode {j}: {t} vs τ = {tau}"
        );
    }
}
