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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::geometry::{PanelGeometry, PanelKind};

    fn text(text: &str, (left, top): (f64, f64), (w, h): (f64, f64), size: f64) -> TextBox {
        TextBox {
            text: text.into(),
            left,
            top,
            right: left + w,
            bottom: top + h,
            size,
        }
    }

    fn layout(texts: Vec<TextBox>) -> FigureLayout {
        let frame = (100..301, 50..151);
        FigureLayout {
            panels: vec![PanelGeometry::new(
                PanelKind::Modes,
                frame,
                0.0..1.0,
                false,
                0.0..1.0,
            )],
            width: 400,
            height: 200,
            pixel_ratio: 2.0,
            css_text_per_size: 0.5,
            texts,
        }
    }

    #[test]
    fn a_clean_layout_has_no_problems() {
        let ok = layout(vec![
            text("tick", (60.0, 40.0), (30.0, 20.0), 22.0),
            text("inside", (120.0, 60.0), (50.0, 20.0), 22.0),
            text("below", (120.0, 152.0), (50.0, 20.0), 22.0),
        ]);
        assert_eq!(layout_problems(&ok), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_problem_is_found() {
        let small = layout(vec![text("tiny", (0.0, 0.0), (20.0, 10.0), 20.0)]);
        assert_eq!(layout_problems(&small), ["\"tiny\": 10.00 CSS px"]);
        let overlap = layout(vec![
            text("1.00x", (10.0, 10.0), (40.0, 20.0), 22.0),
            text("1.00x", (12.0, 20.0), (40.0, 20.0), 22.0),
        ]);
        assert_eq!(layout_problems(&overlap).len(), 1);
        assert!(layout_problems(&overlap)[0].contains("over"));
        let across = layout(vec![text("legend", (280.0, 60.0), (60.0, 20.0), 22.0)]);
        assert!(layout_problems(&across)[0].contains("crosses panel 0's frame"));
        let out = layout(vec![text("far", (380.0, 10.0), (40.0, 20.0), 22.0)]);
        assert!(layout_problems(&out)[0].contains("leaves the figure"));
    }

    #[test]
    fn recorded_boxes_follow_the_anchor_and_rotation() {
        use plotters::prelude::SVGBackend;
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        use plotters::style::{FontTransform, IntoFont, TextStyle};
        let mut svg = String::new();
        let layout = draw_recorded(
            SVGBackend::with_string(&mut svg, (300, 200)),
            None,
            |root| {
                let font = ("sans-serif", 20.0).into_font();
                let centred =
                    TextStyle::from(font.clone()).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw_text("centred", &centred, (150, 100))
                    .map_err(super::super::draw_err)?;
                let turned = TextStyle::from(font.clone().transform(FontTransform::Rotate270));
                root.draw_text("turned", &turned, (20, 150))
                    .map_err(super::super::draw_err)?;
                root.draw_text(" ", &TextStyle::from(font), (5, 5))
                    .map_err(super::super::draw_err)?;
                Ok(FigureLayout::default())
            },
        )
        .expect("drawing");
        assert_eq!((layout.width, layout.height), (300, 200));
        let [c, t] = &layout.texts[..] else {
            panic!("blank text recorded, or text lost: {:?}", layout.texts);
        };
        assert!((0.5 * (c.left + c.right) - 150.0).abs() <= 1.0, "{c:?}");
        assert!((0.5 * (c.top + c.bottom) - 100.0).abs() <= 1.0, "{c:?}");
        assert!(c.right - c.left > c.bottom - c.top, "{c:?}");
        // turned a quarter: taller than wide, rising from its anchor
        assert!(t.bottom - t.top > t.right - t.left, "{t:?}");
        assert!((t.bottom - 150.0).abs() <= 1.0 && t.left >= 20.0, "{t:?}");
        assert_eq!(layout.css_text_per_size, 1.0 / 1.24);
    }
}
