//! What the figure shows, as plain data: time axis, curves, step-time markers and ranges.
//!
//! Everything here is backend-free; `linear.rs` only strokes it.

use std::ops::Range;

use plotters::style::RGBColor;

use super::geometry::PanelKind;
use super::style::{axis as axis_grey, ink, mode_color};
use crate::experiment::{Record, RunResult, TheoryResult};

/// At most this many points per curve: one per ~half pixel of a wide figure.
const MAX_POINTS: usize = 2000;

/// How a curve is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// The experiment.
    Solid,
    /// The theory.
    Dashed,
}

/// One polyline in data coordinates.
#[derive(Debug, Clone)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub stroke: Stroke,
}

/// A dotted vertical line at a predicted step time: in the mode colour (panel B) or grey
/// (panel A).
#[derive(Debug, Clone, Copy)]
pub struct Marker {
    pub t: f64,
    pub color: RGBColor,
}

/// One panel's content.
#[derive(Debug, Clone)]
pub struct Panel {
    pub kind: PanelKind,
    pub curves: Vec<Curve>,
    pub markers: Vec<Marker>,
    pub y: Range<f64>,
    /// A caption written inside the plotting area, top left (e.g. why no theory is drawn).
    pub note: Option<String>,
}

/// The records one figure draws: the experiment and, when there is one, the theory.
#[derive(Debug, Clone, Copy)]
pub struct FigureData<'a> {
    pub records: &'a [Record],
    pub theory: Option<&'a TheoryResult>,
}

impl<'a> From<&'a RunResult> for FigureData<'a> {
    fn from(r: &'a RunResult) -> Self {
        Self {
            records: &r.records,
            theory: Some(&r.theory),
        }
    }
}

impl<'a> FigureData<'a> {
    /// The theory's records (none without a theory).
    fn theory_records(&self) -> &'a [Record] {
        self.theory.map_or(&[], |t| &t.records)
    }

    /// Every experiment and theory record.
    pub fn all_records(&self) -> impl Iterator<Item = &'a Record> {
        self.records.iter().chain(self.theory_records())
    }
}

/// The shared time axis: linear from 0, or logarithmic over the positive times.
#[derive(Debug, Clone)]
pub struct TimeAxis {
    pub log: bool,
    pub range: Range<f64>,
}

impl TimeAxis {
    /// The axis spanning every plottable time of the experiment and the theory.
    pub fn new(data: &FigureData<'_>, log: bool) -> Self {
        Self::spanning(data.all_records().map(|r| r.t), log)
    }

    /// The axis spanning every plottable time among `times`.
    pub fn spanning(times: impl Iterator<Item = f64>, log: bool) -> Self {
        let mut axis = Self {
            log,
            range: 0.0..1.0,
        };
        let times = times.filter(|&t| axis.admits(t));
        let (lo, hi) = min_max(times);
        axis.range = if log {
            log_span(lo, hi)
        } else {
            linear_span(lo, hi)
        };
        axis
    }

    /// Whether t can be placed on this axis (finite, and positive on a log axis).
    pub fn admits(&self, t: f64) -> bool {
        t.is_finite() && (!self.log || t > 0.0)
    }

    /// Whether t lies inside the drawn range.
    pub fn contains(&self, t: f64) -> bool {
        self.admits(t) && self.range.start <= t && t <= self.range.end
    }

    /// Position of t along the axis, 0 at the start and 1 at the end.
    fn fraction(&self, t: f64) -> f64 {
        let Range { start, end } = self.range;
        if self.log {
            (t / start).ln() / (end / start).ln()
        } else {
            (t - start) / (end - start)
        }
    }

    /// The finite points (t, value(record)), thinned to about [`MAX_POINTS`].
    fn series(
        &self,
        records: &[Record],
        value: impl Fn(&Record) -> Option<f64>,
    ) -> Vec<(f64, f64)> {
        let min_step = 1.0 / MAX_POINTS as f64;
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut last_frac = f64::NEG_INFINITY;
        let points = records
            .iter()
            .filter(|r| self.admits(r.t))
            .filter_map(|r| value(r).filter(|v| v.is_finite()).map(|v| (r.t, v)));
        let mut pending = None;
        for p in points {
            let frac = self.fraction(p.0);
            if frac - last_frac >= min_step {
                out.push(p);
                last_frac = frac;
                pending = None;
            } else {
                pending = Some(p);
            }
        }
        out.extend(pending);
        out
    }
}

/// Panel A: the loss, experiment solid and theory dashed, with grey dotted step-time lines.
pub fn loss_panel(data: &FigureData<'_>, axis: &TimeAxis) -> Panel {
    let loss = |r: &Record| Some(r.loss);
    let curves = vec![
        Curve {
            points: axis.series(data.records, loss),
            color: ink(),
            stroke: Stroke::Solid,
        },
        Curve {
            points: axis.series(data.theory_records(), loss),
            color: ink(),
            stroke: Stroke::Dashed,
        },
    ];
    finish(PanelKind::Loss, curves, markers(data, axis, false))
}

/// Panel B: each eigenvalue of C in its mode colour, with dotted step-time lines.
pub fn eigen_panel(data: &FigureData<'_>, axis: &TimeAxis) -> Panel {
    let d = data
        .all_records()
        .map(|r| r.eigenvalues.len())
        .max()
        .unwrap_or(0);
    let mut curves = Vec::with_capacity(2 * d);
    for j in 0..d {
        let eig = |r: &Record| r.eigenvalues.get(j).copied();
        for (records, stroke) in [
            (data.records, Stroke::Solid),
            (data.theory_records(), Stroke::Dashed),
        ] {
            curves.push(Curve {
                points: axis.series(records, eig),
                color: mode_color(j),
                stroke,
            });
        }
    }
    finish(PanelKind::Modes, curves, markers(data, axis, true))
}

/// Step-time markers inside the axis range.
fn markers(data: &FigureData<'_>, axis: &TimeAxis, coloured: bool) -> Vec<Marker> {
    let Some(theory) = data.theory else {
        return Vec::new();
    };
    let tau = theory.tau.iter().enumerate();
    tau.filter_map(|(j, t)| t.filter(|&t| axis.contains(t)).map(|t| (j, t)))
        .map(|(j, t)| Marker {
            t,
            color: if coloured { mode_color(j) } else { axis_grey() },
        })
        .collect()
}

/// Drops empty curves and picks the y range: from min(0, data) to the data maximum plus 5 %.
fn finish(kind: PanelKind, mut curves: Vec<Curve>, markers: Vec<Marker>) -> Panel {
    curves.retain(|c| !c.points.is_empty());
    let values = curves.iter().flat_map(|c| c.points.iter().map(|p| p.1));
    let (lo, hi) = min_max(values);
    let y = if lo.is_finite() {
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        let pad = 0.05 * (hi - lo);
        let below = if lo < 0.0 { pad } else { 0.0 };
        linear_span(lo - below, hi + pad)
    } else {
        0.0..1.0
    };
    Panel {
        kind,
        curves,
        markers,
        y,
        note: None,
    }
}

/// (min, max), or (+inf, −inf) when empty.
fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// A non-empty linear range; [0, 1] when there is no data.
fn linear_span(lo: f64, hi: f64) -> Range<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return 0.0..1.0;
    }
    if hi > lo {
        return lo..hi;
    }
    if lo == 0.0 {
        return 0.0..1.0;
    }
    let half = 0.5 * lo.abs();
    lo - half..hi + half
}

/// A positive log range that contains at least one power of ten, so it gets a tick.
fn log_span(lo: f64, hi: f64) -> Range<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0) {
        return 0.1..1.0;
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo / 10.0, hi * 10.0)
    };
    let decade = 10f64.powf(lo.log10().floor());
    if decade * 10.0 > hi {
        decade..hi
    } else {
        lo..hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_never_empty() {
        assert_eq!(linear_span(f64::INFINITY, f64::NEG_INFINITY), 0.0..1.0);
        assert_eq!(linear_span(0.0, 0.0), 0.0..1.0);
        assert_eq!(linear_span(2.0, 2.0), 1.0..3.0);
        assert_eq!(linear_span(-2.0, -2.0), -3.0..-1.0);
        assert_eq!(log_span(5.0, 5.0), 0.5..50.0);
        assert_eq!(log_span(2.0, 8.0), 1.0..8.0);
        assert_eq!(log_span(2.0, 300.0), 2.0..300.0);
        assert_eq!(log_span(f64::INFINITY, f64::NEG_INFINITY), 0.1..1.0);
    }

    #[test]
    fn series_thins_and_keeps_ends() {
        let axis = TimeAxis {
            log: false,
            range: 0.0..1.0,
        };
        let records: Vec<Record> = (0..=100_000)
            .map(|i| Record {
                t: f64::from(i) / 1e5,
                step: i as u64,
                loss: if i == 7 { f64::NAN } else { 1.0 },
                eigenvalues: vec![],
            })
            .collect();
        let pts = axis.series(&records, |r| Some(r.loss));
        assert!(pts.len() <= MAX_POINTS + 2, "{}", pts.len());
        assert_eq!(pts.first().map(|p| p.0), Some(0.0));
        assert_eq!(pts.last().map(|p| p.0), Some(1.0));
    }
}
