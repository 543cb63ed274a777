//! When the hidden representation moves, against the embedding's steps (the paper's
//! Figure 5): the hidden covariance spectrum's rate of change over time, the time of its
//! fastest change around each embedding step, and the share of its change inside the steps.

use serde::Serialize;

use super::run::HiddenRecord;
use crate::experiment::Record;

/// A mode's step lasts while it is between these fractions of its rise to its final value.
pub const STEP_START: f64 = 0.1;
pub const STEP_END: f64 = 0.9;
/// A mode's step time: when it is this fraction of the way through its rise.
const HALF_RISE: f64 = 0.5;

/// Where in time the hidden covariance's eigenvalues moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiddenTiming {
    /// Σ_k |λ_k(end) − λ_k(0)| / Σ_k λ_k(0): how far the spectrum moved in all.
    pub relative_change: f64,
    /// Share of the summed relative changes between records that falls inside the steps of
    /// the embedding (each mode from 10% to 90% of its rise)…
    pub change_in_steps: f64,
    /// …and the share of the run's time those steps cover.
    pub time_in_steps: f64,
}

/// One embedding step next to the hidden layer's fastest change around it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepAlignment {
    /// The embedding mode (0-based).
    pub mode: usize,
    /// When the mode was half way through its rise (interpolated between records).
    pub step_time: f64,
    /// When it rose from 10% to 90% of the way, widened to the records around.
    pub window: (f64, f64),
    /// The midpoint of the hidden records' interval of fastest relative change between the
    /// midpoints to the neighbouring steps…
    pub hidden_peak: f64,
    /// …and that rate, Σ_k |Δλ_k|/λ_k per unit t.
    pub peak_rate: f64,
}

/// The time interval in which mode `j` rose from 10% to 90% of the way from its start to
/// its final value, widened to the records around it (a step can be shorter than one
/// recording interval).
pub fn step_window(records: &[Record], j: usize) -> Option<(f64, f64)> {
    let (start, rise) = rise_of(records, j)?;
    let first_at = |frac: f64| {
        records.iter().position(|r| {
            r.eigenvalues
                .get(j)
                .is_some_and(|v| v - start >= frac * rise)
        })
    };
    let (from, to) = (first_at(STEP_START)?, first_at(STEP_END)?);
    Some((records[from.saturating_sub(1)].t, records[to].t))
}

/// Mode j's value at the first record and its rise to the last (positive), if it rose.
fn rise_of(records: &[Record], j: usize) -> Option<(f64, f64)> {
    let value = |r: &Record| r.eigenvalues.get(j).copied();
    let start = value(records.first()?)?;
    let rise = value(records.last()?)? - start;
    (rise.is_finite() && rise > 0.0).then_some((start, rise))
}

/// When mode j was `HALF_RISE` of the way through its rise, linear in t between records.
fn half_rise_time(records: &[Record], j: usize) -> Option<f64> {
    let (start, rise) = rise_of(records, j)?;
    let level = start + HALF_RISE * rise;
    crate::experiment::crossing_times(records, j + 1, level)
        .pop()
        .flatten()
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

/// The hidden spectrum's relative rate of change, (midpoint t, Σ_k |Δλ_k|/λ_k / Δt), for
/// each pair of consecutive hidden records.
pub fn hidden_change_rate(hidden: &[HiddenRecord]) -> Vec<(f64, f64)> {
    hidden
        .windows(2)
        .filter(|w| w[1].t > w[0].t)
        .map(|w| {
            let dt = w[1].t - w[0].t;
            (0.5 * (w[0].t + w[1].t), relative_step(&w[0], &w[1]) / dt)
        })
        .filter(|(_, r)| r.is_finite())
        .collect()
}

/// For each embedding mode that stepped (in order of its step time): the hidden layer's
/// fastest change between the midpoints to the neighbouring steps.
pub fn step_alignment(records: &[Record], hidden: &[HiddenRecord], d: usize) -> Vec<StepAlignment> {
    let mut steps: Vec<(usize, f64, (f64, f64))> = (0..d)
        .filter_map(|j| Some((j, half_rise_time(records, j)?, step_window(records, j)?)))
        .collect();
    steps.sort_by(|a, b| a.1.total_cmp(&b.1));
    let rate = hidden_change_rate(hidden);
    let mut out = Vec::with_capacity(steps.len());
    for (i, &(mode, step_time, window)) in steps.iter().enumerate() {
        let lo = i
            .checked_sub(1)
            .map_or(f64::NEG_INFINITY, |k| 0.5 * (steps[k].1 + step_time));
        let hi = steps
            .get(i + 1)
            .map_or(f64::INFINITY, |s| 0.5 * (s.1 + step_time));
        let peak = rate
            .iter()
            .filter(|(t, _)| *t >= lo && *t <= hi)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(&(hidden_peak, peak_rate)) = peak {
            out.push(StepAlignment {
                mode,
                step_time,
                window,
                hidden_peak,
                peak_rate,
            });
        }
    }
    out
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

/// How far the hidden spectrum moved and what share of that happened inside the
/// embedding's steps; `None` before two hidden records span some time.
pub fn hidden_timing(
    records: &[Record],
    hidden: &[HiddenRecord],
    d: usize,
) -> Option<HiddenTiming> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: f64, eigenvalues: Vec<f64>) -> Record {
        Record::at(t, eigenvalues)
    }

    fn hid(t: f64, eigenvalues: Vec<f64>) -> HiddenRecord {
        HiddenRecord {
            t,
            step: t as u64,
            eigenvalues,
        }
    }

    #[test]
    fn the_hidden_peak_of_each_step_is_found_between_its_neighbours() {
        // mode 0 steps at t ≈ 2, mode 1 at t ≈ 6; the hidden spectrum jumps at 2 and 6
        let records: Vec<Record> = (0..=8)
            .map(|t| {
                let t = f64::from(t);
                rec(
                    t,
                    vec![f64::from(u8::from(t >= 2.0)), f64::from(u8::from(t >= 6.0))],
                )
            })
            .collect();
        let hidden: Vec<HiddenRecord> = (0..=8)
            .map(|t| {
                let t = f64::from(t);
                hid(
                    t,
                    vec![1.0 + f64::from(u8::from(t >= 2.0)) + 2.0 * f64::from(u8::from(t >= 6.0))],
                )
            })
            .collect();
        let a = step_alignment(&records, &hidden, 2);
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].mode, a[0].step_time, a[0].hidden_peak), (0, 1.5, 1.5));
        assert_eq!((a[1].mode, a[1].step_time, a[1].hidden_peak), (1, 5.5, 5.5));
        assert_eq!(a[0].peak_rate, 1.0);
        let timing = hidden_timing(&records, &hidden, 2).unwrap();
        assert_eq!(timing.change_in_steps, 1.0);
    }
}
