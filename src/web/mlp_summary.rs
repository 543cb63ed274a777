//! The numbers the MLP cells print under their figures: loss, when each embedding
//! eigenvalue stepped against the NTK's τ_j, the subspace alignment, and how much of the
//! hidden representation's change happens while the embedding steps (the paper's Fig. 5).

use serde::Serialize;

use crate::experiment::mlp::{HiddenRecord, LossKind, MlpResult};
use crate::experiment::Record;

/// Eigenvalue level whose first crossing marks a step.
const CROSSING: f64 = 0.5;
/// A mode's step lasts while it is between these fractions of its rise to its final value.
const STEP_START: f64 = 0.1;
const STEP_END: f64 = 0.9;

#[derive(Serialize)]
pub struct MlpSummary {
    pub loss_first: Option<f64>,
    pub loss_last: Option<f64>,
    /// First time each embedding eigenvalue exceeded 0.5 (null: not yet).
    pub crossings: Vec<Option<f64>>,
    /// The NTK theory's step times (Barlow Twins only; empty otherwise).
    pub tau: Vec<Option<f64>>,
    pub alignment: f64,
    pub alignment_chance: f64,
    pub hidden: Option<HiddenTiming>,
}

/// Where in time the hidden covariance's eigenvalues moved.
#[derive(Serialize)]
pub struct HiddenTiming {
    /// Σ_k |λ_k(end) − λ_k(0)| / Σ_k λ_k(0): how far the spectrum moved in all.
    pub relative_change: f64,
    /// Share of the summed relative changes between records that falls inside the steps of
    /// the embedding (each mode from 10% to 90% of its rise)…
    pub change_in_steps: f64,
    /// …and the share of the run's time those steps cover.
    pub time_in_steps: f64,
}

/// The summary of `result` (a finished run or the records so far).
pub fn summarize(result: &MlpResult) -> MlpSummary {
    let barlow = result.config.loss == LossKind::BarlowTwins;
    MlpSummary {
        loss_first: result.records.first().map(|r| r.loss),
        loss_last: result.records.last().map(|r| r.loss),
        crossings: result.crossing_times(CROSSING),
        tau: if barlow {
            result.theory.tau.clone()
        } else {
            Vec::new()
        },
        alignment: result.ntk.alignment,
        alignment_chance: result.ntk.alignment_chance,
        hidden: hidden_timing(&result.records, &result.hidden, result.config.d),
    }
}

/// The time interval in which mode `j` rose from 10% to 90% of the way from its start to
/// its final value, widened to the records around it (a step can be shorter than one
/// recording interval).
fn step_window(records: &[Record], j: usize) -> Option<(f64, f64)> {
    let value = |r: &Record| r.eigenvalues.get(j).copied();
    let start = value(records.first()?)?;
    let rise = value(records.last()?)? - start;
    if rise.is_nan() || rise <= 0.0 {
        return None;
    }
    let first_at = |frac: f64| {
        records
            .iter()
            .position(|r| value(r).is_some_and(|v| v - start >= frac * rise))
    };
    let (from, to) = (first_at(STEP_START)?, first_at(STEP_END)?);
    Some((records[from.saturating_sub(1)].t, records[to].t))
}

fn inside(windows: &[(f64, f64)], t: f64) -> bool {
    windows.iter().any(|(a, b)| t >= *a && t <= *b)
}

/// Total length of the union of `windows`.
fn union_length(windows: &[(f64, f64)]) -> f64 {
    let mut sorted = windows.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut reach = f64::NEG_INFINITY;
    for (a, b) in sorted {
        let from = a.max(reach);
        if b > from {
            total += b - from;
        }
        reach = reach.max(b);
    }
    total
}

/// Σ_k |λ_k(i) − λ_k(i−1)| / λ_k(i−1) between two hidden records.
fn relative_step(prev: &HiddenRecord, next: &HiddenRecord) -> f64 {
    prev.eigenvalues
        .iter()
        .zip(&next.eigenvalues)
        .filter(|(p, _)| **p > 0.0)
        .map(|(p, q)| (q - p).abs() / p)
        .sum()
}

fn hidden_timing(records: &[Record], hidden: &[HiddenRecord], d: usize) -> Option<HiddenTiming> {
    let (first, last) = (hidden.first()?, hidden.last()?);
    let span = last.t - first.t;
    let base: f64 = first.eigenvalues.iter().sum();
    if span.is_nan() || base.is_nan() || span <= 0.0 || base <= 0.0 {
        return None;
    }
    let windows: Vec<(f64, f64)> = (0..d).filter_map(|j| step_window(records, j)).collect();
    let (mut total, mut within) = (0.0, 0.0);
    for pair in hidden.windows(2) {
        let change = relative_step(&pair[0], &pair[1]);
        total += change;
        if inside(&windows, 0.5 * (pair[0].t + pair[1].t)) {
            within += change;
        }
    }
    let moved: f64 = first
        .eigenvalues
        .iter()
        .zip(&last.eigenvalues)
        .map(|(a, b)| (b - a).abs())
        .sum();
    Some(HiddenTiming {
        relative_change: moved / base,
        change_in_steps: if total > 0.0 { within / total } else { 0.0 },
        time_in_steps: (union_length(&windows) / span).min(1.0),
    })
}
