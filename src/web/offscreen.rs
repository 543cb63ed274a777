//! A plotters drawing backend on an `OffscreenCanvas`: the figures are drawn in the compute
//! worker (docs/architecture.md, "The page and its worker"), where no `HtmlCanvasElement`
//! exists (plotters-canvas draws only on those), and reach the page as an `ImageBitmap`.

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ImageBitmap, OffscreenCanvas, OffscreenCanvasRenderingContext2d as Context};

/// A canvas call that threw (its JavaScript exception, as text).
#[derive(Debug, thiserror::Error)]
#[error("the canvas refused a drawing call: {0}")]
pub struct CanvasError(String);

impl From<JsValue> for CanvasError {
    fn from(e: JsValue) -> Self {
        Self(format!("{e:?}"))
    }
}

/// A fresh `width` x `height` offscreen canvas and its 2D context.
pub fn offscreen(width: u32, height: u32) -> Result<(OffscreenCanvas, Context), CanvasError> {
    let canvas = OffscreenCanvas::new(width.max(1), height.max(1))?;
    let context = canvas
        .get_context("2d")?
        .ok_or_else(|| CanvasError("the offscreen canvas has no 2D context".into()))?
        .dyn_into::<Context>()
        .map_err(|_| CanvasError("the offscreen canvas's context is not 2D".into()))?;
    Ok((canvas, context))
}

/// What has been drawn on `canvas`, handed over as a bitmap (the canvas is left blank).
pub fn into_bitmap(canvas: &OffscreenCanvas) -> Result<ImageBitmap, CanvasError> {
    Ok(canvas.transfer_to_image_bitmap()?)
}

/// Draws on an offscreen canvas's 2D context.
pub struct OffscreenBackend {
    context: Context,
    size: (u32, u32),
}

impl OffscreenBackend {
    pub fn new(canvas: &OffscreenCanvas, context: Context) -> Self {
        Self {
            size: (canvas.width(), canvas.height()),
            context,
        }
    }

    fn colour(c: BackendColor) -> String {
        let (r, g, b) = c.rgb;
        format!("rgba({r},{g},{b},{})", c.alpha)
    }

    fn stroke_with(&self, style: &impl BackendStyle) {
        self.context
            .set_stroke_style_str(&Self::colour(style.color()));
        self.context.set_line_width(f64::from(style.stroke_width()));
    }

    fn trace(&self, path: impl IntoIterator<Item = BackendCoord>) -> bool {
        let mut points = path.into_iter();
        self.context.begin_path();
        let Some((x, y)) = points.next() else {
            return false;
        };
        self.context.move_to(f64::from(x), f64::from(y));
        for (x, y) in points {
            self.context.line_to(f64::from(x), f64::from(y));
        }
        true
    }
}

type Result2<T = ()> = Result<T, DrawingErrorKind<CanvasError>>;

fn drawing(e: JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::DrawingError(CanvasError::from(e))
}

/// Half-pixel offsets that keep horizontal and vertical one-pixel lines sharp.
fn crisp(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let (mut a, mut b) = (
        (f64::from(from.0), f64::from(from.1)),
        (f64::from(to.0), f64::from(to.1)),
    );
    if from.0 == to.0 {
        a.0 -= 0.5;
        b.0 -= 0.5;
    }
    if from.1 == to.1 {
        a.1 -= 0.5;
        b.1 -= 0.5;
    }
    (a, b)
}

impl DrawingBackend for OffscreenBackend {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result2 {
        Ok(())
    }

    fn present(&mut self) -> Result2 {
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, color: BackendColor) -> Result2 {
        if color.alpha > 0.0 {
            self.context.set_fill_style_str(&Self::colour(color));
            self.context.fill_rect(f64::from(x), f64::from(y), 1.0, 1.0);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result2 {
        if style.color().alpha > 0.0 {
            let (a, b) = crisp(from, to);
            self.stroke_with(style);
            self.context.begin_path();
            self.context.move_to(a.0, a.1);
            self.context.line_to(b.0, b.1);
            self.context.stroke();
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x0, y0): BackendCoord,
        (x1, y1): BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result2 {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(x0), f64::from(y0));
        let (w, h) = (f64::from(x1 - x0), f64::from(y1 - y0));
        if fill {
            self.context
                .set_fill_style_str(&Self::colour(style.color()));
            self.context.fill_rect(x, y, w, h);
        } else {
            self.stroke_with(style);
            self.context.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result2 {
        if style.color().alpha > 0.0 && self.trace(path) {
            self.stroke_with(style);
            self.context.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result2 {
        if style.color().alpha > 0.0 && self.trace(path) {
            self.context.close_path();
            self.context
                .set_fill_style_str(&Self::colour(style.color()));
            self.context.fill();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (x, y): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result2 {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.context.begin_path();
        self.context
            .arc(
                f64::from(x),
                f64::from(y),
                f64::from(radius),
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(drawing)?;
        if fill {
            self.context
                .set_fill_style_str(&Self::colour(style.color()));
            self.context.fill();
        } else {
            self.stroke_with(style);
            self.context.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result2 {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let turn = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 0.25,
            FontTransform::Rotate180 => 0.5,
            FontTransform::Rotate270 => 0.75,
        } * std::f64::consts::TAU;
        let ctx = &self.context;
        ctx.save();
        ctx.translate(f64::from(x), f64::from(y)).map_err(drawing)?;
        if turn != 0.0 {
            ctx.rotate(turn).map_err(drawing)?;
        }
        ctx.set_text_baseline(match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        ctx.set_text_align(match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        });
        ctx.set_fill_style_str(&Self::colour(color));
        ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let drawn = ctx.fill_text(text, 0.0, 0.0).map_err(drawing);
        ctx.restore();
        drawn
    }
}
