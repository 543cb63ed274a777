//! "Hidden representations and probes" (the paper's Figs 5 and 7, docs/deep.md §3): A the
//! hidden representation's top covariance eigenvalues, B the linear probes' accuracy on the
//! embedding and on the hidden representation with chance (1 / classes), C the effective
//! rank (RankMe) of both, on one time axis with the embedding's step times dotted.
//!
//! The figure says which probe shows what: the embedding's probe rises with the learned
//! modes; the hidden one is already high at init on the bundled photos (their colour
//! statistics tell the classes apart), so it cannot show the rise.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::deep::{mode_curves, points, time_panel, DeepView};
use super::geometry::FigureLayout;
use super::panels::{draw_figure, Line, PanelData, Polyline};
use super::series::TimeAxis;
use super::style::{faint, ink, mode_color};
use super::{FigureOptions, PlotError};
use crate::experiment::Record;

/// Column of the embedding's value in the probe and rank records (drawn in mode 1's colour).
pub const EMBEDDING: usize = 0;
/// Column of the hidden representation's value (drawn in mode 2's colour).
pub const HIDDEN: usize = 1;

/// Draws the probes figure onto `root`; every panel reads as modes (the probe and rank
/// panels' "mode 1" is the embedding, "mode 2" the hidden representation).
pub fn draw_probes_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &DeepView,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    let axis = view.axis(opts.log_time);
    let markers = view.markers(&axis, true);
    let hidden = mode_curves(&view.hidden, &axis);
    let mut a = time_panel("A", "hidden eigenvalues", &axis, hidden, markers.clone());
    a.y_desc = "eigenvalue".into();
    a.key = vec![("embedding steps".into(), ink(), Line::Dotted)];
    let panels = [
        a,
        probe_panel(view, &axis, markers.clone()),
        rank_panel(view, &axis, markers),
    ];
    draw_figure(root, &panels)
}

/// The embedding and hidden columns of `records` as two curves.
fn pair_curves(records: &[Record], axis: &TimeAxis) -> Vec<Polyline> {
    [EMBEDDING, HIDDEN]
        .into_iter()
        .map(|j| Polyline {
            points: points(records, axis, |r| r.eigenvalues.get(j).copied()),
            color: mode_color(j),
            line: Line::Wide,
        })
        .collect()
}

/// B: probe accuracy in [0, 1], chance long-dashed.
fn probe_panel(view: &DeepView, axis: &TimeAxis, markers: Vec<(f64, RGBColor)>) -> PanelData {
    let mut lines = pair_curves(&view.probe, axis);
    let chance = chance_level(view.classes);
    let mut key = vec![
        (
            "on embedding: rises with the modes".to_string(),
            mode_color(EMBEDDING),
            Line::Wide,
        ),
        (
            "on hidden: high from init".to_string(),
            mode_color(HIDDEN),
            Line::Wide,
        ),
    ];
    if let Some(c) = chance {
        lines.push(Polyline {
            points: vec![(axis.range.start, c), (axis.range.end, c)],
            color: faint(),
            line: Line::LongDash,
        });
        key.push((
            format!("chance 1/{}", view.classes),
            faint(),
            Line::LongDash,
        ));
    }
    let mut p = time_panel("B", "linear probe accuracy", axis, lines, markers);
    p.y = 0.0..1.0;
    p.y_desc = "test accuracy".into();
    p.key = key;
    p
}

/// C: RankMe of the embedding and of the hidden representation.
fn rank_panel(view: &DeepView, axis: &TimeAxis, markers: Vec<(f64, RGBColor)>) -> PanelData {
    let lines = pair_curves(&view.rank, axis);
    let mut p = time_panel("C", "effective rank (RankMe)", axis, lines, markers);
    p.y_desc = "RankMe".into();
    p.key = vec![
        ("embedding".into(), mode_color(EMBEDDING), Line::Wide),
        ("hidden".into(), mode_color(HIDDEN), Line::Wide),
    ];
    p
}

/// Accuracy of guessing among `classes` classes (`None` without classes).
pub fn chance_level(classes: usize) -> Option<f64> {
    (classes > 0).then(|| 1.0 / classes as f64)
}
