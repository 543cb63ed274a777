//! Acceptance of issue 16 on the CPU (docs/deep.md §2–§3) with the small presets
//! (`resnet-{bt,simclr,vicreg}-small`: ResNet 4/8/16, projector 32 → d = 4, 8 px crops of
//! 12 px photo patches, batch 64):
//!
//! - from small init each loss learns ≥ d − 1 modes (final eigenvalue ≥ 20% of the top one)
//!   whose crossing times of half their final value grow by ≥ 1.3x from mode to mode;
//! - the embedding probe's test accuracy after the last step exceeds its accuracy at init by
//!   at least [`PROBE_MARGIN`];
//! - every embedding step after the first comes with a ≥ [`HIDDEN_JUMP`]x rise of some
//!   hidden-covariance eigenvalue across the step (from the record at the geometric midpoint
//!   with the previous crossing to the one at the midpoint with the next, or the end);
//! - standard init blurs the steps: measured by how many modes rise at once (the most modes
//!   whose eigenvalue lies between 10% and 90% of its final value at any one record), which
//!   is larger than from small init.

use stepwise::experiment::crossing_times;
use stepwise::experiment::deep::{deep_preset, learned_modes, run_deep_cpu, DeepResult};

/// Successive crossing times of the learned modes must differ by this factor (the issue's).
const STEP_RATIO: f64 = 1.3;
/// Least rise of the embedding probe's accuracy from init to the last step.
const PROBE_MARGIN: f64 = 0.1;
/// Least rise of a hidden eigenvalue across an embedding step.
const HIDDEN_JUMP: f64 = 1.5;
/// Least ratio of standard init's median relative rise width to small init's.
const BLUR_FACTOR: f64 = 2.0;

fn run(name: &str, steps: Option<u64>) -> DeepResult {
    let mut cfg = deep_preset(name).expect("preset");
    if let Some(steps) = steps {
        cfg.steps = steps;
    }
    let r = run_deep_cpu(&cfg).expect("run");
    let r3 = |v: f64| (v * 1e3).round() / 1e3;
    let steps_of: Vec<Option<f64>> = r
        .crossings
        .iter()
        .map(|t| t.map(|t| r3(t / cfg.lr)))
        .collect();
    println!(
        "{name}: {:.1} s ({:.1} steps/s); final λ {:?}; crossing steps {steps_of:?}; probe \
         embedding {:.3} → {:.3}, hidden {:.3} → {:.3}; rise widths {:?}",
        r.timing.seconds,
        r.timing.steps_per_second,
        r.final_eigenvalues()
            .iter()
            .map(|&v| r3(v))
            .collect::<Vec<_>>(),
        r.probe[0].embedding,
        r.probe.last().expect("probe").embedding,
        r.probe[0].hidden,
        r.probe.last().expect("probe").hidden,
        rise_widths(&r).iter().map(|&v| r3(v)).collect::<Vec<_>>(),
    );
    r
}

/// Crossing times of the learned modes (final eigenvalue ≥ 20% of the top one), in order.
fn learned_crossings(r: &DeepResult) -> Vec<f64> {
    let learned = learned_modes(r.final_eigenvalues(), 0.2);
    r.crossings[..learned]
        .iter()
        .map(|t| t.expect("a learned mode crosses half its final value"))
        .collect()
}

/// Per learned mode j: the relative width of its rise, (t₉₀ − t₁₀) / t₅₀ with t_f the first
/// time λ_j reached the fraction f of its final value (0 when already there at init). A sharp
/// step is short next to the time it comes at; a blurred one spans it.
fn rise_widths(r: &DeepResult) -> Vec<f64> {
    let last = r.final_eigenvalues();
    (0..learned_modes(last, 0.2))
        .map(|j| {
            let at = |f: f64| crossing_times(&r.records, j + 1, f * last[j])[j].expect("crosses");
            let (t10, t50, t90) = (at(0.1), at(0.5), at(0.9));
            if t50 > 0.0 {
                (t90 - t10) / t50
            } else {
                f64::INFINITY
            }
        })
        .collect()
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The largest rise λ_k(after)/λ_k(before) of a hidden eigenvalue between the records at
/// times `before` and `after`.
fn hidden_jump(r: &DeepResult, before: f64, after: f64) -> f64 {
    let at = |t: f64| {
        let i = r
            .hidden
            .iter()
            .position(|h| h.t >= t)
            .unwrap_or(r.hidden.len() - 1);
        &r.hidden[i].eigenvalues
    };
    let (a, b) = (at(before), at(after));
    a.iter()
        .zip(b)
        .filter(|(x, _)| **x > 0.0)
        .map(|(x, y)| y / x)
        .fold(0.0, f64::max)
}

fn check_small_init(name: &str) -> f64 {
    let r = run(name, None);
    let d = r.config.d;
    let times = learned_crossings(&r);
    assert!(
        times.len() + 1 >= d,
        "{name}: only {} modes learned",
        times.len()
    );
    for w in times.windows(2) {
        assert!(
            w[1] >= STEP_RATIO * w[0],
            "{name}: steps {times:?} not separated"
        );
    }
    let (p0, p1) = (
        r.probe[0].embedding,
        r.probe.last().expect("probe").embedding,
    );
    assert!(p1 >= p0 + PROBE_MARGIN, "{name}: probe {p0:.3} → {p1:.3}");
    let end = r.records.last().expect("records").t;
    for j in 1..times.len() {
        let before = (times[j - 1] * times[j]).sqrt();
        let after = times
            .get(j + 1)
            .map_or(end, |&next| (times[j] * next).sqrt());
        let jump = hidden_jump(&r, before, after);
        println!("{name}: mode {} hidden jump {jump:.2}x", j + 1);
        assert!(
            jump >= HIDDEN_JUMP,
            "{name}: mode {} hidden jump {jump:.2}",
            j + 1
        );
    }
    median(&rise_widths(&r))
}

/// Standard init (every projector layer at scale 1) blurs the steps: the median relative
/// rise width is at least [`BLUR_FACTOR`] times small init's. The standard run is cut to
/// 300 steps (it learns its modes within ~100).
fn check_standard_blurs(loss: &str, small_width: f64) {
    let r = run(&format!("resnet-{loss}-small-standard"), Some(300));
    let width = median(&rise_widths(&r));
    println!("{loss}: median rise width small {small_width:.3}, standard {width:.3}");
    assert!(
        width >= BLUR_FACTOR * small_width,
        "{loss}: standard init's steps are not blurrier ({width:.3} vs {small_width:.3})"
    );
}

#[test]
fn barlow_twins_learns_in_steps() {
    let width = check_small_init("resnet-bt-small");
    check_standard_blurs("bt", width);
}

#[test]
fn simclr_learns_in_steps() {
    let width = check_small_init("resnet-simclr-small");
    check_standard_blurs("simclr", width);
}

#[test]
fn vicreg_learns_in_steps() {
    let width = check_small_init("resnet-vicreg-small");
    check_standard_blurs("vicreg", width);
}
