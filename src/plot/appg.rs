//! Appendix G's comparison (docs/math.md §8) as small multiples: one panel per variant with the
//! eigenvalues of C against the step (the baseline's curves faint and dashed underneath,
//! the threshold, and where every mode was learned), and a bar panel of the time to learn
//! every mode relative to the baseline (`appg_bars.rs`).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::appg_bars::{appg_bar_at, bar_header, draw_bars, BarReadout};
use super::density::{appg_max_cols, css_width, grid_for};
use super::geometry::{FigureLayout, PanelGeometry, PanelKind};
use super::landscape::{clip_above, min_max, thin, to_svg};
use super::panels::{draw_panel, Line, PanelData, Polyline};
use super::spectrum::header_layout;
use super::style::{axis, background, ink, mode_color, tick_label, Theme};
use super::{draw_err, PlotError};
use crate::experiment::appg::{AppgResult, ComparisonRow, Policy};
use crate::experiment::Record;
use crate::model::spectral::LossVariant;

/// Panel letters, in order (five variants and the bars at most).
const LETTERS: [&str; 6] = ["A", "B", "C", "D", "E", "F"];
/// The eigenvalue axis ends at least here and at most here.
const Y_MIN_TOP: f64 = 1.1;
const Y_MAX_TOP: f64 = 2.5;
/// When every row of the policy learned every mode, the step axis ends this factor after
/// the slowest of them.
const ZOOM: f64 = 1.5;
/// How much of the way to white the baseline's curves are blended.
const BASELINE_FADE: f64 = 0.55;

/// What the comparison figure shows and how large it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppgFigureOptions {
    /// Which rows the variant panels show: the baseline's η for all, or each one's own
    /// stable η (the bar panel always shows both policies that were run).
    pub policy: Policy,
    /// Logarithmic step axis (step 0 is skipped).
    pub log_steps: bool,
    /// Size in pixels of the whole figure.
    pub width: u32,
    pub height: u32,
}

impl Default for AppgFigureOptions {
    fn default() -> Self {
        Self {
            policy: Policy::Equal,
            log_steps: false,
            width: 1500,
            height: 860,
        }
    }
}

/// The rows a figure draws: the finished ones of `result` and the one still running.
#[derive(Clone, Copy)]
pub(super) struct Rows<'a> {
    pub result: &'a AppgResult,
    pub current: Option<&'a ComparisonRow>,
}

impl<'a> Rows<'a> {
    /// The row of `v` under `p`, finished or running.
    pub fn get(&self, v: LossVariant, p: Policy) -> Option<&'a ComparisonRow> {
        let running = self.current.filter(|r| r.variant == v && r.policy == p);
        self.result.row(v, p).or(running)
    }

    /// The variants compared (the baseline first).
    pub fn variants(&self) -> Vec<LossVariant> {
        self.result.config.variants.list()
    }
}

/// Draws the comparison onto `root`: a grid of one panel per variant (rows of
/// `opts.policy`) and the bar panel; `current` is a row still running, drawn as far as it
/// got. Sizes follow `root`'s pixel size. Returns where the variant panels lie (in the
/// order of [`appg_readout_sources`]), then the bar panel (read by [`appg_bar_readout`]).
pub fn draw_appg_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &AppgResult,
    current: Option<&ComparisonRow>,
    opts: &AppgFigureOptions,
) -> Result<FigureLayout, PlotError> {
    let rows = Rows { result, current };
    let panels = variant_panels(rows, opts);
    let (w, h) = root.dim_in_pixel();
    let (grid_rows, grid_cols) = grid(panels.len() + 1, (w, h));
    // a grid cell is themed like one panel of the two-panel Figure 1
    let cell = (w / grid_cols as u32, h / grid_rows as u32);
    let theme = Theme::for_size((2 * cell.0, cell.1));
    root.fill(&background()).map_err(draw_err)?;
    let areas = root.split_evenly((grid_rows, grid_cols));
    let letter = LETTERS.get(panels.len()).copied().unwrap_or("");
    let bars = bar_header(rows, letter);
    let mut head_rows = 1;
    for (area, p) in areas.iter().zip(panels.iter().chain([&bars])) {
        head_rows = head_rows.max(header_layout(area, p, &theme)?.rows);
    }
    let mut layout = FigureLayout::default();
    for (area, p) in areas.iter().zip(&panels) {
        let px = draw_panel(area, p, head_rows, &theme)?;
        let geometry = PanelGeometry::new(PanelKind::Modes, px, p.x.clone(), p.log_x, p.y.clone());
        layout.panels.push(geometry);
    }
    if let Some(area) = areas.get(panels.len()) {
        layout
            .panels
            .push(draw_bars(area, rows, &bars, head_rows, &theme)?);
    }
    root.present().map_err(draw_err)?;
    Ok(layout)
}

/// What each variant panel draws, for hover readouts, with the step as `t`: the variant's
/// row under `policy` (finished, or `current` as far as it got) and the baseline's row
/// (none on the baseline's own panel).
pub fn appg_readout_sources(
    result: &AppgResult,
    current: Option<&ComparisonRow>,
    policy: Policy,
) -> Vec<(Vec<Record>, Vec<Record>)> {
    let rows = Rows { result, current };
    let by_step = |row: Option<&ComparisonRow>| -> Vec<Record> {
        let records = row.map_or(&[][..], |r| &r.records[..]);
        let at_step = |q: &Record| Record {
            t: q.step as f64,
            ..q.clone()
        };
        records.iter().map(at_step).collect()
    };
    let base = rows.get(LossVariant::Baseline, policy);
    let source = |v: LossVariant| {
        let baseline = if v == LossVariant::Baseline {
            Vec::new()
        } else {
            by_step(base)
        };
        (by_step(rows.get(v, policy)), baseline)
    };
    rows.variants().into_iter().map(source).collect()
}

/// The bar of the bar panel at its y coordinate `y` (variant slots), see
/// [`draw_appg_figure`]; `current` is the row still running.
pub fn appg_bar_readout(
    result: &AppgResult,
    current: Option<&ComparisonRow>,
    y: f64,
) -> Option<BarReadout> {
    appg_bar_at(Rows { result, current }, y)
}

/// Renders [`draw_appg_figure`] of a finished comparison to a standalone SVG document.
pub fn appg_figure_svg(result: &AppgResult, opts: &AppgFigureOptions) -> Result<String, PlotError> {
    to_svg((opts.width, opts.height), |root| {
        draw_appg_figure(root, result, None, opts).map(|_| ())
    })
}

/// (rows, columns) of a grid of `n` panels on a figure of `(w, h)` pixels: one row up to
/// three, else two rows, in fewer columns when the cells would be too narrow to read (one
/// on a phone).
fn grid(n: usize, (w, _): (u32, u32)) -> (usize, usize) {
    grid_for(n, appg_max_cols(n), css_width(w))
}

/// One panel per variant, on a shared step axis and eigenvalue axis.
fn variant_panels(rows: Rows<'_>, opts: &AppgFigureOptions) -> Vec<PanelData> {
    let policy = opts.policy;
    let variants = rows.variants();
    let x = step_range(rows, &variants, opts);
    let admits = |s: f64| s.is_finite() && (!opts.log_steps || s > 0.0) && s <= x.end;
    let y = eigen_range(rows, &variants, policy, &admits);
    let threshold = rows.result.config.threshold;
    let base = rows.get(LossVariant::Baseline, policy);
    let mut panels = Vec::with_capacity(variants.len());
    for (k, &v) in variants.iter().enumerate() {
        let row = rows.get(v, policy);
        let letter = LETTERS.get(k).copied().unwrap_or("");
        let mut p = PanelData::new(letter, panel_title(v, row), x.clone(), y.clone());
        p.log_x = opts.log_steps;
        p.x_desc = format!("step ({} η)", policy_words(policy));
        p.y_desc = "eigenvalues of C".into();
        p.lines.push(Polyline {
            points: vec![(x.start, threshold), (x.end, threshold)],
            color: axis(),
            line: Line::LongDash,
        });
        if let Some(base) = base.filter(|_| v != LossVariant::Baseline) {
            push_modes(&mut p, base, &y, &admits, true);
        }
        if let Some(row) = row {
            push_modes(&mut p, row, &y, &admits, false);
            let reached = row.steps_to_all.map(|s| s as f64).filter(|&s| admits(s));
            p.markers.extend(reached.map(|s| (s, ink())));
        }
        if k == 0 {
            p.key = vec![
                ("variant".into(), mode_color(0), Line::Wide),
                ("baseline".into(), fade(ink()), Line::Dashed),
                (
                    format!("λ = {}", tick_label(threshold)),
                    axis(),
                    Line::LongDash,
                ),
                ("all learned".into(), ink(), Line::Dotted),
            ];
        }
        panels.push(p);
    }
    panels
}

/// "sharp · η = 2.56e-1", or why the panel is empty or stopped.
fn panel_title(v: LossVariant, row: Option<&ComparisonRow>) -> String {
    let Some(row) = row else {
        return format!("{} · waiting", v.name());
    };
    if row.eta <= 0.0 {
        return format!("{} · no stable η", v.name());
    }
    let eta = tick_label(row.eta);
    if row.diverged {
        format!("{} · η = {eta} · diverged", v.name())
    } else {
        format!("{} · η = {eta}", v.name())
    }
}

fn policy_words(p: Policy) -> &'static str {
    match p {
        Policy::Equal => "baseline's",
        Policy::Stable => "own stable",
    }
}

/// The step axis: the whole budget, or up to [`ZOOM`] times the slowest row when every
/// variant's row of the policy has learned every mode.
fn step_range(rows: Rows<'_>, variants: &[LossVariant], opts: &AppgFigureOptions) -> Range<f64> {
    let budget = rows.result.steps.max(1) as f64;
    let reached: Option<Vec<u64>> = variants
        .iter()
        .map(|&v| rows.get(v, opts.policy).and_then(|r| r.steps_to_all))
        .collect();
    let slowest = reached.and_then(|s| s.into_iter().max());
    let end = slowest.map_or(budget, |s| (ZOOM * s as f64).clamp(2.0, budget));
    if opts.log_steps {
        1.0..end.max(10.0)
    } else {
        0.0..end
    }
}

/// From min(0, λ) to the largest plotted λ, within [[`Y_MIN_TOP`], [`Y_MAX_TOP`]].
fn eigen_range(
    rows: Rows<'_>,
    variants: &[LossVariant],
    policy: Policy,
    admits: &dyn Fn(f64) -> bool,
) -> Range<f64> {
    let values = variants
        .iter()
        .filter_map(|&v| rows.get(v, policy))
        .flat_map(|r| r.records.iter())
        .filter(|r| admits(r.step as f64))
        .flat_map(|r| r.eigenvalues.iter().copied())
        .filter(|l| l.is_finite());
    let (lo, hi) = min_max(values);
    let top = if hi.is_finite() {
        (1.05 * hi).clamp(Y_MIN_TOP, Y_MAX_TOP)
    } else {
        Y_MIN_TOP
    };
    let bottom = if lo.is_finite() {
        lo.clamp(-0.5, 0.0)
    } else {
        0.0
    };
    bottom - 0.02 * top..top
}

/// One polyline per mode of `row` (faded and dashed for the baseline underneath), clipped
/// to the panel's eigenvalue range.
fn push_modes(
    p: &mut PanelData,
    row: &ComparisonRow,
    y: &Range<f64>,
    admits: &dyn Fn(f64) -> bool,
    baseline: bool,
) {
    let d = row
        .records
        .iter()
        .map(|r| r.eigenvalues.len())
        .max()
        .unwrap_or(0);
    for j in 0..d {
        let points: Vec<(f64, f64)> = row
            .records
            .iter()
            .filter(|r| admits(r.step as f64))
            .filter_map(|r| Some((r.step as f64, *r.eigenvalues.get(j)?)))
            .filter(|q| q.1.is_finite())
            .map(|(s, l)| (s, l.max(y.start)))
            .collect();
        let points = thin(points);
        let (color, line) = if baseline {
            (fade(mode_color(j)), Line::Dashed)
        } else {
            (mode_color(j), Line::Wide)
        };
        for run in clip_above(&points, y.end) {
            p.lines.push(Polyline {
                points: run,
                color,
                line,
            });
        }
    }
}

/// `c` blended [`BASELINE_FADE`] of the way to the background (white, or dark grey).
fn fade(c: RGBColor) -> RGBColor {
    let bg = background();
    let mix = |v: u8, to: u8| {
        (f64::from(v) + BASELINE_FADE * (f64::from(to) - f64::from(v))).round() as u8
    };
    RGBColor(mix(c.0, bg.0), mix(c.1, bg.1), mix(c.2, bg.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_hold_every_panel() {
        assert_eq!(grid(2, (1500, 860)), (1, 2));
        assert_eq!(grid(3, (1500, 860)), (1, 3));
        assert_eq!(grid(4, (1500, 860)), (2, 2));
        assert_eq!(grid(6, (1500, 860)), (2, 3));
        assert_eq!(grid(6, (320, 1800)), (6, 1));
        // a 700 px column: two columns of 341 px, three rows
        assert_eq!(grid(6, (682, 600)), (3, 2));
        assert_eq!(fade(RGBColor(255, 255, 255)), RGBColor(255, 255, 255));
        assert_eq!(fade(RGBColor(0, 0, 0)), RGBColor(140, 140, 140));
    }
}
