//! The comparison's bar panel: how many times fewer steps than the baseline (same η policy)
//! each variant took until every mode was learned — one horizontal bar per variant and
//! policy from 1 (the baseline) to its speedup on a log axis, labelled with that speedup, so
//! the longest bar to the right is the fastest — and a mark for rows that diverged, found no
//! stable η or never learned every mode.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use serde::Serialize;

use super::appg::Rows;
use super::geometry::{PanelGeometry, PanelKind};
use super::panels::{Line, PanelData};
use super::spectrum::draw_header;
use super::style::{axis, ink, pick, tick_label, Theme, RIGHT_MARGIN, X_LABEL_AREA};
use super::{draw_err, PlotError};
use crate::experiment::appg::{ComparisonRow, Policy};
use crate::model::spectral::LossVariant;

/// Bar colour of the shared η: Tol's cyan (light blue on a dark background).
fn equal() -> RGBColor {
    pick(RGBColor(0x88, 0xCC, 0xEE), RGBColor(0x77, 0xAA, 0xDD))
}

/// Bar colour of each variant's own stable η: indigo (orange on a dark background).
fn stable() -> RGBColor {
    pick(RGBColor(0x33, 0x22, 0x88), RGBColor(0xEE, 0x88, 0x66))
}

/// Labels of rows without a bar.
fn failed() -> RGBColor {
    pick(RGBColor(0xA0, 0x18, 0x30), RGBColor(0xFF, 0x77, 0x88))
}
/// Share of a variant's slot its bars fill.
const FILL: f64 = 0.8;

/// One bar, or the mark of a row without one.
struct Bar {
    variant: LossVariant,
    /// Vertical extent in slot coordinates.
    y: Range<f64>,
    policy: Policy,
    /// Steps to learn every mode over the baseline's (`None`: no bar).
    relative: Option<f64>,
    /// The baseline's steps over the row's: where the bar ends (`None`: no bar).
    speedup: Option<f64>,
    label: String,
    /// The row is still running.
    running: bool,
}

/// The policies whose bars are drawn: those the comparison runs for every variant.
fn policies(rows: Rows<'_>) -> Vec<Policy> {
    let eta = rows.result.config.eta;
    let mut out = Vec::new();
    if eta.equal() {
        out.push(Policy::Equal);
    }
    if eta.stable() {
        out.push(Policy::Stable);
    }
    out
}

fn color(p: Policy) -> RGBColor {
    match p {
        Policy::Equal => equal(),
        Policy::Stable => stable(),
    }
}

/// The panel's letter, title and key (drawn by `draw_header`).
pub(super) fn bar_header(rows: Rows<'_>, letter: &'static str) -> PanelData {
    let title = format!(
        "speedup to all λ > {}",
        tick_label(rows.result.config.threshold)
    );
    let mut p = PanelData::new(letter, title, 0.0..1.0, 0.0..1.0);
    for policy in policies(rows) {
        let text = match policy {
            Policy::Equal => "baseline's η",
            Policy::Stable => "own stable η",
        };
        p.key.push((text.into(), color(policy), Line::Solid));
    }
    p
}

/// What the bar of `row` says, against the baseline row `base` of the same policy.
/// Relative steps and speedup (`None`: no bar) and the label.
type Measured = (Option<(f64, f64)>, String);

fn measure(row: &ComparisonRow, base: Option<&ComparisonRow>, running: bool) -> Measured {
    if running {
        return (None, "running…".into());
    }
    if row.diverged {
        return (None, "× diverged".into());
    }
    if row.failure.is_some() || row.eta <= 0.0 {
        return (None, "× no stable η".into());
    }
    let Some(steps) = row.steps_to_all else {
        return (None, "× not all learned".into());
    };
    match base.and_then(|b| b.steps_to_all) {
        Some(b) if b > 0 => {
            let relative = steps.max(1) as f64 / b as f64;
            let speedup = row.speedup.unwrap_or(1.0 / relative);
            (Some((relative, speedup)), format!("{speedup:.2}x"))
        }
        _ => (None, format!("{steps} steps; baseline never")),
    }
}

/// Every bar: variants top to bottom (the baseline first), policies within a variant.
fn bars(rows: Rows<'_>) -> Vec<Bar> {
    let variants = rows.variants();
    let policies = policies(rows);
    let n = variants.len() as f64;
    let h = FILL / policies.len().max(1) as f64;
    let mut out = Vec::new();
    for (i, &v) in variants.iter().enumerate() {
        let center = n - i as f64;
        for (k, &policy) in policies.iter().enumerate() {
            let Some(row) = rows.get(v, policy) else {
                continue;
            };
            let running = rows.result.row(v, policy).is_none();
            let base = rows.result.row(LossVariant::Baseline, policy);
            let (measured, label) = measure(row, base, running);
            let top = center + FILL / 2.0 - k as f64 * h;
            out.push(Bar {
                variant: v,
                y: top - h * 0.92..top,
                policy,
                relative: measured.map(|m| m.0),
                speedup: measured.map(|m| m.1),
                label,
                running,
            });
        }
    }
    out
}

/// What the bar panel shows at one place: a bar, or the mark of a row without one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarReadout {
    /// The variant's name (`baseline`, `sharp`, …).
    pub variant: &'static str,
    pub policy: Policy,
    /// η the row ran at.
    pub eta: f64,
    /// First recorded step with every eigenvalue over the threshold (`None`: not reached).
    pub steps_to_all: Option<u64>,
    /// The baseline's, under the same policy.
    pub baseline_steps_to_all: Option<u64>,
    /// Steps over the baseline's (`None`: no bar; the bar runs from 1 to the reciprocal).
    pub relative: Option<f64>,
    /// The bar's label: the speedup, or why there is no bar.
    pub label: String,
}

/// The bar whose slot holds `y` (the bar panel's y coordinate: variant slots, the baseline
/// at the top), with its row's numbers; `None` between variants or off the slots.
pub fn appg_bar_at(rows: Rows<'_>, y: f64) -> Option<BarReadout> {
    let all = bars(rows);
    let mid = |b: &Bar| 0.5 * (b.y.start + b.y.end);
    let nearest = all
        .iter()
        .min_by(|a, b| (mid(a) - y).abs().total_cmp(&(mid(b) - y).abs()))?;
    let half_slot = FILL / 2.0 / policies(rows).len().max(1) as f64;
    if (mid(nearest) - y).abs() > half_slot {
        return None;
    }
    let row = rows.get(nearest.variant, nearest.policy)?;
    let base = rows.result.row(LossVariant::Baseline, nearest.policy);
    Some(BarReadout {
        variant: nearest.variant.name(),
        policy: nearest.policy,
        eta: row.eta,
        steps_to_all: row.steps_to_all,
        baseline_steps_to_all: base.and_then(|b| b.steps_to_all),
        relative: nearest.relative,
        label: nearest.label.clone(),
    })
}

/// Draws the bar panel on `area` under its header (at least `head_rows` rows high);
/// returns where its plotting area lies (x: relative steps, y: variant slots).
pub(super) fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: Rows<'_>,
    header: &PanelData,
    head_rows: u32,
    theme: &Theme,
) -> Result<PanelGeometry, PlotError> {
    let body = draw_header(area, header, head_rows, theme)?;
    let bars = bars(rows);
    let variants = rows.variants();
    let n = variants.len();
    let x = speedup_range(&bars);
    let mut chart = ChartBuilder::on(&body)
        .margin_left(theme.px(8.0))
        .margin_right(theme.px(RIGHT_MARGIN))
        .margin_bottom(theme.px(6.0))
        .x_label_area_size(theme.px(X_LABEL_AREA))
        .y_label_area_size(theme.px(118.0))
        .build_cartesian_2d(x.clone().log_scale(), 0.5..n as f64 + 0.5)
        .map_err(draw_err)?;
    let name = |v: &f64| {
        let k = v.round();
        let at = n as f64 - k;
        let name = (at >= 0.0 && (v - k).abs() < 1e-9)
            .then(|| variants.get(at as usize))
            .flatten();
        name.map_or(String::new(), |v| v.name().to_string())
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(axis().stroke_width(1))
        .x_labels(5)
        .y_labels(n + 1)
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&name)
        .label_style(theme.small())
        .axis_desc_style(theme.axis_label())
        .x_desc("speedup (log axis)")
        .set_tick_mark_size(LabelAreaPosition::Bottom, theme.offset(5.0))
        .set_tick_mark_size(LabelAreaPosition::Left, theme.offset(5.0))
        .draw()
        .map_err(draw_err)?;
    let (dash, gap) = theme.dash();
    let one = vec![(1.0, 0.5), (1.0, n as f64 + 0.5)];
    chart
        .draw_series(DashedLineSeries::new(
            one,
            dash,
            gap,
            axis().stroke_width(theme.px(1.0)),
        ))
        .map_err(draw_err)?;
    let rects = bars.iter().filter_map(|b| {
        let s = b.speedup?;
        let corners = [(s.min(1.0), b.y.start), (s.max(1.0), b.y.end)];
        Some(Rectangle::new(corners, color(b.policy).filled()))
    });
    chart.draw_series(rects).map_err(draw_err)?;
    let font = theme.small().pos(Pos::new(HPos::Left, VPos::Center));
    let colors = (ink(), failed(), axis());
    let (ok, failed, running) = (
        font.color(&colors.0),
        font.color(&colors.1),
        font.color(&colors.2),
    );
    let lift = theme.offset(6.0);
    let labels = bars.iter().map(|b| {
        // right of the bar's far end, or of the baseline's line for a slower variant
        let at = (
            b.speedup.map_or(x.start, |s| s.max(1.0)),
            0.5 * (b.y.start + b.y.end),
        );
        let style = match (b.speedup, b.running) {
            (Some(_), _) => &ok,
            (None, true) => &running,
            (None, false) => &failed,
        };
        EmptyElement::at(at) + Text::new(b.label.clone(), (lift, 0), style.clone())
    });
    chart.draw_series(labels).map_err(draw_err)?;
    let px = chart.plotting_area().get_pixel_range();
    let slots = 0.5..n as f64 + 0.5;
    Ok(PanelGeometry::new(PanelKind::Bars, px, x, true, slots))
}

/// The speedup axis: from below the slowest bar (or 1/2) to far enough right of the fastest
/// (or 2) that its label fits on the log axis.
fn speedup_range(bars: &[Bar]) -> Range<f64> {
    let speedups = bars.iter().filter_map(|b| b.speedup).filter(|s| *s > 0.0);
    let (lo, hi) = speedups.fold((1.0_f64, 1.0_f64), |(lo, hi), s| (lo.min(s), hi.max(s)));
    (lo / 1.5).min(0.5)..(hi * 4.0).max(2.0)
}
