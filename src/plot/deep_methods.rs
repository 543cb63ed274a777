//! "Three methods, one subspace" (the paper's Table 2, docs/deep.md §5): A the alignment
//! matrix of the three methods' final embedding subspaces as a heatmap with each value
//! written in its cell and chance stated, B each method's embedding eigenvalues over its
//! steps (each mode divided by its final value, one band per method), so that the reader
//! sees every method learn its modes one at a time.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::FigureLayout;
use super::landscape::{thin, to_svg};
use super::panels::{draw_figure, Line, PanelData, Polyline, Shade};
use super::style::{ink, mode_color};
use super::{FigureOptions, PlotError};
use crate::experiment::deep::methods::MethodsComparison;
use crate::experiment::deep::methods_config::method_name;
use crate::experiment::deep::{DeepResult, LossKind};
use crate::experiment::Record;

/// Height of a method's band in panel B (bands are centred on 1, 2, 3).
const BAND: f64 = 0.8;

/// What the figure draws: the methods so far and the alignment of the finished ones.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodsView {
    /// Each method's name (every method of the comparison, finished or not).
    pub names: Vec<String>,
    /// `alignment[i][j]` of the finished methods (a square of their count).
    pub alignment: Vec<Vec<f64>>,
    /// Alignment of two random d-dimensional subspaces of the evaluation rows.
    pub chance: f64,
    pub d: usize,
    pub rows: usize,
    /// Each started method's embedding eigenvalue records.
    pub records: Vec<Vec<Record>>,
}

impl MethodsView {
    /// The view of `comparison` (its finished methods) and `runs` (every method started,
    /// the running one last) among methods `losses`.
    pub fn new(comparison: &MethodsComparison, runs: &[DeepResult], losses: &[LossKind]) -> Self {
        Self {
            names: losses.iter().map(|&l| method_name(l).to_string()).collect(),
            alignment: comparison.alignment.clone(),
            chance: comparison.chance,
            d: comparison.d,
            rows: comparison.rows,
            records: runs.iter().map(|r| r.records.clone()).collect(),
        }
    }

    /// The largest step any method has recorded (at least 1).
    fn last_step(&self) -> f64 {
        let steps = self.records.iter().flatten().map(|r| r.step);
        steps.max().unwrap_or(1).max(1) as f64
    }

    /// The records of method `i` as panel B draws them: each mode over its latest value,
    /// placed in the method's band (λ = 0 at the band's foot, its latest value at its top).
    pub fn band_records(&self, i: usize) -> Vec<Record> {
        let Some(records) = self.records.get(i) else {
            return Vec::new();
        };
        let last = records
            .last()
            .map(|r| r.eigenvalues.clone())
            .unwrap_or_default();
        let foot = self.band_centre(i) - BAND / 2.0;
        let scaled = |j: usize, v: f64| {
            let top = last.get(j).copied().unwrap_or(0.0);
            let frac = if top > 0.0 {
                (v / top).clamp(0.0, 1.2)
            } else {
                0.0
            };
            foot + BAND * frac / 1.2
        };
        let place = |r: &Record| Record {
            t: r.step as f64,
            step: r.step,
            loss: f64::NAN,
            eigenvalues: r
                .eigenvalues
                .iter()
                .enumerate()
                .map(|(j, &v)| scaled(j, v))
                .collect(),
        };
        records.iter().map(place).collect()
    }

    /// Where method `i`'s band is centred on panel B's y axis (the first on top).
    fn band_centre(&self, i: usize) -> f64 {
        (self.names.len() - i) as f64
    }
}

/// A name short enough for a tick: a name of several words by its initials ("BT").
fn tick(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 {
        return name.to_string();
    }
    words.iter().filter_map(|w| w.chars().next()).collect()
}

/// The tick names bottom to top, for a y axis whose tick k is the k-th from the bottom.
fn upward(names: &[String]) -> Vec<String> {
    names.iter().rev().map(|n| tick(n)).collect()
}

/// A: the alignment heatmap, methods in the same order across and (top to bottom) down.
fn alignment_panel(view: &MethodsView) -> PanelData {
    let n = view.names.len().max(1) as f64;
    let mut p = PanelData::new("A", "subspace alignment", 0.5..n + 0.5, 0.5..n + 0.5);
    p.names_x = view.names.iter().map(|n| tick(n)).collect();
    p.names_y = upward(&view.names);
    for (i, row) in view.alignment.iter().enumerate() {
        for (j, &a) in row.iter().enumerate() {
            let (x, y) = ((j + 1) as f64, n - i as f64);
            p.shades.push(Shade {
                x: x - 0.5..x + 0.5,
                y: y - 0.5..y + 0.5,
                color: mode_color(0),
                alpha: 0.1 + 0.6 * a.clamp(0.0, 1.0),
            });
            p.texts.push(((x, y), format!("{a:.3}")));
        }
    }
    p.key = vec![(
        format!(
            "chance {:.4} (d = {} of {} views)",
            view.chance, view.d, view.rows
        ),
        ink(),
        Line::Thin,
    )];
    p
}

/// B: every started method's modes over steps, in its band, mode j in mode j's colour.
fn steps_panel(view: &MethodsView) -> PanelData {
    let n = view.names.len().max(1) as f64;
    let mut p = PanelData::new("B", "λⱼ / latest λⱼ", 0.0..view.last_step(), 0.5..n + 0.5);
    p.names_y = upward(&view.names);
    p.x_desc = "step".into();
    for i in 0..view.records.len() {
        let records = view.band_records(i);
        let d = records
            .iter()
            .map(|r| r.eigenvalues.len())
            .max()
            .unwrap_or(0);
        for j in 0..d {
            let pts = records
                .iter()
                .filter_map(|r| r.eigenvalues.get(j).map(|&v| (r.t, v)))
                .collect();
            p.lines.push(Polyline {
                points: thin(pts),
                color: mode_color(j),
                line: Line::Wide,
            });
        }
    }
    p.key = vec![("mode 1".into(), mode_color(0), Line::Wide)];
    p
}

/// Draws the figure onto `root`.
pub fn draw_methods_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &MethodsView,
) -> Result<FigureLayout, PlotError> {
    draw_figure(root, &[alignment_panel(view), steps_panel(view)])
}

/// The figure as a standalone SVG document.
pub fn methods_svg(view: &MethodsView, opts: &FigureOptions) -> Result<String, PlotError> {
    to_svg((opts.width, opts.height), |root| {
        draw_methods_figure(root, view).map(|_| ())
    })
}

/// The method pair under a point of panel A (its data coordinates), as (row, column).
pub fn cell_at(view: &MethodsView, x: f64, y: f64) -> Option<(usize, usize)> {
    let n = view.alignment.len();
    let col = x.round();
    let row = view.names.len() as f64 - y.round();
    let ok = |v: f64| v >= 0.0 && (v as usize) < n;
    (ok(col - 1.0) && ok(row)).then(|| (row as usize, col as usize - 1))
}

/// What the pointer at data point (x, y) of panel `panel` reads: on A the pair under it
/// ("SimCLR–VICReg: alignment 0.481 (chance 0.0078)"), on B the method whose band it is in
/// and its eigenvalues at the nearest record; `None` off the cells and bands.
pub fn readout_text(view: &MethodsView, panel: usize, x: f64, y: f64) -> Option<String> {
    if panel == 0 {
        let (i, j) = cell_at(view, x, y)?;
        let a = view.alignment.get(i)?.get(j)?;
        return Some(format!(
            "{}–{}: alignment {a:.3} (chance {:.4})",
            view.names[i], view.names[j], view.chance
        ));
    }
    let i = (view.names.len() as f64 - y.round()).max(0.0) as usize;
    let records = view.records.get(i)?;
    let nearest = records.iter().min_by(|a, b| {
        (a.step as f64 - x)
            .abs()
            .total_cmp(&(b.step as f64 - x).abs())
    })?;
    let values: Vec<String> = nearest
        .eigenvalues
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect();
    Some(format!(
        "{}, step {}: λ = {}",
        view.names.get(i)?,
        nearest.step,
        values.join(", ")
    ))
}
