//! A drawing backend that forwards everything to another and records where each text went,
//! so a figure's layout can be checked (no text over text, none across a plot frame, none
//! under the smallest readable size) from the boxes the real backend measured.

use std::cell::RefCell;
use std::rc::Rc;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use serde::Serialize;

/// One drawn text: its box in backend pixels (as the backend measures it) and its plotters
/// font size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextBox {
    pub text: String,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    /// The plotters font size (see [`Density`](super::density::Density) for CSS pixels).
    pub size: f64,
}

impl TextBox {
    /// Whether the two boxes share more than `slack` pixels in both directions.
    pub fn overlaps(&self, other: &TextBox, slack: f64) -> bool {
        let x = self.right.min(other.right) - self.left.max(other.left);
        let y = self.bottom.min(other.bottom) - self.top.max(other.top);
        x > slack && y > slack
    }
}

/// The boxes a [`Recorder`] collected, shared with whoever drew through it.
pub type TextLog = Rc<RefCell<Vec<TextBox>>>;

/// Measures a text in backend pixels from its plotters font size, family and style (a
/// canvas's `measureText`), in place of the backend's own estimate.
pub type Measure = Box<dyn Fn(&str, f64, &str, &str) -> Option<(u32, u32)>>;

/// Forwards every call to `inner`; records each non-empty text's box. With a [`Measure`],
/// text sizes (for the layout and the boxes) come from it.
pub struct Recorder<DB> {
    inner: DB,
    log: TextLog,
    measure: Option<Measure>,
}

impl<DB: DrawingBackend> Recorder<DB> {
    /// Wraps `inner`; the boxes appear in the returned log as text is drawn.
    pub fn new(inner: DB, measure: Option<Measure>) -> (Self, TextLog) {
        let log = TextLog::default();
        let me = Self {
            inner,
            log: Rc::clone(&log),
            measure,
        };
        (me, log)
    }

    fn size_of<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<DB::ErrorType>> {
        let (family, font_style) = (style.family(), style.style());
        let measured = self
            .measure
            .as_ref()
            .and_then(|m| m(text, style.size(), family.as_str(), font_style.as_str()));
        match measured {
            Some(size) => Ok(size),
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn record<S: BackendTextStyle>(&self, text: &str, style: &S, pos: BackendCoord) {
        let Ok((w, h)) = self.size_of(text, style) else {
            return;
        };
        let (w, h) = (f64::from(w), f64::from(h));
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -w / 2.0,
            HPos::Right => -w,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -h / 2.0,
            VPos::Bottom => -h,
        };
        let corners = [(dx, dy), (dx + w, dy + h)].map(|(x, y)| rotate(style.transform(), x, y));
        let (x, y) = (f64::from(pos.0), f64::from(pos.1));
        self.log.borrow_mut().push(TextBox {
            text: text.to_string(),
            left: x + corners[0].0.min(corners[1].0),
            right: x + corners[0].0.max(corners[1].0),
            top: y + corners[0].1.min(corners[1].1),
            bottom: y + corners[0].1.max(corners[1].1),
            size: style.size(),
        });
    }
}

/// A point of an unrotated text box, turned as plotters turns the text about its anchor.
fn rotate(t: FontTransform, x: f64, y: f64) -> (f64, f64) {
    match t {
        FontTransform::None => (x, y),
        FontTransform::Rotate90 => (-y, x),
        FontTransform::Rotate180 => (-x, -y),
        FontTransform::Rotate270 => (y, -x),
    }
}

type Drawn<E> = Result<(), DrawingErrorKind<E>>;

impl<DB: DrawingBackend> DrawingBackend for Recorder<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn<DB::ErrorType> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn<DB::ErrorType> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn<DB::ErrorType> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<DB::ErrorType> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn<DB::ErrorType> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn<DB::ErrorType> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn<DB::ErrorType> {
        if !text.trim().is_empty() && style.color().alpha > 0.0 {
            self.record(text, style, pos);
        }
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<DB::ErrorType>> {
        self.size_of(text, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Drawn<DB::ErrorType> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

/// A shareable text measure (see [`Measure`]).
pub type SharedMeasure = std::rc::Rc<dyn Fn(&str, f64, &str, &str) -> Option<(u32, u32)>>;

thread_local! {
    /// How standalone SVG documents measure their text, when plotters' own estimate cannot
    /// run (in the browser's compute worker it would measure through a DOM it lacks).
    static SVG_MEASURE: RefCell<Option<SharedMeasure>> = const { RefCell::new(None) };
}

/// Measures the text of every later SVG document on this thread with `measure` (in SVG
/// pixels, from the plotters font size), or with plotters' own estimate (`None`).
pub fn set_svg_measure(measure: Option<SharedMeasure>) {
    SVG_MEASURE.with(|m| *m.borrow_mut() = measure);
}

/// An SVG backend writing into `svg`, measuring text as [`set_svg_measure`] says.
pub fn svg_backend(
    svg: &mut String,
    size: (u32, u32),
) -> Recorder<plotters::prelude::SVGBackend<'_>> {
    let measure = SVG_MEASURE.with(|m| m.borrow().clone()).map(|shared| {
        Box::new(move |text: &str, size: f64, family: &str, style: &str| {
            shared(text, size, family, style)
        }) as Measure
    });
    Recorder::new(
        plotters::prelude::SVGBackend::with_string(svg, size),
        measure,
    )
    .0
}
