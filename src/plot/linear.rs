//! Figure 1 A/B of the paper: loss and eigenvalues of C against t, experiment and theory.

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::{FigureLayout, PanelGeometry};
use super::panels::{Line, PanelData};
use super::series::{eigen_panel, loss_panel, Curve, FigureData, Marker, Panel, Stroke, TimeAxis};
use super::spectrum::{draw_header, header_layout};
use super::style::{
    axis, background, ink, panel_chart, panel_grid, tick_label, Theme, CURSOR, EXPERIMENT_ALPHA,
    MARKER_ALPHA,
};
use super::{draw_err, FigureOptions, PlotError};
use crate::experiment::RunResult;

type Chart<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>;

/// Labels and content of one panel.
pub(super) struct PanelSpec {
    pub letter: &'static str,
    pub title: &'static str,
    pub y_label: &'static str,
    /// Draw the experiment/theory legend in this panel.
    pub legend: bool,
    pub panel: Panel,
}

/// Draws Figure 1 A (loss) and B (eigenvalues of C) side by side onto `root`.
///
/// Experiment curves are solid, theory dashed in the same colour, and the predicted step
/// times τ_j are vertical lines. Non-finite values are skipped; with `opts.log_time` so are
/// records at t ≤ 0. Sizes follow `root`'s pixel size (`opts.width`/`height` are for the
/// backends this function does not create).
pub fn draw_linear_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &RunResult,
    opts: &FigureOptions,
) -> Result<(), PlotError> {
    draw_linear_figure_at(root, result, opts, None).map(|_| ())
}

/// [`draw_linear_figure`] with a replay cursor: a vertical line at time `cursor` across
/// both panels (none when it is `None` or off the time axis). Returns where the panels lie.
pub fn draw_linear_figure_at<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &RunResult,
    opts: &FigureOptions,
    cursor: Option<f64>,
) -> Result<FigureLayout, PlotError> {
    let data = FigureData::from(result);
    let axis = TimeAxis::new(&data, opts.log_time);
    let specs = [
        PanelSpec {
            letter: "A",
            title: "loss",
            y_label: "loss ||C − I||²",
            legend: true,
            panel: loss_panel(&data, &axis),
        },
        PanelSpec {
            letter: "B",
            title: "eigenvalues of C",
            y_label: "eigenvalues of C",
            legend: false,
            panel: eigen_panel(&data, &axis),
        },
    ];
    draw_panels(root, &axis, &specs, cursor)
}

/// Draws the panels side by side (stacked on a portrait figure), on one time axis, with the cursor line at that time if
/// any; returns where the panels lie.
pub(super) fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    specs: &[PanelSpec],
    cursor: Option<f64>,
) -> Result<FigureLayout, PlotError> {
    let size = root.dim_in_pixel();
    let theme = Theme::for_panels(size, specs.len());
    root.fill(&background()).map_err(draw_err)?;
    let areas = root.split_evenly(panel_grid(size, specs.len()));
    let headers: Vec<PanelData> = specs.iter().map(header).collect();
    let mut rows = 1;
    for (area, head) in areas.iter().zip(&headers) {
        rows = rows.max(header_layout(area, head, &theme)?.rows);
    }
    let mut layout = FigureLayout::default();
    for ((area, spec), head) in areas.iter().zip(specs).zip(&headers) {
        let cursor = cursor.filter(|&t| axis.contains(t));
        let body = draw_header(area, head, rows, &theme)?;
        layout
            .panels
            .push(draw_panel(&body, axis, spec, cursor, &theme)?);
    }
    root.present().map_err(draw_err)?;
    Ok(layout)
}

/// Draws one panel's chart on `body` (the area under its header), on a linear or
/// logarithmic time axis.
fn draw_panel<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    spec: &PanelSpec,
    cursor: Option<f64>,
    theme: &Theme,
) -> Result<PanelGeometry, PlotError> {
    let range = axis.range.clone();
    let pixels = if axis.log {
        draw_chart(body, range.clone().log_scale(), spec, cursor, theme)?
    } else {
        draw_chart(body, range.clone(), spec, cursor, theme)?
    };
    let y = spec.panel.y.clone();
    Ok(PanelGeometry::new(
        spec.panel.kind,
        pixels,
        range,
        axis.log,
        y,
    ))
}

/// The panel's letter, title and (in the legend panel) the experiment / theory / step-time
/// key, as the shared header draws them: the key wraps below the title when it does not fit
/// beside it, so it never runs into the next panel.
fn header(spec: &PanelSpec) -> PanelData {
    let mut p = PanelData::new(spec.letter, spec.title, 0.0..1.0, 0.0..1.0);
    if spec.legend {
        p.key = vec![
            ("experiment".into(), ink(), Line::Wide),
            ("theory".into(), ink(), Line::Dashed),
        ];
        if !spec.panel.markers.is_empty() {
            p.key.push(("step times τⱼ".into(), axis(), Line::Dotted));
        }
    }
    p
}

/// Axes, step-time markers, curves and the cursor of one panel on the time axis `x`;
/// returns the plotting area's pixel range.
fn draw_chart<DB, XS>(
    area: &DrawingArea<DB, Shift>,
    x: XS,
    spec: &PanelSpec,
    cursor: Option<f64>,
    theme: &Theme,
) -> Result<(Range<i32>, Range<i32>), PlotError>
where
    DB: DrawingBackend,
    XS: AsRangedCoord<Value = f64>,
    XS::CoordDescType: ValueFormatter<f64>,
{
    let y: Range<f64> = spec.panel.y.clone();
    let mut chart = panel_chart(area, x, y, theme)?;
    draw_axes(&mut chart, spec.y_label, theme)?;
    for marker in &spec.panel.markers {
        draw_marker(&mut chart, marker, theme)?;
    }
    draw_curves(&mut chart, &spec.panel.curves, theme)?;
    if let Some(note) = &spec.panel.note {
        // half way up, clear of the curves that sit at 0 or 1 between steps
        let area = chart.plotting_area().strip_coord_spec();
        draw_note(&area, note, theme)?;
    }
    if let Some(t) = cursor {
        draw_cursor(&mut chart, t, theme)?;
    }
    Ok(chart.plotting_area().get_pixel_range())
}

/// A note in the plot area, half way up (clear of the curves that sit at 0 or 1 between
/// steps), wrapped at word boundaries to the area's width: it never leaves the frame.
fn draw_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    note: &str,
    theme: &Theme,
) -> Result<(), PlotError> {
    let style = theme.small().color(&CURSOR);
    let (width, height) = area.dim_in_pixel();
    let inset = theme.offset(10.0);
    let room = width.saturating_sub(2 * inset.unsigned_abs());
    let fits = |text: &str| {
        area.estimate_text_size(text, &style)
            .map_or(true, |(w, _)| w <= room)
    };
    let mut lines: Vec<String> = Vec::new();
    for word in note.split_whitespace() {
        match lines.last_mut() {
            Some(line) if fits(&format!("{line} {word}")) => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let line_height = i32::try_from(area.estimate_text_size("Ag", &style).map_or(0, |(_, h)| h))
        .unwrap_or(0)
        .max(theme.offset(20.0));
    let mut y = i32::try_from(height / 2).unwrap_or(0);
    for line in &lines {
        area.draw_text(line, &style, (inset, y)).map_err(draw_err)?;
        y += line_height;
    }
    Ok(())
}

/// The replay cursor: a solid full-height line at time t, over the curves.
fn draw_cursor<DB, X>(chart: &mut Chart<'_, DB, X>, t: f64, theme: &Theme) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let Range { start, end } = chart.y_range();
    let style = CURSOR.stroke_width(theme.px(2.0));
    chart
        .draw_series(LineSeries::new(vec![(t, start), (t, end)], style))
        .map_err(draw_err)?;
    Ok(())
}

/// Frame, ticks and axis descriptions, without grid lines.
fn draw_axes<DB, X>(
    chart: &mut Chart<'_, DB, X>,
    y_label: &str,
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(axis().stroke_width(1))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .label_style(theme.small())
        .axis_desc_style(theme.axis_label())
        .x_desc("t = η·step")
        .y_desc(y_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, theme.offset(5.0))
        .set_tick_mark_size(LabelAreaPosition::Left, theme.offset(5.0))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}

/// A full-height dotted vertical line at a step time.
fn draw_marker<DB, X>(
    chart: &mut Chart<'_, DB, X>,
    marker: &Marker,
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let Range { start, end } = chart.y_range();
    let line = vec![(marker.t, start), (marker.t, end)];
    let style = marker.color.mix(MARKER_ALPHA).stroke_width(theme.px(1.5));
    let (dot, gap) = theme.dot();
    chart
        .draw_series(DashedLineSeries::new(line, dot, gap, style))
        .map_err(draw_err)?;
    Ok(())
}

/// Experiment curves first (wide, translucent), then the dashed theory on top.
fn draw_curves<DB, X>(
    chart: &mut Chart<'_, DB, X>,
    curves: &[Curve],
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let solid = curves.iter().filter(|c| c.stroke == Stroke::Solid);
    let dashed = curves.iter().filter(|c| c.stroke == Stroke::Dashed);
    let (dash, gap) = theme.dash();
    for c in solid {
        let style = experiment_style(c.color, theme);
        chart
            .draw_series(LineSeries::new(c.points.iter().copied(), style))
            .map_err(draw_err)?;
    }
    for c in dashed {
        let style = theory_style(c.color, theme);
        let points = c.points.iter().copied();
        chart
            .draw_series(DashedLineSeries::new(points, dash, gap, style))
            .map_err(draw_err)?;
    }
    Ok(())
}

pub(super) fn experiment_style(color: RGBColor, theme: &Theme) -> ShapeStyle {
    color
        .mix(EXPERIMENT_ALPHA)
        .stroke_width(theme.experiment_width())
}

pub(super) fn theory_style(color: RGBColor, theme: &Theme) -> ShapeStyle {
    color.stroke_width(theme.theory_width())
}
