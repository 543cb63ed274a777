//! Drawing a figure through a [`Recorder`] and checking its text layout: every text at least
//! [`MIN_TEXT_CSS_PX`], no text over another, none across a panel's plot frame, none outside
//! the figure.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, IntoDrawingArea};

use super::density::{density, MIN_TEXT_CSS_PX};
use super::geometry::FigureLayout;
use super::record::{Measure, Recorder, TextBox};
use super::PlotError;

/// Draws onto `backend` through a [`Recorder`] (measuring text with `measure` when given)
/// with `draw` and returns its layout with the texts, the figure's size and the current
/// density filled in.
pub fn draw_recorded<DB: DrawingBackend>(
    backend: DB,
    measure: Option<Measure>,
    draw: impl FnOnce(&DrawingArea<Recorder<DB>, Shift>) -> Result<FigureLayout, PlotError>,
) -> Result<FigureLayout, PlotError> {
    let (width, height) = backend.get_size();
    let (recorder, log) = Recorder::new(backend, measure);
    let root = recorder.into_drawing_area();
    let mut layout = draw(&root)?;
    drop(root);
    let d = density();
    layout.width = width;
    layout.height = height;
    layout.pixel_ratio = d.pixel_ratio;
    layout.css_text_per_size = d.css_text_px(1.0);
    layout.texts = log.take();
    Ok(layout)
}

/// Slack in CSS pixels before two boxes count as overlapping or a box as crossing a frame.
const SLACK_CSS: f64 = 0.5;

/// Everything wrong with a recorded layout's text, one line each (empty: it reads well).
pub fn layout_problems(layout: &FigureLayout) -> Vec<String> {
    let slack = SLACK_CSS * layout.pixel_ratio;
    let mut out = Vec::new();
    let t = &layout.texts;
    for (i, a) in t.iter().enumerate() {
        let css = a.size * layout.css_text_per_size;
        if css < MIN_TEXT_CSS_PX - 1e-6 {
            out.push(format!("{:?}: {css:.2} CSS px", a.text));
        }
        let (w, h) = (f64::from(layout.width), f64::from(layout.height));
        if a.left < -slack || a.top < -slack || a.right > w + slack || a.bottom > h + slack {
            out.push(format!("{:?} leaves the figure: {}", a.text, show(a)));
        }
        for b in &t[i + 1..] {
            if a.overlaps(b, slack) {
                out.push(format!(
                    "{:?} {} over {:?} {}",
                    a.text,
                    show(a),
                    b.text,
                    show(b)
                ));
            }
        }
        for (k, p) in layout.panels.iter().enumerate() {
            let frame = (p.left, p.top, p.right, p.bottom);
            if crosses(a, frame, slack) {
                out.push(format!(
                    "{:?} {} crosses panel {k}'s frame",
                    a.text,
                    show(a)
                ));
            }
        }
    }
    out
}

/// Whether the box is partly inside and partly outside the rectangle.
fn crosses(a: &TextBox, (left, top, right, bottom): (f64, f64, f64, f64), slack: f64) -> bool {
    let inside = a.left >= left - slack
        && a.right <= right + slack
        && a.top >= top - slack
        && a.bottom <= bottom + slack;
    let apart = a.right <= left + slack
        || a.left >= right - slack
        || a.bottom <= top + slack
        || a.top >= bottom - slack;
    !inside && !apart
}

fn show(a: &TextBox) -> String {
    format!(
        "[{:.0},{:.0}–{:.0},{:.0}]",
        a.left, a.top, a.right, a.bottom
    )
}
