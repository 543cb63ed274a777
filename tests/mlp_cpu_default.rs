//! The notebook's CPU fallback for the MLP cells (`fig2-bt-cpu`: the full width on smaller
//! data) against the NTK theory, and cell 6's timing of the hidden layer against the
//! embedding's steps, from one run.

use std::sync::OnceLock;

use stepwise::experiment::mlp::hidden_steps::{hidden_timing, step_alignment};
use stepwise::experiment::mlp::{
    cpu_fallback, mlp_preset, run_mlp_cpu, MlpConfig, MlpResult, CPU_PRESET,
};

/// The CPU preset with its first four modes (d = 4: the same network, data and η, run until
/// 1.3·τ_4, 1/3 of the preset's 4682 steps, to keep the test short), run once for every
/// test here. `stepwise run fig2-bt-cpu` shows all six modes within 5.2% of τ_j.
fn cpu_run() -> &'static MlpResult {
    static RUN: OnceLock<MlpResult> = OnceLock::new();
    RUN.get_or_init(|| {
        let cfg = MlpConfig {
            d: 4,
            ..mlp_preset(CPU_PRESET).unwrap()
        };
        run_mlp_cpu(&cfg).expect("runs")
    })
}

/// What the notebook runs without WebGPU for fig2-bt is the CPU preset.
#[test]
fn the_cpu_fallback_of_fig2_bt_is_the_cpu_preset() {
    let fallback = cpu_fallback(&mlp_preset("fig2-bt").unwrap()).expect("fig2-bt is too slow");
    assert_eq!(fallback, mlp_preset(CPU_PRESET).unwrap());
}

/// At width 2048 on 32 pairs the NTK at init predicts every step: each eigenvalue of C
/// reaches 1/2 within 10% of the theory's τ_j (the NTK drifts by O(1/√h) while training),
/// and no eigenvalue overshoots (the narrow network's spikes above 1.2 do not happen).
#[test]
fn the_cpu_default_follows_the_ntk_theory() {
    let r = cpu_run();
    assert!(r.config.ntk_regime());
    let measured = r.crossing_times(0.5);
    for (j, (t, tau)) in measured.iter().zip(&r.theory.tau).enumerate() {
        let (t, tau) = (t.expect("mode learned"), tau.expect("mode predicted"));
        let rel = (t - tau) / tau;
        println!(
            "mode {}: t(λ = 1/2) = {t:.4}, NTK τ = {tau:.4}, rel. {rel:+.3}",
            j + 1
        );
        assert!(rel.abs() <= 0.10, "mode {}: {t} vs τ {tau}", j + 1);
    }
    let peak = r
        .records
        .iter()
        .flat_map(|rec| rec.eigenvalues.iter().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    println!(
        "largest eigenvalue of C over the run: {peak:.4}; steps {:?}",
        r.config.steps
    );
    assert!(peak < 1.1, "an eigenvalue overshot to {peak}");
    assert!(r.ntk.alignment > 0.9, "alignment {}", r.ntk.alignment);
}

/// Cell 6: around each embedding step the hidden spectrum changes fastest inside that step
/// (from 10% to 90% of its rise), and most of its change happens in the steps.
#[test]
fn the_hidden_layer_changes_fastest_during_each_embedding_step() {
    let r = cpu_run();
    let steps = step_alignment(&r.records, &r.hidden, r.config.d);
    assert_eq!(steps.len(), r.config.d, "every mode stepped");
    for s in &steps {
        let (a, b) = s.window;
        println!(
            "mode {}: step at t = {:.4} (10–90% in [{a:.4}, {b:.4}]), hidden fastest at {:.4}",
            s.mode + 1,
            s.step_time,
            s.hidden_peak
        );
        assert!(
            (a..=b).contains(&s.hidden_peak),
            "mode {}: hidden peak {} outside [{a}, {b}]",
            s.mode + 1,
            s.hidden_peak
        );
    }
    let timing = hidden_timing(&r.records, &r.hidden, r.config.d).expect("hidden records");
    println!("{timing:?}");
    assert!(
        timing.change_in_steps > 1.5 * timing.time_in_steps,
        "hidden change is not concentrated in the steps: {timing:?}"
    );
}
