//! Drawing a figure for the page at the screen's full pixel density, on an offscreen canvas
//! in the compute worker; the page shows the bitmap (docs/architecture.md).

use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use web_sys::{ImageBitmap, OffscreenCanvasRenderingContext2d};

use super::offscreen::{into_bitmap, offscreen, CanvasError, OffscreenBackend};
use crate::experiment::appg::{AppgResult, ComparisonRow, Policy};
use crate::experiment::cells::{InitComparison, Landscape};
use crate::experiment::mlp::MlpResult;
use crate::experiment::RunResult;
use crate::plot::deep::{DeepFigure, DeepView};
use crate::plot::deep_methods::{draw_methods_figure, MethodsView};
use crate::plot::density::{with_density, Density, FigureKind};
use crate::plot::layout_check::draw_recorded;
use std::rc::Rc;

use crate::plot::record::{set_svg_measure, Measure, Recorder, SharedMeasure};
use crate::plot::{
    curve_hex, draw_appg_figure, draw_hidden_figure, draw_init_comparison, draw_landscape,
    draw_linear_figure_at, draw_mlp_figure, with_scheme, AppgFigureOptions, FigureLayout,
    FigureOptions, PlotError, Scheme, MODE_COLOURS,
};

/// Largest backing-store side in pixels (browsers cap canvases around 16k-32k).
const MAX_SIDE: f64 = 8192.0;

/// How the page shows a figure: the CSS width of its box, the screen's devicePixelRatio and
/// the colour scheme (protocol.rs `View`).
pub struct Screen {
    pub css_width: f64,
    pub pixel_ratio: f64,
    pub scheme: Scheme,
}

/// A figure drawn for the page: the bitmap, the CSS height its box takes, and where its
/// panels and texts lie (backing-store pixels).
pub struct Drawn {
    pub bitmap: ImageBitmap,
    pub css_height: f64,
    pub layout: FigureLayout,
}

impl Screen {
    /// The backing-store size of a `kind` figure on this screen and the CSS height of its
    /// box (panels stacked when side by side they would be too narrow).
    fn size(&self, kind: FigureKind) -> ((u32, u32), f64) {
        let width = if self.css_width.is_finite() && self.css_width > 0.0 {
            self.css_width
        } else {
            640.0
        };
        let css_height = kind.css_height(width);
        let px = |css: f64| (css * self.pixel_ratio).round().clamp(1.0, MAX_SIDE) as u32;
        ((px(width), px(css_height)), css_height)
    }
}

/// The CSS height the page gives figure `kind` ("linear", "init", "symmetry", "mlp",
/// "hidden", "appg:<variants>") at `css_width` CSS pixels: its panels in as many columns as
/// keep each readable, each row as tall as its panels need.
pub fn figure_css_height(kind: &str, css_width: f64) -> Option<f64> {
    Some(FigureKind::parse(kind)?.css_height(css_width))
}

/// The CSS colours (`#rrggbb`) of modes 1, 2, … in the page's scheme (light or dark), as
/// the figures draw them (the palette cycles after its last colour).
pub fn mode_palette(dark: bool) -> Vec<String> {
    let scheme = if dark { Scheme::Dark } else { Scheme::Light };
    with_scheme(scheme, || {
        (0..MODE_COLOURS).map(|j| curve_hex(Some(j))).collect()
    })
}

/// Text sizes from the canvas's own `measureText` in the font the backend sets (width, and
/// the font's ascent + descent), for the layout and the recorded text boxes.
fn canvas_measure(ctx: OffscreenCanvasRenderingContext2d) -> Measure {
    Box::new(move |text, size, family, style| measure_text(&ctx, text, size, family, style))
}

/// `text`'s width and height in pixels in a `size` px font.
fn measure_text(
    ctx: &OffscreenCanvasRenderingContext2d,
    text: &str,
    size: f64,
    family: &str,
    style: &str,
) -> Option<(u32, u32)> {
    ctx.set_font(&format!("{style} {size}px {family}"));
    let m = ctx.measure_text(text).ok()?;
    let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
    let px = |v: f64| (v.is_finite() && v >= 0.0).then(|| v.ceil() as u32);
    Some((px(m.width())?, px(height)?))
}

/// Makes the SVG downloads measure their text on an offscreen canvas: plotters' own
/// estimate measures through the DOM, which the compute worker lacks. plotters writes SVG
/// text at font-size = size / 1.24 (see `plot::density`).
pub fn measure_svg_text() -> Result<(), CanvasError> {
    let (_canvas, ctx) = offscreen(1, 1)?;
    let svg_px = Density::SVG.text_px_per_size;
    let measure: SharedMeasure = Rc::new(move |text, size, family, style| {
        measure_text(&ctx, text, size * svg_px, family, style)
    });
    set_svg_measure(Some(measure));
    Ok(())
}

/// The area a figure is drawn on: an offscreen canvas, through a recorder of its text.
type Root = DrawingArea<Recorder<OffscreenBackend>, Shift>;

/// Draws a `kind` figure for `screen` on a fresh offscreen canvas with `draw` (given the
/// backing store's pixel size), in the screen's colour scheme; returns the bitmap with the
/// layout of every text (see [`draw_recorded`]).
fn draw_with(
    screen: &Screen,
    kind: FigureKind,
    draw: impl FnOnce(&Root, (u32, u32)) -> Result<FigureLayout, PlotError>,
) -> Result<Drawn, DrawError> {
    let (size, css_height) = screen.size(kind);
    let (canvas, context) = offscreen(size.0, size.1)?;
    let backend = OffscreenBackend::new(&canvas, context.clone());
    let measure = Some(canvas_measure(context));
    let layout = with_density(Density::canvas(screen.pixel_ratio), || {
        with_scheme(screen.scheme, || {
            draw_recorded(backend, measure, |root| draw(root, size))
        })
    })?;
    Ok(Drawn {
        bitmap: into_bitmap(&canvas)?,
        css_height,
        layout,
    })
}

/// Why a figure could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error(transparent)]
    Canvas(#[from] CanvasError),
    #[error(transparent)]
    Plot(#[from] PlotError),
}

fn options((width, height): (u32, u32), log_time: bool) -> FigureOptions {
    FigureOptions {
        log_time,
        width,
        height,
    }
}

/// Draws Figure 1 A/B of `result` onto `canvas`, with the replay cursor at time `cursor`
/// when given; returns where the panels lie (backing-store pixels).
pub fn draw_linear(
    screen: &Screen,
    result: &RunResult,
    log_time: bool,
    cursor: Option<f64>,
) -> Result<Drawn, DrawError> {
    draw_with(screen, FigureKind::Linear, |root, size| {
        draw_linear_figure_at(root, result, &options(size, log_time), cursor)
    })
}

/// Draws the random-vs-aligned init comparison (Result 4.6) onto `canvas`; returns where
/// the panels lie.
pub fn draw_init(
    screen: &Screen,
    cmp: &InitComparison,
    log_time: bool,
) -> Result<Drawn, DrawError> {
    draw_with(screen, FigureKind::Linear, |root, size| {
        draw_init_comparison(root, cmp, &options(size, log_time))
    })
}

/// Draws the symmetry-breaking landscapes and trajectories (App. F) onto `canvas`; returns
/// where the panels lie.
pub fn draw_symmetry(screen: &Screen, ls: &Landscape) -> Result<Drawn, DrawError> {
    draw_with(screen, FigureKind::Symmetry, |root, _| {
        draw_landscape(root, ls)
    })
}

/// Draws the MLP figure (loss, embedding and hidden eigenvalues) of `result` onto `canvas`;
/// returns where the panels lie.
pub fn draw_mlp(screen: &Screen, result: &MlpResult, log_time: bool) -> Result<Drawn, DrawError> {
    let panels = if result.hidden.is_empty() { 2 } else { 3 };
    draw_with(screen, FigureKind::Mlp(panels), |root, size| {
        draw_mlp_figure(root, result, &options(size, log_time))
    })
}

/// Draws cell 6's figure (the hidden spectrum's change against the embedding's steps) of
/// `result` onto `canvas`; returns where the panels lie.
pub fn draw_hidden(
    screen: &Screen,
    result: &MlpResult,
    log_time: bool,
) -> Result<Drawn, DrawError> {
    draw_with(screen, FigureKind::Linear, |root, size| {
        draw_hidden_figure(root, result, &options(size, log_time))
    })
}

/// Draws Appendix G's comparison (finished rows of `result`, and `current` as far as it got)
/// onto `canvas`, the variant panels showing the rows of `policy`; returns where the
/// variant panels lie.
pub fn draw_appg(
    screen: &Screen,
    result: &AppgResult,
    current: Option<&ComparisonRow>,
    policy: Policy,
    log_steps: bool,
) -> Result<Drawn, DrawError> {
    let variants = result.config.variants.list().len();
    draw_with(
        screen,
        FigureKind::Appg(variants),
        |root, (width, height)| {
            let opts = AppgFigureOptions {
                policy,
                log_steps,
                width,
                height,
            };
            draw_appg_figure(root, result, current, &opts)
        },
    )
}

/// Draws the deep figure `figure` of `view` onto `canvas`; returns where the panels lie.
pub fn draw_deep(
    screen: &Screen,
    view: &DeepView,
    figure: DeepFigure,
    log_time: bool,
) -> Result<Drawn, DrawError> {
    draw_with(screen, figure.kind(), |root, size| {
        figure.draw(root, view, &options(size, log_time))
    })
}

/// Draws Table 2's figure of `view` onto `canvas`; returns where the panels lie.
pub fn draw_methods(screen: &Screen, view: &MethodsView) -> Result<Drawn, DrawError> {
    draw_with(screen, FigureKind::Linear, |root, _| {
        draw_methods_figure(root, view)
    })
}
