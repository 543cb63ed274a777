//! Drawing a figure onto an HTML canvas at the screen's full pixel density.

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::js_error;
use crate::experiment::RunResult;
use crate::plot::{draw_linear_figure, FigureOptions};

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

/// Draws Figure 1 A/B of `result` onto `canvas`.
pub fn draw_linear(
    canvas: &HtmlCanvasElement,
    result: &RunResult,
    log_time: bool,
) -> Result<(), wasm_bindgen::JsValue> {
    let (width, height) = fit_to_screen(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| js_error("the canvas has no 2D context"))?;
    let root = backend.into_drawing_area();
    let opts = FigureOptions {
        log_time,
        width,
        height,
    };
    draw_linear_figure(&root, result, &opts).map_err(js_error)
}
