//! Drawing a figure onto an HTML canvas at the screen's full pixel density.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use std::cell::Cell;

use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::js_error;
use crate::experiment::appg::{AppgResult, ComparisonRow, Policy};
use crate::experiment::cells::{InitComparison, Landscape};
use crate::experiment::mlp::MlpResult;
use crate::experiment::RunResult;
use crate::plot::{
    draw_appg_figure, draw_hidden_figure, draw_init_comparison, draw_landscape,
    draw_linear_figure_at, draw_mlp_figure, with_scheme, AppgFigureOptions, FigureLayout,
    FigureOptions, PlotError, Scheme,
};

/// Largest backing-store side in pixels (browsers cap canvases around 16k-32k).
const MAX_SIDE: f64 = 8192.0;

/// Sizes the canvas backing store to its CSS size times devicePixelRatio (so lines and text
/// stay sharp on high-DPI screens) and returns the pixel size. A canvas that is not laid out
/// (display: none, zero size) keeps its current width and height.
fn fit_to_screen(canvas: &HtmlCanvasElement) -> (u32, u32) {
    let dpr = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0);
    let (css_w, css_h) = (canvas.client_width(), canvas.client_height());
    if css_w > 0 && css_h > 0 {
        let px = |css: i32| (f64::from(css) * dpr).round().clamp(1.0, MAX_SIDE) as u32;
        let (w, h) = (px(css_w), px(css_h));
        if canvas.width() != w {
            canvas.set_width(w);
        }
        if canvas.height() != h {
            canvas.set_height(h);
        }
    }
    (canvas.width(), canvas.height())
}

thread_local! {
    /// The colour scheme of the figures drawn on canvases (SVG files stay light).
    static PAGE_SCHEME: Cell<Scheme> = const { Cell::new(Scheme::Light) };
}

/// Draws the notebook's figures light on dark (`dark`, the page follows
/// `prefers-color-scheme: dark`) or dark on white from now on; the page then redraws them.
/// Downloads as SVG stay light; a PNG download is the canvas as shown.
#[wasm_bindgen]
pub fn set_plot_theme(dark: bool) {
    let scheme = if dark { Scheme::Dark } else { Scheme::Light };
    PAGE_SCHEME.with(|s| s.set(scheme));
}

/// Sizes `canvas` to the screen and runs `draw` on a plotters area covering it, given the
/// backing store's pixel size, in the page's colour scheme.
fn draw_with<T>(
    canvas: &HtmlCanvasElement,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, (u32, u32)) -> Result<T, PlotError>,
) -> Result<T, JsValue> {
    let size = fit_to_screen(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| js_error("the canvas has no 2D context"))?;
    let root = backend.into_drawing_area();
    with_scheme(PAGE_SCHEME.with(Cell::get), || draw(&root, size)).map_err(js_error)
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
    canvas: &HtmlCanvasElement,
    result: &RunResult,
    log_time: bool,
    cursor: Option<f64>,
) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, size| {
        draw_linear_figure_at(root, result, &options(size, log_time), cursor)
    })
}

/// Draws the random-vs-aligned init comparison (Result 4.6) onto `canvas`; returns where
/// the panels lie.
pub fn draw_init(
    canvas: &HtmlCanvasElement,
    cmp: &InitComparison,
    log_time: bool,
) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, size| {
        draw_init_comparison(root, cmp, &options(size, log_time))
    })
}

/// Draws the symmetry-breaking landscapes and trajectories (App. F) onto `canvas`; returns
/// where the panels lie.
pub fn draw_symmetry(canvas: &HtmlCanvasElement, ls: &Landscape) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, _| draw_landscape(root, ls))
}

/// Draws the MLP figure (loss, embedding and hidden eigenvalues) of `result` onto `canvas`;
/// returns where the panels lie.
pub fn draw_mlp(
    canvas: &HtmlCanvasElement,
    result: &MlpResult,
    log_time: bool,
) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, size| {
        draw_mlp_figure(root, result, &options(size, log_time))
    })
}

/// Draws cell 6's figure (the hidden spectrum's change against the embedding's steps) of
/// `result` onto `canvas`; returns where the panels lie.
pub fn draw_hidden(
    canvas: &HtmlCanvasElement,
    result: &MlpResult,
    log_time: bool,
) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, size| {
        draw_hidden_figure(root, result, &options(size, log_time))
    })
}

/// Draws Appendix G's comparison (finished rows of `result`, and `current` as far as it got)
/// onto `canvas`, the variant panels showing the rows of `policy`; returns where the
/// variant panels lie.
pub fn draw_appg(
    canvas: &HtmlCanvasElement,
    result: &AppgResult,
    current: Option<&ComparisonRow>,
    policy: Policy,
    log_steps: bool,
) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, |root, (width, height)| {
        let opts = AppgFigureOptions {
            policy,
            log_steps,
            width,
            height,
        };
        draw_appg_figure(root, result, current, &opts)
    })
}
