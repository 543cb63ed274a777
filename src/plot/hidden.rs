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
    let top = if hi.is_finite() && hi > 0.0 { hi } else { 1.0 };
    let title = "hidden spectrum: rate of change";
    let mut p = PanelData::new("A", title, x.clone(), padded(0.0, 1.08 * top, 0.02));
    p.log_x = log;
    // each embedding step's 10–90% rise as a bar along the top, in its mode's colour
    p.lines.extend(steps.iter().map(|s| Polyline {
        points: vec![
            (s.window.0.max(x.start), 1.05 * top),
            (s.window.1.min(x.end), 1.05 * top),
        ],
        color: mode_color(s.mode),
        line: Line::Wide,
    }));
    // the rate curve, each stretch in the colour of the step it surrounds (up to the
    // midpoints between step times), black without steps
    p.lines.extend(rate_by_step(&rate, steps));
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
        ("Σ|Δλₖ|/λₖ per unit t, by step".into(), ink(), Line::Solid),
        (
            "steps: λⱼ half way (dotted), 10–90% (bar)".into(),
            ink(),
            Line::Dotted,
        ),
    ];
    p.x_desc = "t = η·step".into();
    p.y_desc = "relative change per unit t".into();
    p
}

/// The rate curve cut at the midpoints between consecutive step times, each piece in its
/// step's mode colour (one black piece when no mode has stepped).
fn rate_by_step(rate: &[(f64, f64)], steps: &[StepAlignment]) -> Vec<Polyline> {
    if steps.is_empty() {
        let points = thin(rate.to_vec());
        return vec![Polyline {
            points,
            color: ink(),
            line: Line::Solid,
        }];
    }
    let cut = |i: usize| 0.5 * (steps[i].step_time + steps[i + 1].step_time);
    (0..steps.len())
        .map(|i| {
            let lo = if i == 0 {
                f64::NEG_INFINITY
            } else {
                cut(i - 1)
            };
            let hi = if i + 1 == steps.len() {
                f64::INFINITY
            } else {
                cut(i)
            };
            let points = rate.iter().copied().filter(|(t, _)| *t >= lo && *t <= hi);
            Polyline {
                points: thin(points.collect()),
                color: mode_color(steps[i].mode),
                line: Line::Solid,
            }
        })
        .collect()
}

fn timing_panel(steps: &[StepAlignment], log: bool) -> PanelData {
    let times = steps
        .iter()
        .flat_map(|s| [s.step_time, s.hidden_peak, s.window.0, s.window.1]);
    let r = time_range(times, log);
    let r = if log { r } else { padded(0.0, r.end, 0.05) };
    let mut p = PanelData::new("B", "fastest hidden change vs step", r.clone(), r.clone());
    (p.log_x, p.log_y) = (log, log);
    p.lines.push(Polyline {
        points: vec![(r.start, r.start), (r.end, r.end)],
        color: faint(),
        line: Line::Thin,
    });
    // each step's 10–90% rise as a vertical bar: the hidden peak falls on it when the hidden
    // layer moves during that step
    p.lines.extend(steps.iter().map(|s| Polyline {
        points: vec![
            (s.step_time, s.window.0.max(r.start)),
            (s.step_time, s.window.1),
        ],
        color: mode_color(s.mode),
        line: Line::Wide,
    }));
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
