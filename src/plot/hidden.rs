//! Cell 6's figure: when the hidden layer moves, against the embedding's steps (the paper's
//! Figure 5). A: the hidden covariance spectrum's relative rate of change over time, the
//! embedding's step times dotted and the fastest change around each step marked; B: the time
//! of that fastest change against the step's time, on the diagonal when they coincide.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::FigureLayout;
use super::landscape::{min_max, padded, thin, to_svg};
use super::panels::{draw_figure, Dot, Line, PanelData, Polyline};
use super::style::{faint, ink, mode_color};
use super::{FigureOptions, PlotError};
use crate::experiment::mlp::hidden_steps::{hidden_change_rate, step_alignment, StepAlignment};
use crate::experiment::mlp::MlpResult;
use crate::experiment::Record;

/// The hidden spectrum's rate of change as records (t, [rate]; no loss): what panel A draws,
/// for hover readouts.
pub fn hidden_rate_records(result: &MlpResult) -> Vec<Record> {
    hidden_change_rate(&result.hidden)
        .into_iter()
        .map(|(t, rate)| Record {
            t,
            step: 0,
            loss: f64::NAN,
            eigenvalues: vec![rate],
        })
        .collect()
}

/// Draws cell 6's figure onto `root`; returns where the panels lie.
pub fn draw_hidden_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &MlpResult,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    let steps = step_alignment(&result.records, &result.hidden, result.config.d);
    let panels = [
        rate_panel(result, &steps, opts.log_time),
        timing_panel(&steps, opts.log_time),
    ];
    draw_figure(root, &panels)
}

/// Renders [`draw_hidden_figure`] to a standalone SVG document.
pub fn hidden_figure_svg(result: &MlpResult, opts: &FigureOptions) -> Result<String, PlotError> {
    to_svg((opts.width, opts.height), |root| {
        draw_hidden_figure(root, result, opts).map(|_| ())
    })
}

/// A time range over `times` (positive ones on a log axis), from 0 on a linear one.
fn time_range(times: impl Iterator<Item = f64>, log: bool) -> std::ops::Range<f64> {
    let (lo, hi) = min_max(times.filter(|t| t.is_finite() && (!log || *t > 0.0)));
    match (log, lo < hi, lo.is_finite()) {
        (true, true, _) => lo..hi,
        (true, false, true) => 0.5 * lo..2.0 * lo,
        (true, false, false) => 1e-3..1.0,
        (false, ..) => padded(0.0, hi, 0.0),
    }
}

fn rate_panel(result: &MlpResult, steps: &[StepAlignment], log: bool) -> PanelData {
    let rate: Vec<(f64, f64)> = hidden_change_rate(&result.hidden)
        .into_iter()
        .filter(|(t, _)| !log || *t > 0.0)
        .collect();
    let x = time_range(result.records.iter().map(|r| r.t), log);
    let (_, hi) = min_max(rate.iter().map(|p| p.1));
    let title = "hidden spectrum: rate of change";
    let mut p = PanelData::new("A", title, x.clone(), padded(0.0, hi.max(0.0), 0.05));
    p.log_x = log;
    p.lines.push(Polyline {
        points: thin(rate),
        color: ink(),
        line: Line::Solid,
    });
    p.markers = steps
        .iter()
        .filter(|s| x.contains(&s.step_time))
        .map(|s| (s.step_time, mode_color(s.mode)))
        .collect();
    p.dots = steps
        .iter()
        .filter(|s| x.contains(&s.hidden_peak))
        .map(|s| Dot {
            at: (s.hidden_peak, s.peak_rate),
            color: mode_color(s.mode),
            filled: true,
            label: None,
        })
        .collect();
    p.key = vec![
        ("Σ|Δλₖ|/λₖ per unit t".into(), ink(), Line::Solid),
        ("embedding steps".into(), ink(), Line::Dotted),
    ];
    p.x_desc = "t = η·step".into();
    p.y_desc = "relative change per unit t".into();
    p
}

fn timing_panel(steps: &[StepAlignment], log: bool) -> PanelData {
    let times = steps.iter().flat_map(|s| [s.step_time, s.hidden_peak]);
    let r = time_range(times, log);
    let r = if log { r } else { padded(0.0, r.end, 0.05) };
    let mut p = PanelData::new("B", "fastest hidden change vs step", r.clone(), r.clone());
    (p.log_x, p.log_y) = (log, log);
    p.lines.push(Polyline {
        points: vec![(r.start, r.start), (r.end, r.end)],
        color: faint(),
        line: Line::Thin,
    });
    p.dots = steps
        .iter()
        .map(|s| Dot {
            at: (s.step_time, s.hidden_peak),
            color: mode_color(s.mode),
            filled: true,
            label: Some(format!("{}", s.mode + 1)),
        })
        .collect();
    p.x_desc = "embedding step time (λⱼ half way up)".into();
    p.y_desc = "t of the fastest hidden change".into();
    p
}
