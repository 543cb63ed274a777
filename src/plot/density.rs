//! What a CSS pixel is on the surface a figure is drawn on, and the sizes that keep figures
//! readable there: text at least [`MIN_TEXT_CSS_PX`], panels stacked rather than narrower
//! than [`READABLE_PANEL_CSS`].

use std::cell::Cell;

/// Smallest text in any figure, in CSS pixels (the tick labels and keys at the floor).
pub const MIN_TEXT_CSS_PX: f64 = 11.0;
/// Narrowest panel, in CSS pixels, that is drawn side by side with others; narrower ones are
/// stacked (the design width of a panel is 550 px at scale 1, 336 px at the text floor).
pub const READABLE_PANEL_CSS: f64 = 330.0;

/// How a figure's pixels and font sizes map to CSS pixels on the surface it is drawn on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Density {
    /// Backing-store pixels per CSS pixel: the canvas's devicePixelRatio, 1 for SVG files.
    pub pixel_ratio: f64,
    /// Rendered text pixels per plotters font-size unit: 1 on a canvas (`font: {size}px`),
    /// 1 / 1.24 in SVG (plotters writes `font-size = size / 1.24`).
    pub text_px_per_size: f64,
}

impl Density {
    /// An SVG file viewed at 100 %.
    pub const SVG: Self = Self {
        pixel_ratio: 1.0,
        text_px_per_size: 1.0 / 1.24,
    };

    /// A canvas whose backing store has `pixel_ratio` pixels per CSS pixel.
    pub fn canvas(pixel_ratio: f64) -> Self {
        let ok = pixel_ratio.is_finite() && pixel_ratio > 0.0;
        Self {
            pixel_ratio: if ok { pixel_ratio } else { 1.0 },
            text_px_per_size: 1.0,
        }
    }

    /// CSS pixels of text drawn with plotters font size `size`.
    pub fn css_text_px(&self, size: f64) -> f64 {
        size * self.text_px_per_size / self.pixel_ratio
    }
}

thread_local! {
    /// The density figures are drawn at now (see [`with_density`]).
    static DENSITY: Cell<Density> = const { Cell::new(Density::SVG) };
}

/// Runs `f` with figures drawn for `density`, then restores the previous one (like
/// [`with_scheme`]; figures read it when they size text and choose their panel grid).
pub fn with_density<R>(density: Density, f: impl FnOnce() -> R) -> R {
    let before = DENSITY.with(|d| d.replace(density));
    let out = f();
    DENSITY.with(|d| d.set(before));
    out
}

/// The density figures are drawn at now.
pub fn density() -> Density {
    DENSITY.with(Cell::get)
}

/// Rows and columns of `n` panels on a figure `css_width` CSS pixels wide, at most
/// `max_cols` side by side: as many columns as keep each panel at least
/// [`READABLE_PANEL_CSS`] wide (one when even a single one is narrower).
pub fn grid_for(n: usize, max_cols: usize, css_width: f64) -> (usize, usize) {
    let n = n.max(1);
    let fit = (css_width + 0.5) / READABLE_PANEL_CSS;
    let cols = (fit.floor() as usize).clamp(1, max_cols.clamp(1, n));
    (n.div_ceil(cols), cols)
}

/// The CSS width of a figure `width` backing pixels wide on the current density.
pub fn css_width(width: u32) -> f64 {
    f64::from(width) / density().pixel_ratio
}

/// The notebook's figures, by how their panels are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// Figure 1 A/B (cell 1), the init comparison (cell 3) and cell 6's hidden-vs-embedding
    /// steps: two panels.
    Linear,
    /// The symmetry-breaking landscapes (cell 4): two panels, a little taller.
    Symmetry,
    /// The MLP figure (cell 5): loss and embedding eigenvalues, and the hidden eigenvalues
    /// when recorded (`n` panels, 2 or 3).
    Mlp(usize),
    /// App. G (cell 7): `n` variant panels and the bar panel in a grid.
    Appg(usize),
}

/// Shortest and tallest row of panels the page gives a figure, in CSS pixels.
const ROW_CSS: (f64, f64) = (280.0, 460.0);
/// Height / width of a panel stacked one above the other (full width, so flatter).
const STACKED_ASPECT: f64 = 0.7;

impl FigureKind {
    /// The kind named `name` ("linear", "init", "symmetry", "mlp", "hidden", "appg:<n>"
    /// with n variants), as the page names its figures.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            // cell 6's figure (the hidden spectrum's change against the steps): two panels
            "linear" | "init" | "hidden" => Some(Self::Linear),
            // the deep cells: loss and eigenvalues; Fig 4's histogram; hidden, probes, rank
            "deep" | "deep-histogram" => Some(Self::Linear),
            // Table 2: the alignment heatmap and the three methods' steps
            "deep-methods" => Some(Self::Linear),
            "deep-probes" => Some(Self::Mlp(3)),
            "symmetry" => Some(Self::Symmetry),
            // cell 5 records the hidden eigenvalues by default: three panels
            "mlp" => Some(Self::Mlp(3)),
            _ => {
                let n = name.strip_prefix("appg:")?.parse::<usize>().ok()?;
                (1..=5).contains(&n).then_some(Self::Appg(n))
            }
        }
    }

    /// Panels, most columns, and height / width of one panel side by side.
    fn shape(self) -> (usize, usize, f64) {
        match self {
            Self::Linear => (2, 2, 420.0 / 550.0),
            Self::Symmetry => (2, 2, 480.0 / 550.0),
            Self::Mlp(n) => (n, n, 420.0 / 367.0),
            Self::Appg(n) => (n + 1, appg_max_cols(n + 1), 430.0 / 500.0),
        }
    }

    /// Rows and columns at `css_width`.
    pub fn grid(self, css_width: f64) -> (usize, usize) {
        let (n, max_cols, _) = self.shape();
        grid_for(n, max_cols, css_width)
    }

    /// The CSS height the page gives the figure at `css_width`: its rows of panels, each as
    /// tall as its cells' shape asks (flatter when stacked), within [`ROW_CSS`].
    pub fn css_height(self, css_width: f64) -> f64 {
        let (n, _, aspect) = self.shape();
        let (rows, cols) = self.grid(css_width);
        let aspect = if cols == 1 && n > 1 {
            STACKED_ASPECT
        } else {
            aspect
        };
        let row = (css_width / cols as f64 * aspect).clamp(ROW_CSS.0, ROW_CSS.1);
        (rows as f64 * row).round()
    }
}

/// Most columns of App. G's grid of `n` panels: one row up to three, else two rows.
pub fn appg_max_cols(n: usize) -> usize {
    if n <= 3 {
        n.max(1)
    } else {
        n.div_ceil(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_stack_when_side_by_side_they_would_be_too_narrow() {
        assert_eq!(grid_for(2, 2, 1100.0), (1, 2));
        assert_eq!(
            grid_for(2, 2, 682.0),
            (1, 2),
            "a 700 px column keeps two panels"
        );
        assert_eq!(grid_for(2, 2, 640.0), (2, 1));
        assert_eq!(grid_for(3, 3, 746.0), (2, 2));
        assert_eq!(grid_for(3, 3, 355.0), (3, 1));
        assert_eq!(grid_for(6, 3, 1100.0), (2, 3));
        assert_eq!(grid_for(6, 3, 682.0), (3, 2));
        assert_eq!(
            with_density(Density::canvas(2.0), || css_width(1364)),
            682.0
        );
    }

    #[test]
    fn figure_heights_follow_the_layout() {
        // side by side: the design's 1100 x 420
        assert_eq!(FigureKind::Linear.css_height(1100.0), 420.0);
        // stacked on a phone: two flat rows, not one squashed one
        assert_eq!(
            FigureKind::Linear.css_height(355.0),
            560.0,
            "two rows at the 280 px floor"
        );
        // App. G: two rows of three 367 px cells, 0.86 as tall as wide
        assert_eq!(FigureKind::Appg(5).css_height(1100.0), 631.0);
        assert_eq!(FigureKind::parse("appg:5"), Some(FigureKind::Appg(5)));
        assert_eq!(FigureKind::parse("appg:9"), None);
        assert_eq!(FigureKind::parse("hidden"), Some(FigureKind::Linear));
        assert_eq!(FigureKind::parse("nope"), None);
    }
}
