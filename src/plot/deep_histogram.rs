//! Fig 4's view (docs/deep.md §3): the distribution of the embedding eigenvalues over time.
//! A: a heatmap, x = t (one column per record), y = log₁₀ λ in equal bins, shade = how many
//! eigenvalues fall in the bin; B: the distribution at init, half way and at the end, where
//! the learned modes and the ones still near zero make two separate groups (bimodal).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::deep::DeepView;
use super::geometry::FigureLayout;
use super::landscape::{min_max, padded};
use super::panels::{draw_figure, Line, PanelData, Polyline, Shade};
use super::series::TimeAxis;
use super::style::{axis as axis_grey, ink, mode_color};
use super::{FigureOptions, PlotError};
use crate::experiment::Record;

/// Bins of log₁₀ λ the figure uses.
pub const HISTOGRAM_BINS: usize = 24;

/// One record's histogram: the time span its column covers and the count per bin.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramColumn {
    pub t: f64,
    pub span: Range<f64>,
    pub counts: Vec<u32>,
}

/// Histograms of log₁₀ of the positive eigenvalues of each record, on shared bins.
#[derive(Debug, Clone, PartialEq)]
pub struct LogHistogram {
    /// `bins + 1` increasing edges in log₁₀ λ.
    pub edges: Vec<f64>,
    pub columns: Vec<HistogramColumn>,
    /// Eigenvalues not counted: not positive or not finite (log λ undefined).
    pub skipped: usize,
}

impl LogHistogram {
    /// The largest count of any bin (0 when empty).
    pub fn max_count(&self) -> u32 {
        let counts = self.columns.iter().flat_map(|c| c.counts.iter());
        counts.copied().max().unwrap_or(0)
    }

    /// The bin holding log₁₀ λ = `x` (the last bin holds its upper edge).
    fn bin(&self, x: f64) -> Option<usize> {
        let (lo, hi) = (*self.edges.first()?, *self.edges.last()?);
        if !(lo..=hi).contains(&x) {
            return None;
        }
        let bins = self.edges.len() - 1;
        let i = ((x - lo) / (hi - lo) * bins as f64).floor() as usize;
        Some(i.min(bins - 1))
    }
}

/// The histograms of `records` (those `axis` admits) on `bins` equal bins of log₁₀ λ
/// spanning every counted eigenvalue; each column spans half way to its neighbours' times
/// (geometrically on a log axis), clamped to the axis.
pub fn log_histogram(records: &[Record], bins: usize, axis: &TimeAxis) -> LogHistogram {
    let bins = bins.max(1);
    let shown: Vec<&Record> = records.iter().filter(|r| axis.admits(r.t)).collect();
    let logs = |r: &Record| -> Vec<f64> {
        let ok = r.eigenvalues.iter().filter(|v| v.is_finite() && **v > 0.0);
        ok.map(|v| v.log10()).collect()
    };
    let (lo, hi) = min_max(shown.iter().flat_map(|r| logs(r)));
    let range = if lo.is_finite() && hi > lo {
        lo..hi
    } else {
        padded(lo, hi, 0.5)
    };
    let width = (range.end - range.start) / bins as f64;
    // the last edge is the largest value itself (a sum of widths may fall short of it)
    let inner = (0..bins).map(|i| range.start + width * i as f64);
    let edges = inner.chain(std::iter::once(range.end)).collect();
    let mut hist = LogHistogram {
        edges,
        columns: Vec::with_capacity(shown.len()),
        skipped: 0,
    };
    let mid = |a: f64, b: f64| {
        if axis.log {
            (a * b).sqrt()
        } else {
            0.5 * (a + b)
        }
    };
    for (i, r) in shown.iter().enumerate() {
        let start = i.checked_sub(1).map_or(r.t, |k| mid(shown[k].t, r.t));
        let end = shown.get(i + 1).map_or(r.t, |n| mid(r.t, n.t));
        let mut counts = vec![0u32; bins];
        let logs = logs(r);
        hist.skipped += r.eigenvalues.len() - logs.len();
        for b in logs.into_iter().filter_map(|x| hist.bin(x)) {
            counts[b] += 1;
        }
        let span = start.max(axis.range.start)..end.min(axis.range.end);
        hist.columns.push(HistogramColumn {
            t: r.t,
            span,
            counts,
        });
    }
    hist
}

/// The records with log₁₀ of each eigenvalue (NaN where not positive): what panel A's hover
/// readout reads (the nearest mode's log λ).
pub fn log_records(records: &[Record]) -> Vec<Record> {
    let log = |v: f64| if v > 0.0 { v.log10() } else { f64::NAN };
    records
        .iter()
        .map(|r| Record {
            t: r.t,
            step: r.step,
            loss: f64::NAN,
            eigenvalues: r.eigenvalues.iter().map(|&v| log(v)).collect(),
        })
        .collect()
}

/// Draws Fig 4's view onto `root`; panel A reads as modes of [`log_records`].
pub fn draw_histogram_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &DeepView,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    let axis = view.axis(opts.log_time);
    let hist = log_histogram(&view.records, HISTOGRAM_BINS, &axis);
    let panels = [heatmap_panel(view, &hist, &axis), snapshot_panel(&hist)];
    draw_figure(root, &panels)
}

/// A: one shaded rectangle per non-empty bin, in mode 1's colour, darker for more eigenvalues.
fn heatmap_panel(view: &DeepView, hist: &LogHistogram, axis: &TimeAxis) -> PanelData {
    let y = hist.edges[0]..hist.edges[hist.edges.len() - 1];
    let mut p = PanelData::new("A", "eigenvalue histogram over t", axis.range.clone(), y);
    p.log_x = axis.log;
    let top = f64::from(hist.max_count().max(1));
    for c in hist.columns.iter().filter(|c| c.span.end > c.span.start) {
        for (b, &n) in c.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            p.shades.push(Shade {
                x: c.span.clone(),
                y: hist.edges[b]..hist.edges[b + 1],
                color: mode_color(0),
                alpha: 0.2 + 0.8 * f64::from(n) / top,
            });
        }
    }
    p.markers = view.markers(axis, true);
    p.key = vec![
        ("darker: more modes".into(), mode_color(0), Line::Wide),
        ("steps".into(), ink(), Line::Dotted),
    ];
    p.x_desc = "t = η·step".into();
    p.y_desc = "log₁₀ eigenvalue".into();
    p
}

/// B: the count per bin at the first record, half way and at the last, as step lines.
fn snapshot_panel(hist: &LogHistogram) -> PanelData {
    let x = hist.edges[0]..hist.edges[hist.edges.len() - 1];
    let n = hist.columns.len();
    let picks = [
        (0, axis_grey()),
        (n / 2, mode_color(0)),
        (n.saturating_sub(1), ink()),
    ];
    let mut p = PanelData::new("B", "distribution at three times", x, 0.0..1.0);
    for (i, color) in picks.into_iter().filter(|_| n > 0) {
        let c = &hist.columns[i];
        let mut pts = Vec::with_capacity(2 * c.counts.len());
        for (b, &k) in c.counts.iter().enumerate() {
            pts.extend([
                (hist.edges[b], f64::from(k)),
                (hist.edges[b + 1], f64::from(k)),
            ]);
        }
        p.lines.push(Polyline {
            points: pts,
            color,
            line: Line::Wide,
        });
        p.key
            .push((format!("t = {}", short(c.t)), color, Line::Wide));
    }
    p.y = 0.0..f64::from(hist.max_count().max(1)) * 1.1;
    p.x_desc = "log₁₀ eigenvalue".into();
    p.y_desc = "modes".into();
    p
}

/// `t` with three significant digits.
fn short(t: f64) -> String {
    let s = format!("{t:.3}");
    if t.abs() >= 100.0 {
        format!("{t:.0}")
    } else {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
