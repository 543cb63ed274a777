//! Drawing a figure onto an HTML canvas at the screen's full pixel density.

use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::js_error;
use crate::experiment::appg::{AppgResult, ComparisonRow, Policy};
use crate::experiment::cells::{InitComparison, Landscape};
use crate::experiment::mlp::MlpResult;
use crate::experiment::RunResult;
use crate::plot::density::{with_density, Density, FigureKind};
use crate::plot::layout_check::draw_recorded;
use crate::plot::record::{Measure, Recorder};
use crate::plot::{
    curve_hex, draw_appg_figure, draw_hidden_figure, draw_init_comparison, draw_landscape,
    draw_linear_figure_at, draw_mlp_figure, with_scheme, AppgFigureOptions, FigureLayout,
    FigureOptions, PlotError, Scheme, MODE_COLOURS,
};

/// Largest backing-store side in pixels (browsers cap canvases around 16k-32k).
const MAX_SIDE: f64 = 8192.0;

/// The screen's devicePixelRatio (1 when unknown).
fn pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
}

/// Gives the canvas's box (its parent, a `.figure`) the height `kind` needs at its CSS width
/// (panels stacked when side by side they would be too narrow), so no layout is squashed and
/// an embed's height follows its figure. A box that is not laid out is left alone.
fn size_box(canvas: &HtmlCanvasElement, kind: FigureKind) {
    let Some(parent) = canvas.parent_element() else {
        return;
    };
    let width = parent.client_width();
    if width <= 0 {
        return;
    }
    let height = kind.css_height(f64::from(width));
    let style = format!("height: {height}px; aspect-ratio: auto");
    if parent.get_attribute("style").as_deref() != Some(style.as_str()) {
        // best effort: a box that refuses the attribute keeps its CSS aspect ratio
        let _ = parent.set_attribute("style", &style);
    }
}

/// Sizes the canvas backing store to its CSS size times devicePixelRatio (so lines and text
/// stay sharp on high-DPI screens) and returns the pixel size. A canvas that is not laid out
/// (display: none, zero size) keeps its current width and height.
fn fit_to_screen(canvas: &HtmlCanvasElement, dpr: f64) -> (u32, u32) {
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
    /// The layout of the last figure drawn on each canvas, by the canvas's id.
    static LAYOUTS: RefCell<HashMap<String, FigureLayout>> = RefCell::new(HashMap::new());
}

/// The layout of the figure last drawn on the canvas with id `canvas_id`, as JSON text
/// `{panels, width, height, pixel_ratio, css_text_per_size, texts: [{text, left, top, right,
/// bottom, size}]}` (backing-store pixels), or `undefined` before its first drawing. The
/// browser's layout check reads it.
#[wasm_bindgen]
pub fn figure_layout_json(canvas_id: &str) -> Option<String> {
    LAYOUTS.with(|l| {
        let layouts = l.try_borrow().ok()?;
        serde_json::to_string(layouts.get(canvas_id)?).ok()
    })
}

/// The CSS height the page gives figure `kind` ("linear", "init", "symmetry", "mlp",
/// "hidden", "appg:<variants>") at `css_width` CSS pixels: its panels in as many columns as
/// keep each readable, each row as tall as its panels need.
#[wasm_bindgen]
pub fn figure_css_height(kind: &str, css_width: f64) -> Result<f64, JsValue> {
    let kind = FigureKind::parse(kind).ok_or_else(|| js_error(format!("no figure {kind:?}")))?;
    Ok(kind.css_height(css_width))
}

/// Draws the notebook's figures light on dark (`dark`, the page follows
/// `prefers-color-scheme: dark`) or dark on white from now on; the page then redraws them.
/// Downloads as SVG stay light; a PNG download is the canvas as shown.
#[wasm_bindgen]
pub fn set_plot_theme(dark: bool) {
    let scheme = if dark { Scheme::Dark } else { Scheme::Light };
    PAGE_SCHEME.with(|s| s.set(scheme));
}

/// The colour scheme the page's figures are drawn in now.
pub(super) fn page_scheme() -> Scheme {
    PAGE_SCHEME.with(Cell::get)
}

/// The CSS colours (`#rrggbb`) of modes 1, 2, … in the page's scheme (light or dark), as
/// the figures draw them (the palette cycles after its last colour).
#[wasm_bindgen]
pub fn mode_palette(dark: bool) -> Vec<String> {
    let scheme = if dark { Scheme::Dark } else { Scheme::Light };
    with_scheme(scheme, || {
        (0..MODE_COLOURS).map(|j| curve_hex(Some(j))).collect()
    })
}

/// Text sizes from the canvas's own `measureText` in the font plotters-canvas sets (width,
/// and the font's ascent + descent): plotters' default measures a DOM span, which wraps long
/// texts at the viewport's width on a phone.
fn canvas_measure(canvas: &HtmlCanvasElement) -> Option<Measure> {
    let ctx = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    Some(Box::new(move |text, size, family, style| {
        ctx.set_font(&format!("{style} {size}px {family}"));
        let m = ctx.measure_text(text).ok()?;
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        let px = |v: f64| (v.is_finite() && v >= 0.0).then(|| v.ceil() as u32);
        Some((px(m.width())?, px(height)?))
    }))
}

/// The area a figure is drawn on: the canvas, through a recorder of its text.
type Root = DrawingArea<Recorder<CanvasBackend>, Shift>;

/// Sizes `canvas` for a figure of `kind` on this screen and runs `draw` on a plotters area
/// covering it, given the backing store's pixel size, in the page's colour scheme; returns
/// the layout with every text's box (see [`draw_recorded`]).
fn draw_with(
    canvas: &HtmlCanvasElement,
    kind: FigureKind,
    draw: impl FnOnce(&Root, (u32, u32)) -> Result<FigureLayout, PlotError>,
) -> Result<FigureLayout, JsValue> {
    size_box(canvas, kind);
    let dpr = pixel_ratio();
    let size = fit_to_screen(canvas, dpr);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| js_error("the canvas has no 2D context"))?;
    let scheme = PAGE_SCHEME.with(Cell::get);
    let measure = canvas_measure(canvas);
    let layout = with_density(Density::canvas(dpr), || {
        with_scheme(scheme, || {
            draw_recorded(backend, measure, |root| draw(root, size))
        })
    })
    .map_err(js_error)?;
    LAYOUTS.with(|l| {
        if let Ok(mut layouts) = l.try_borrow_mut() {
            layouts.insert(canvas.id(), layout.clone());
        }
    });
    Ok(layout)
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
    draw_with(canvas, FigureKind::Linear, |root, size| {
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
    draw_with(canvas, FigureKind::Linear, |root, size| {
        draw_init_comparison(root, cmp, &options(size, log_time))
    })
}

/// Draws the symmetry-breaking landscapes and trajectories (App. F) onto `canvas`; returns
/// where the panels lie.
pub fn draw_symmetry(canvas: &HtmlCanvasElement, ls: &Landscape) -> Result<FigureLayout, JsValue> {
    draw_with(canvas, FigureKind::Symmetry, |root, _| {
        draw_landscape(root, ls)
    })
}

/// Draws the MLP figure (loss, embedding and hidden eigenvalues) of `result` onto `canvas`;
/// returns where the panels lie.
pub fn draw_mlp(
    canvas: &HtmlCanvasElement,
    result: &MlpResult,
    log_time: bool,
) -> Result<FigureLayout, JsValue> {
    let panels = if result.hidden.is_empty() { 2 } else { 3 };
    draw_with(canvas, FigureKind::Mlp(panels), |root, size| {
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
    draw_with(canvas, FigureKind::Linear, |root, size| {
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
    let variants = result.config.variants.list().len();
    draw_with(
        canvas,
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
