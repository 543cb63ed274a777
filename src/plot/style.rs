//! Colours, strokes and font sizes shared by the figures.

use plotters::coord::ranged1d::AsRangedCoord;
use plotters::coord::Shift;
use plotters::prelude::{Cartesian2d, ChartBuilder, ChartContext, DrawingArea, DrawingBackend};
use plotters::style::{FontFamily, FontStyle, RGBColor, TextStyle};

use super::PlotError;

/// Paul Tol's "muted" qualitative palette (colour-blind safe, legible on white), plus a
/// mid grey so that the default d = 10 needs no repeated colour.
const MUTED: [RGBColor; 10] = [
    RGBColor(0x33, 0x22, 0x88), // indigo
    RGBColor(0xCC, 0x66, 0x77), // rose
    RGBColor(0x11, 0x77, 0x33), // green
    RGBColor(0xDD, 0xAA, 0x33), // sand (darkened for white backgrounds)
    RGBColor(0x88, 0xCC, 0xEE), // cyan
    RGBColor(0x88, 0x22, 0x55), // wine
    RGBColor(0x44, 0xAA, 0x99), // teal
    RGBColor(0x99, 0x99, 0x33), // olive
    RGBColor(0xAA, 0x44, 0x99), // purple
    RGBColor(0x77, 0x77, 0x77), // grey
];

/// Near-black for the loss curves and text.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Axis lines and the legend frame.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// The light vertical step-time lines of panel A.
pub const FAINT: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);

/// The replay cursor (Okabe-Ito vermillion: in no curve's palette).
pub const CURSOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// Opacity of the (wide) experiment curves, so the dashed theory shows on top.
pub const EXPERIMENT_ALPHA: f64 = 0.5;
/// Opacity of the dotted step-time markers.
pub const MARKER_ALPHA: f64 = 0.7;

/// The colour of mode j (0-based), cycling through the palette when d exceeds it.
pub fn mode_color(j: usize) -> RGBColor {
    MUTED[j % MUTED.len()]
}

/// Pixel sizes of one figure, scaled with the drawing area (1.0 at 1100 × 420).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    scale: f64,
}

impl Theme {
    /// The theme for a root area of `(width, height)` pixels.
    pub fn for_size((width, height): (u32, u32)) -> Self {
        let scale = (f64::from(width) / 1100.0).min(f64::from(height) / 420.0);
        Self {
            scale: scale.clamp(0.6, 4.0),
        }
    }

    /// `base` pixels at the default size, scaled.
    pub fn px(&self, base: f64) -> u32 {
        (base * self.scale).round().max(1.0) as u32
    }

    /// Same as [`Theme::px`], as a signed backend coordinate.
    pub fn offset(&self, base: f64) -> i32 {
        i32::try_from(self.px(base)).unwrap_or(i32::MAX)
    }

    /// plotters font sizes; SVG renders them at size / 1.24 px, so 19 → 15.3 px.
    fn font(&self, base: f64, style: FontStyle) -> TextStyle<'static> {
        let family = FontFamily::SansSerif;
        (family, base * self.scale, style).into()
    }

    /// Panel letter ("A", "B").
    pub fn letter(&self) -> TextStyle<'static> {
        self.font(26.0, FontStyle::Bold).color(&INK)
    }

    /// Panel title next to the letter.
    pub fn title(&self) -> TextStyle<'static> {
        self.font(22.0, FontStyle::Normal).color(&INK)
    }

    /// Axis descriptions.
    pub fn axis_label(&self) -> TextStyle<'static> {
        self.font(20.0, FontStyle::Normal).color(&INK)
    }

    /// Tick labels and the legend.
    pub fn small(&self) -> TextStyle<'static> {
        self.font(18.0, FontStyle::Normal).color(&INK)
    }

    /// Width of an experiment curve.
    pub fn experiment_width(&self) -> u32 {
        self.px(3.0)
    }

    /// Width of a theory curve.
    pub fn theory_width(&self) -> u32 {
        self.px(2.0)
    }

    /// Dash length and gap of theory curves.
    pub fn dash(&self) -> (u32, u32) {
        (self.px(7.0), self.px(4.0))
    }

    /// Dot length and gap of the step-time markers.
    pub fn dot(&self) -> (u32, u32) {
        (self.px(2.0), self.px(4.0))
    }
}

/// A panel's chart on the coordinates of `XS` and `YS`.
pub(super) type PanelChart<'a, DB, XS, YS> = ChartContext<
    'a,
    DB,
    Cartesian2d<<XS as AsRangedCoord>::CoordDescType, <YS as AsRangedCoord>::CoordDescType>,
>;

/// Space right of every panel's plot area, in default-size pixels.
pub(super) const RIGHT_MARGIN: f64 = 22.0;

/// The Cartesian chart of one panel on `area`, with the margins every figure shares.
pub(super) fn panel_chart<'a, DB, XS, YS>(
    area: &'a DrawingArea<DB, Shift>,
    x: XS,
    y: YS,
    theme: &Theme,
) -> Result<PanelChart<'a, DB, XS, YS>, PlotError>
where
    DB: DrawingBackend,
    XS: AsRangedCoord<Value = f64>,
    YS: AsRangedCoord<Value = f64>,
{
    ChartBuilder::on(area)
        .margin_left(theme.px(8.0))
        .margin_right(theme.px(RIGHT_MARGIN))
        .margin_bottom(theme.px(6.0))
        .x_label_area_size(theme.px(54.0))
        .y_label_area_size(theme.px(74.0))
        .build_cartesian_2d(x, y)
        .map_err(super::draw_err)
}

/// Compact tick text: "0", "0.25", "1500", "1e-3", "2e5".
pub(super) fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if (1e-3..1e5).contains(&a) {
        return trim_zeros(&format!("{v:.3}")).to_string();
    }
    let s = format!("{v:.2e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa)),
        None => s,
    }
}

/// "1.500" → "1.5", "2.000" → "2".
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_cycles() {
        assert_eq!(mode_color(0), mode_color(MUTED.len()));
        assert_ne!(mode_color(0), mode_color(1));
    }

    #[test]
    fn theme_scales_and_clamps() {
        assert_eq!(Theme::for_size((1100, 420)).px(10.0), 10);
        assert_eq!(Theme::for_size((2200, 840)).px(10.0), 20);
        assert_eq!(Theme::for_size((1, 1)).px(10.0), 6);
    }
}
