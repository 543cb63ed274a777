//! Colours, strokes and font sizes shared by the figures.

use std::cell::Cell;

use plotters::coord::ranged1d::AsRangedCoord;
use plotters::coord::Shift;
use plotters::prelude::{Cartesian2d, ChartBuilder, ChartContext, DrawingArea, DrawingBackend};
use plotters::style::{FontFamily, FontStyle, RGBColor, TextStyle};

use super::density::{css_width, density, grid_for, MIN_TEXT_CSS_PX};
use super::PlotError;

/// Light scheme: Paul Tol's "muted" qualitative palette (colour-blind safe) with its four
/// lightest colours (rose, sand, cyan, teal, olive) darkened to a contrast of at least 3:1
/// on white, plus a mid grey so that the default d = 10 needs no repeated colour.
const LIGHT_MODES: [RGBColor; 10] = [
    RGBColor(0x33, 0x22, 0x88), // indigo
    RGBColor(0xBB, 0x55, 0x66), // rose
    RGBColor(0x11, 0x77, 0x33), // green
    RGBColor(0x99, 0x66, 0x00), // sand, darkened to ochre
    RGBColor(0x33, 0x88, 0xBB), // cyan, darkened
    RGBColor(0x88, 0x22, 0x55), // wine
    RGBColor(0x22, 0x88, 0x77), // teal
    RGBColor(0x77, 0x77, 0x11), // olive
    RGBColor(0xAA, 0x44, 0x99), // purple
    RGBColor(0x77, 0x77, 0x77), // grey
];

/// How many colours the mode palettes have (mode j + MODE_COLOURS repeats mode j's).
pub const MODE_COLOURS: usize = LIGHT_MODES.len();

/// Dark scheme: Paul Tol's "light" palette (made for dark backgrounds), hue for hue with
/// [`LIGHT_MODES`] where it can, plus a light purple and a light grey.
const DARK_MODES: [RGBColor; 10] = [
    RGBColor(0x77, 0xAA, 0xDD), // light blue
    RGBColor(0xEE, 0x88, 0x66), // orange
    RGBColor(0x44, 0xBB, 0x99), // mint
    RGBColor(0xEE, 0xDD, 0x88), // light yellow
    RGBColor(0x99, 0xDD, 0xFF), // light cyan
    RGBColor(0xFF, 0xAA, 0xBB), // pink
    RGBColor(0xBB, 0xCC, 0x33), // pear
    RGBColor(0xAA, 0xAA, 0x00), // olive
    RGBColor(0xCC, 0x99, 0xDD), // light purple
    RGBColor(0xBB, 0xBB, 0xBB), // light grey
];

/// The colours a figure is drawn in: dark ink on white (the default, and always for SVG
/// files) or light ink on a dark grey (the notebook under `prefers-color-scheme: dark`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    #[default]
    Light,
    Dark,
}

thread_local! {
    /// The scheme figures are drawn in now (see [`with_scheme`]).
    static SCHEME: Cell<Scheme> = const { Cell::new(Scheme::Light) };
}

/// Runs `f` with figures drawn in `scheme`, then restores the previous one. Figures read the
/// scheme when they pick a colour, so the drawing functions keep their signatures.
pub fn with_scheme<R>(scheme: Scheme, f: impl FnOnce() -> R) -> R {
    let before = SCHEME.with(|s| s.replace(scheme));
    let out = f();
    SCHEME.with(|s| s.set(before));
    out
}

fn scheme() -> Scheme {
    SCHEME.with(Cell::get)
}

/// Picks the light or dark variant of a colour.
pub(super) fn pick(light: RGBColor, dark: RGBColor) -> RGBColor {
    match scheme() {
        Scheme::Light => light,
        Scheme::Dark => dark,
    }
}

/// The figure's background.
pub fn background() -> RGBColor {
    pick(RGBColor(0xFF, 0xFF, 0xFF), RGBColor(0x1C, 0x1C, 0x21))
}

const INK_LIGHT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const INK_DARK: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);

/// Ink for the loss curves and text.
pub fn ink() -> RGBColor {
    pick(INK_LIGHT, INK_DARK)
}

/// [`ink`] as a static reference, which plotters' text styles borrow.
fn ink_ref() -> &'static RGBColor {
    match scheme() {
        Scheme::Light => &INK_LIGHT,
        Scheme::Dark => &INK_DARK,
    }
}

/// Axis lines and the legend frame.
pub fn axis() -> RGBColor {
    pick(RGBColor(0x55, 0x55, 0x55), RGBColor(0xA8, 0xA8, 0xA8))
}

/// The light vertical step-time lines of panel A (decoration: low contrast on purpose).
pub fn faint() -> RGBColor {
    pick(RGBColor(0xC8, 0xC8, 0xC8), RGBColor(0x4A, 0x4A, 0x50))
}

/// The replay cursor (Okabe-Ito vermillion: in no curve's palette).
pub const CURSOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// Opacity of the (wide) experiment curves, so the dashed theory shows on top.
pub const EXPERIMENT_ALPHA: f64 = 0.5;
/// Opacity of the dotted step-time markers.
pub const MARKER_ALPHA: f64 = 0.7;

/// The colour of mode j (0-based), cycling through the palette when d exceeds it.
pub fn mode_color(j: usize) -> RGBColor {
    let palette = match scheme() {
        Scheme::Light => &LIGHT_MODES,
        Scheme::Dark => &DARK_MODES,
    };
    palette[j % palette.len()]
}

/// The CSS colour (`#rrggbb`) of mode j's curves (0-based), or of the loss curve (`None`),
/// in the current scheme: the page's readout key shows it next to the mode's name.
pub fn curve_hex(mode: Option<usize>) -> String {
    let RGBColor(r, g, b) = mode.map_or_else(ink, mode_color);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Pixel sizes of one figure, scaled with the drawing area (1.0 at 1100 × 420), but never so
/// small that text falls under [`MIN_TEXT_CSS_PX`] on the surface's
/// [`Density`](super::density::Density).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    scale: f64,
}

/// Rows and columns of `n` panels on a figure of `size` pixels: side by side, or in as few
/// columns as keep each at least [`READABLE_PANEL_CSS`](super::density::READABLE_PANEL_CSS)
/// wide on the current density (one above the other on a phone). The page sizes the figure
/// for this grid ([`FigureKind::css_height`](super::density::FigureKind::css_height)).
pub fn panel_grid((width, _): (u32, u32), n: usize) -> (usize, usize) {
    grid_for(n, n, css_width(width))
}

/// plotters font size of the tick labels and keys at scale 1 (the smallest text role).
const SMALL_BASE: f64 = 18.0;

impl Theme {
    /// The theme of a figure of `size` pixels holding `n` panels laid out by
    /// [`panel_grid`]: panels on several rows are sized like the same panels in one row.
    pub fn for_panels(size: (u32, u32), n: usize) -> Self {
        let (rows, cols) = panel_grid(size, n);
        let width = size.0 as usize * n.max(1) / cols;
        Self::for_size((
            u32::try_from(width).unwrap_or(u32::MAX),
            size.1 / rows as u32,
        ))
    }

    /// The theme for a root area of `(width, height)` pixels.
    pub fn for_size((width, height): (u32, u32)) -> Self {
        let scale = (f64::from(width) / 1100.0).min(f64::from(height) / 420.0);
        let d = density();
        // the scale at which the smallest text is MIN_TEXT_CSS_PX on this surface
        let floor = MIN_TEXT_CSS_PX * d.pixel_ratio / d.text_px_per_size / SMALL_BASE;
        Self {
            scale: scale.clamp(floor, 4.0_f64.max(floor)),
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

    /// plotters font sizes; SVG renders them at size / 1.24 px, so 19 → 15.3 px (see
    /// [`Density`](super::density::Density)).
    fn font(&self, base: f64, style: FontStyle) -> TextStyle<'static> {
        let family = FontFamily::SansSerif;
        (family, base * self.scale, style).into()
    }

    /// Panel letter ("A", "B").
    pub fn letter(&self) -> TextStyle<'static> {
        self.font(26.0, FontStyle::Bold).color(ink_ref())
    }

    /// Panel title next to the letter.
    pub fn title(&self) -> TextStyle<'static> {
        self.font(22.0, FontStyle::Normal).color(ink_ref())
    }

    /// Axis descriptions.
    pub fn axis_label(&self) -> TextStyle<'static> {
        self.font(20.0, FontStyle::Normal).color(ink_ref())
    }

    /// Tick labels and the legend.
    pub fn small(&self) -> TextStyle<'static> {
        self.font(18.0, FontStyle::Normal).color(ink_ref())
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
/// Height of the x tick labels and description under a plot area, in default-size pixels:
/// room for two lines of text as a browser measures them (font size × ~1.4 each).
pub(super) const X_LABEL_AREA: f64 = 70.0;

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
        .margin_top(theme.px(10.0))
        .margin_left(theme.px(8.0))
        .margin_right(theme.px(RIGHT_MARGIN))
        .margin_bottom(theme.px(6.0))
        .x_label_area_size(theme.px(X_LABEL_AREA))
        .y_label_area_size(theme.px(88.0))
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
    use crate::plot::density::{with_density, Density};

    /// WCAG contrast ratio of two colours (1 to 21).
    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        fn channel(v: u8) -> f64 {
            let c = f64::from(v) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        let lum =
            |c: RGBColor| 0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2);
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn palette_cycles() {
        assert_eq!(mode_color(0), mode_color(LIGHT_MODES.len()));
        assert_ne!(mode_color(0), mode_color(1));
    }

    #[test]
    fn the_readout_key_names_the_curves_colour_in_each_scheme() {
        assert_eq!(curve_hex(Some(0)), "#332288");
        assert_eq!(curve_hex(Some(MODE_COLOURS + 2)), "#117733");
        assert_eq!(curve_hex(None), "#222222");
        with_scheme(Scheme::Dark, || {
            assert_eq!(curve_hex(Some(0)), "#77aadd");
            assert_eq!(curve_hex(None), "#e6e6e6");
        });
    }

    #[test]
    fn every_colour_reads_on_its_background_in_both_schemes() {
        for scheme in [Scheme::Light, Scheme::Dark] {
            with_scheme(scheme, || {
                let bg = background();
                for j in 0..LIGHT_MODES.len() {
                    let c = contrast(mode_color(j), bg);
                    assert!(c >= 3.0, "{scheme:?} mode {j}: contrast {c:.2} < 3");
                }
                for (name, c) in [("ink", ink()), ("axis", axis())] {
                    assert!(
                        contrast(c, bg) >= 4.5,
                        "{scheme:?} {name}: {:.2}",
                        contrast(c, bg)
                    );
                }
                // modes stay apart from one another, and from the ink of the loss curve
                for j in 0..LIGHT_MODES.len() {
                    assert_ne!(mode_color(j), ink());
                    for k in j + 1..LIGHT_MODES.len() {
                        assert_ne!(mode_color(j), mode_color(k), "{scheme:?} {j} = {k}");
                    }
                }
            });
        }
    }

    #[test]
    fn schemes_differ_and_restore() {
        let light = (background(), ink(), mode_color(0));
        let dark = with_scheme(Scheme::Dark, || (background(), ink(), mode_color(0)));
        assert_eq!(light.0, RGBColor(255, 255, 255));
        assert!(
            contrast(dark.0, RGBColor(0, 0, 0)) < 1.5,
            "the dark background is not dark"
        );
        assert_ne!(light.1, dark.1);
        assert_ne!(light.2, dark.2);
        assert_eq!(
            (background(), ink(), mode_color(0)),
            light,
            "the scheme was not restored"
        );
        assert!((contrast(RGBColor(0, 0, 0), RGBColor(255, 255, 255)) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn theme_scales_and_clamps() {
        assert_eq!(Theme::for_size((1100, 420)).px(10.0), 10);
        assert_eq!(Theme::for_size((2200, 840)).px(10.0), 20);
        // the floor: 11 CSS px text, i.e. 11 × 1.24 / 18 = 0.758 in SVG, 11 × 2 / 18 on a 2x canvas
        assert_eq!(Theme::for_size((1, 1)).px(10.0), 8);
        let hidpi = with_density(Density::canvas(2.0), || Theme::for_size((1, 1)));
        assert_eq!(hidpi.px(18.0), 22);
        assert_eq!(
            with_density(Density::canvas(2.0), density),
            Density::canvas(2.0)
        );
        assert_eq!(density(), Density::SVG, "the density was not restored");
    }
}
