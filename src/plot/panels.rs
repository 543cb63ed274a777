//! The panel renderer the cell figures share (init comparison, spectrum, landscape, App. G):
//! time panels of polylines and dots with their axes, drawn from plain data.

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::{FigureLayout, PanelGeometry, PanelKind, Pixels};
use super::linear::{experiment_style, theory_style};
use super::spectrum::{draw_header, header_layout};
use super::style::{axis, background, panel_chart, panel_grid, Theme, MARKER_ALPHA};
use super::ticks::axis_tick_label;
use super::{draw_err, PlotError};

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// Wide and translucent, like Figure 1's experiment curves.
    Wide,
    /// Opaque, theory width.
    Solid,
    /// One pixel, for zero lines and minor stems.
    Thin,
    /// Dashed, like Figure 1's theory curves.
    Dashed,
    /// Dotted, like the step-time markers.
    Dotted,
    /// Thin with long dashes: reference levels (App. G's threshold), unlike any curve.
    LongDash,
}

/// A polyline in data coordinates.
#[derive(Debug, Clone)]
pub(super) struct Polyline {
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub line: Line,
}

/// A circle at a data point, optionally with a text label above it.
#[derive(Debug, Clone)]
pub(super) struct Dot {
    pub at: (f64, f64),
    pub color: RGBColor,
    pub filled: bool,
    pub label: Option<String>,
}

/// A filled rectangle in data coordinates (a heatmap cell), `alpha` of `color` over the
/// background.
#[derive(Debug, Clone)]
pub(super) struct Shade {
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub color: RGBColor,
    pub alpha: f64,
}

/// One panel as plain data; [`draw_panel`] strokes it.
#[derive(Debug, Clone)]
pub(super) struct PanelData {
    /// "A", "B", or "" for none.
    pub letter: &'static str,
    pub title: String,
    /// Drawn in the header, after the title or on a second row when it does not fit.
    pub key: Vec<(String, RGBColor, Line)>,
    pub x_desc: String,
    pub y_desc: String,
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub log_x: bool,
    pub log_y: bool,
    /// Label only integer x ticks.
    pub integer_x: bool,
    pub lines: Vec<Polyline>,
    /// Full-height dotted vertical lines.
    pub markers: Vec<(f64, RGBColor)>,
    pub dots: Vec<Dot>,
    /// Filled rectangles under everything else (heatmaps).
    pub shades: Vec<Shade>,
    /// Text centred on a data point (a heatmap cell's value).
    pub texts: Vec<((f64, f64), String)>,
    /// Category axes: integer tick k (from 1) is named `names[k - 1]`, others unlabelled.
    pub names_x: Vec<String>,
    pub names_y: Vec<String>,
}

impl PanelData {
    pub fn new(
        letter: &'static str,
        title: impl Into<String>,
        x: Range<f64>,
        y: Range<f64>,
    ) -> Self {
        Self {
            letter,
            title: title.into(),
            key: Vec::new(),
            x_desc: String::new(),
            y_desc: String::new(),
            x,
            y,
            log_x: false,
            log_y: false,
            integer_x: false,
            lines: Vec::new(),
            markers: Vec::new(),
            dots: Vec::new(),
            shades: Vec::new(),
            texts: Vec::new(),
            names_x: Vec::new(),
            names_y: Vec::new(),
        }
    }
}

/// The panels side by side (stacked on a portrait figure, see [`panel_grid`]), with headers of equal height so the plots line up; returns
/// their plotting areas' pixel ranges.
pub(super) fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[PanelData],
    theme: &Theme,
) -> Result<Vec<Pixels>, PlotError> {
    let areas = root.split_evenly(panel_grid(root.dim_in_pixel(), panels.len()));
    let mut rows = 1;
    for (area, p) in areas.iter().zip(panels) {
        rows = rows.max(header_layout(area, p, theme)?.rows);
    }
    let drawn = areas.iter().zip(panels);
    drawn
        .map(|(area, p)| draw_panel(area, p, rows, theme))
        .collect()
}

/// Fills `root`, draws `panels` with [`draw_panels`] and presents them; returns where they
/// lie, each read as mode curves by the hover readouts.
pub(super) fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[PanelData],
) -> Result<FigureLayout, PlotError> {
    root.fill(&background()).map_err(draw_err)?;
    let theme = Theme::for_panels(root.dim_in_pixel(), panels.len());
    let pixels = draw_panels(root, panels, &theme)?;
    root.present().map_err(draw_err)?;
    let geometry = panels
        .iter()
        .zip(pixels)
        .map(|(p, px)| PanelGeometry::new(PanelKind::Modes, px, p.x.clone(), p.log_x, p.y.clone()));
    Ok(FigureLayout {
        panels: geometry.collect(),
        ..FigureLayout::default()
    })
}

/// Header (at least `rows` high), axes, markers, lines and dots of one panel.
pub(super) fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PanelData,
    rows: u32,
    theme: &Theme,
) -> Result<Pixels, PlotError> {
    let body = draw_header(area, p, rows, theme)?;
    let (x, y) = (p.x.clone(), p.y.clone());
    match (p.log_x, p.log_y) {
        (false, false) => draw_body(&body, x, y, p, theme),
        (true, false) => draw_body(&body, x.log_scale(), y, p, theme),
        (false, true) => draw_body(&body, x, y.log_scale(), p, theme),
        (true, true) => draw_body(&body, x.log_scale(), y.log_scale(), p, theme),
    }
}

/// A pixel-space path in the style of `line`.
pub(super) fn draw_path<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    color: RGBColor,
    line: Line,
    theme: &Theme,
) -> Result<(), PlotError> {
    let style = line_style(color, line, theme);
    match dash_of(line, theme) {
        Some((dash, gap)) => area.draw(&DashedPathElement::new(points, dash, gap, style)),
        None => area.draw(&PathElement::new(points, style)),
    }
    .map_err(draw_err)
}

fn line_style(color: RGBColor, line: Line, theme: &Theme) -> ShapeStyle {
    match line {
        Line::Wide => experiment_style(color, theme),
        Line::Solid | Line::Dashed => theory_style(color, theme),
        Line::Thin | Line::LongDash => color.stroke_width(theme.px(1.0)),
        Line::Dotted => color.mix(MARKER_ALPHA).stroke_width(theme.px(1.5)),
    }
}

fn dash_of(line: Line, theme: &Theme) -> Option<(u32, u32)> {
    match line {
        Line::Dashed => Some(theme.dash()),
        Line::Dotted => Some(theme.dot()),
        Line::LongDash => Some((theme.px(14.0), theme.px(5.0))),
        _ => None,
    }
}

type Chart<'a, DB, X, Y> = ChartContext<'a, DB, Cartesian2d<X, Y>>;

/// Axes, then markers, lines and dots, on the coordinates `x` and `y`.
fn draw_body<DB, XS, YS>(
    area: &DrawingArea<DB, Shift>,
    x: XS,
    y: YS,
    p: &PanelData,
    theme: &Theme,
) -> Result<Pixels, PlotError>
where
    DB: DrawingBackend,
    XS: AsRangedCoord<Value = f64>,
    XS::CoordDescType: ValueFormatter<f64>,
    YS: AsRangedCoord<Value = f64>,
    YS::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = panel_chart(area, x, y, theme)?;
    let shades = p.shades.iter().map(|s| {
        let style = s.color.mix(s.alpha).filled();
        Rectangle::new([(s.x.start, s.y.start), (s.x.end, s.y.end)], style)
    });
    chart.draw_series(shades).map_err(draw_err)?;
    draw_axes(&mut chart, p, theme)?;
    draw_lines(&mut chart, p, theme)?;
    draw_dots(&mut chart, &p.dots, theme)?;
    let font = theme.axis_label().pos(Pos::new(HPos::Center, VPos::Center));
    let texts = p
        .texts
        .iter()
        .map(|(at, text)| Text::new(text.clone(), *at, font.clone()));
    chart.draw_series(texts).map_err(draw_err)?;
    Ok(chart.plotting_area().get_pixel_range())
}

/// Frame, ticks and axis descriptions, without grid lines.
fn draw_axes<DB, X, Y>(
    chart: &mut Chart<'_, DB, X, Y>,
    p: &PanelData,
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_fmt = |v: &f64| {
        let integer = (v - v.round()).abs() < 1e-9;
        if !p.names_x.is_empty() {
            category(*v, &p.names_x)
        } else if p.integer_x && !integer {
            String::new()
        } else {
            axis_tick_label(*v, &p.x)
        }
    };
    let y_fmt = |v: &f64| {
        if p.names_y.is_empty() {
            axis_tick_label(*v, &p.y)
        } else {
            category(*v, &p.names_y)
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(axis().stroke_width(1))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(theme.small())
        .axis_desc_style(theme.axis_label())
        .x_desc(p.x_desc.as_str())
        .y_desc(p.y_desc.as_str())
        .set_tick_mark_size(LabelAreaPosition::Bottom, theme.offset(5.0))
        .set_tick_mark_size(LabelAreaPosition::Left, theme.offset(5.0))
        .draw()
        .map_err(draw_err)
}

/// The name of integer tick `v` (from 1) of a category axis; nothing between.
fn category(v: f64, names: &[String]) -> String {
    let k = v.round();
    if (v - k).abs() > 1e-9 || k < 1.0 {
        return String::new();
    }
    names.get(k as usize - 1).cloned().unwrap_or_default()
}

/// The full-height markers, then the lines in order.
fn draw_lines<DB, X, Y>(
    chart: &mut Chart<'_, DB, X, Y>,
    p: &PanelData,
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let Range { start, end } = chart.y_range();
    let markers = p.markers.iter().map(|&(t, color)| Polyline {
        points: vec![(t, start), (t, end)],
        color,
        line: Line::Dotted,
    });
    for l in markers.chain(p.lines.iter().cloned()) {
        let style = line_style(l.color, l.line, theme);
        let points = l.points.into_iter();
        match dash_of(l.line, theme) {
            Some((dash, gap)) => chart.draw_series(DashedLineSeries::new(points, dash, gap, style)),
            None => chart.draw_series(LineSeries::new(points, style)),
        }
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Circles, filled or open, each with its label above (below when above would leave the
/// plot area, and shifted sideways to stay inside it: a label never crosses the frame).
fn draw_dots<DB, X, Y>(
    chart: &mut Chart<'_, DB, X, Y>,
    dots: &[Dot],
    theme: &Theme,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let font = theme.small();
    let (radius, lift) = (theme.px(4.5), theme.offset(8.0));
    for dot in dots {
        let style = if dot.filled {
            dot.color.filled()
        } else {
            dot.color.stroke_width(theme.px(1.5))
        };
        let text = dot.label.clone().unwrap_or_default();
        let (offset, vpos) = label_place(chart.plotting_area(), dot.at, &text, &font, lift);
        let element = EmptyElement::at(dot.at)
            + Circle::new((0, 0), radius, style)
            + Text::new(text, offset, font.pos(Pos::new(HPos::Center, vpos)));
        chart
            .draw_series(std::iter::once(element))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Where a dot's label goes, relative to the dot: `lift` pixels above it, or below it when
/// it would leave the plot area at the top, moved sideways to stay within the area.
fn label_place<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    at: (f64, f64),
    text: &str,
    font: &TextStyle<'_>,
    lift: i32,
) -> ((i32, i32), VPos)
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (xs, ys) = area.get_pixel_range();
    let (x, y) = area.map_coordinate(&at);
    let (w, h) = area.estimate_text_size(text, font).unwrap_or((0, 0));
    let (w, h) = (i32::try_from(w).unwrap_or(0), i32::try_from(h).unwrap_or(0));
    let above = y - lift - h > ys.start;
    let half = w / 2 + 1;
    let dx = if x - half <= xs.start {
        xs.start + half + 1 - x
    } else if x + half >= xs.end {
        xs.end - half - 1 - x
    } else {
        0
    };
    if above {
        ((dx, -lift), VPos::Bottom)
    } else {
        ((dx, lift), VPos::Top)
    }
}
