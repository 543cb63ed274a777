//! The eigenbasis solver follows the literal W ← W − 4η (C − I) W Γ trajectory.

use stepwise::experiment::{overrides, preset, run_cpu, RunResult};

fn max_gap(a: &RunResult, b: &RunResult) -> f64 {
    assert_eq!(a.records.len(), b.records.len());
    a.records
        .iter()
        .zip(&b.records)
        .flat_map(|(x, y)| x.eigenvalues.iter().zip(&y.eigenvalues))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

fn both(name: &str, sets: &[&str]) -> (RunResult, RunResult) {
    let cfg = overrides::apply_all(preset(name).unwrap(), sets).unwrap();
    let lit = overrides::apply(&cfg, "solver=literal").unwrap();
    let eig = overrides::apply(&cfg, "solver=eigenbasis").unwrap();
    (run_cpu(&lit, false).unwrap(), run_cpu(&eig, false).unwrap())
}

#[test]
fn solvers_agree_on_planted_data() {
    let (lit, eig) = both("planted", &[]);
    assert_eq!(lit.backend, "cpu-f32");
    assert_eq!(eig.backend, "cpu-f32-eigenbasis");
    let gap = max_gap(&lit, &eig);
    // same math, different f32 rounding: the curves coincide to plotting accuracy
    assert!(gap < 1e-3, "max |Δλ| = {gap}");
}

#[test]
fn solvers_agree_on_photo_patches() {
    // α large enough that no mode sits at the f32 noise floor of the literal solver
    let (lit, eig) = both("small", &["init_scale=1e-3"]);
    let gap = max_gap(&lit, &eig);
    assert!(gap < 2e-3, "max |Δλ| = {gap}");
    let loss_gap = (lit.records.last().unwrap().loss - eig.records.last().unwrap().loss).abs();
    assert!(loss_gap < 1e-3);
}
