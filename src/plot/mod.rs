//! Figures drawn with plotters, generic over the drawing backend.
//!
//! [`draw_linear_figure`] draws the paper's Figure 1 A/B onto any plotters
//! [`DrawingArea`] (SVG here, an HTML canvas in the browser); [`linear_figure_svg`]
//! renders it to an SVG string. [`draw_appg_figure`] draws Appendix G's comparison of loss
//! variants as small multiples with a bar panel of the speedups.

mod appg;
mod appg_bars;
pub mod deep;
mod deep_histogram;
pub mod deep_methods;
mod deep_probes;
pub mod density;
pub mod geometry;
mod hidden;
pub mod init;
pub mod landscape;
pub mod layout_check;
mod linear;
mod mlp;
mod panels;
pub mod record;
mod series;
pub mod spectrum;
mod style;
#[cfg(test)]
mod tests;
mod ticks;

use plotters::prelude::{DrawingArea, IntoDrawingArea};

pub use appg::{
    appg_bar_readout, appg_figure_svg, appg_readout_sources, draw_appg_figure, AppgFigureOptions,
};
pub use appg_bars::BarReadout;
pub use geometry::{FigureLayout, PanelGeometry, PanelKind};
pub use hidden::{draw_hidden_figure, hidden_figure_svg, hidden_rate_records};
pub use init::{draw_init_comparison, init_comparison_svg};
pub use landscape::{draw_landscape, landscape_records, landscape_svg};
pub use linear::{draw_linear_figure, draw_linear_figure_at};
pub use mlp::{draw_mlp_figure, hidden_as_records, mlp_figure_svg};
pub use spectrum::{direction_rgb, directions_svg, draw_directions, draw_spectrum, spectrum_svg};
pub use style::{curve_hex, with_scheme, Scheme, MODE_COLOURS};

use crate::experiment::RunResult;

/// Why a figure could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlotError {
    /// The drawing backend failed (its message).
    #[error("drawing failed: {0}")]
    Draw(String),
}

/// Maps any plotters error (e.g. `DrawingAreaErrorKind<DB::ErrorType>`) to [`PlotError`].
fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Size and time axis of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureOptions {
    /// Logarithmic t axis (records at t = 0 are skipped) instead of linear from 0.
    pub log_time: bool,
    /// Width in pixels of the whole figure (both panels).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Default for FigureOptions {
    fn default() -> Self {
        Self {
            log_time: false,
            width: 1100,
            height: 420,
        }
    }
}

/// Smallest figure drawn; smaller requested sizes are enlarged to this.
pub(crate) const MIN_SIZE: (u32, u32) = (200, 120);

/// Renders [`draw_linear_figure`] to a standalone SVG document.
pub fn linear_figure_svg(result: &RunResult, opts: &FigureOptions) -> Result<String, PlotError> {
    linear_figure_svg_at(result, opts, None).map(|(svg, _)| svg)
}

/// Renders [`draw_linear_figure_at`] (with the replay cursor at `cursor`) to a standalone
/// SVG document, with the panels' layout.
pub fn linear_figure_svg_at(
    result: &RunResult,
    opts: &FigureOptions,
    cursor: Option<f64>,
) -> Result<(String, FigureLayout), PlotError> {
    let size = (opts.width.max(MIN_SIZE.0), opts.height.max(MIN_SIZE.1));
    let mut svg = String::new();
    let layout = {
        let root: DrawingArea<_, _> = record::svg_backend(&mut svg, size).into_drawing_area();
        let layout = draw_linear_figure_at(&root, result, opts, cursor)?;
        root.present().map_err(draw_err)?;
        layout
    };
    Ok((svg, layout))
}
