//! Cells 5 and 6 draw the same MLP run differently: [`MlpSession::draw`] the run (loss,
//! embedding and hidden eigenvalues), [`MlpSession::draw_hidden`] the hidden spectrum's change
//! against the embedding's steps; the hover readout follows the figure drawn last.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::mlp_session::MlpSession;
use super::replay::figure_readout;
use super::{canvas, js_error};
use crate::experiment::mlp::LossKind;
use crate::plot::{
    hidden_as_records, hidden_figure_svg, hidden_rate_records, mlp_figure_svg, FigureOptions,
};

/// The two figures of an MLP run: cell 5's (loss, embedding and hidden eigenvalues) and
/// cell 6's (the hidden spectrum's change against the embedding's steps).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum MlpFigure {
    #[default]
    Run,
    Hidden,
}

#[wasm_bindgen]
impl MlpSession {
    /// Draws the MLP figure (loss, embedding eigenvalues with the NTK theory dashed for
    /// Barlow Twins, hidden eigenvalues) onto `canvas` at its CSS size times
    /// devicePixelRatio.
    pub fn draw(&self, canvas: HtmlCanvasElement, log_time: bool) -> Result<(), JsValue> {
        let mut state = self.inner.try_borrow_mut().map_err(js_error)?;
        state.layout = canvas::draw_mlp(&canvas, &state.live, log_time)?;
        state.drawn = MlpFigure::Run;
        Ok(())
    }

    /// Draws cell 6's figure (A: the hidden covariance spectrum's rate of change with the
    /// embedding's step times; B: the time of its fastest change around each step against
    /// the step's time) onto `canvas`.
    pub fn draw_hidden(&self, canvas: HtmlCanvasElement, log_time: bool) -> Result<(), JsValue> {
        let mut state = self.inner.try_borrow_mut().map_err(js_error)?;
        state.layout = canvas::draw_hidden(&canvas, &state.live, log_time)?;
        state.drawn = MlpFigure::Hidden;
        Ok(())
    }

    /// What the pointer at backing-store pixel (x, y) of the last drawing reads, as JSON
    /// text `{panel, kind, t, step, mode, experiment, theory, loss, theory_loss}` (the
    /// theory only for Barlow Twins in the NTK regime; none on the hidden panel; on cell 6's
    /// figure, panel A's rate as `experiment`, nothing on panel B); `undefined` off the
    /// panels.
    pub fn readout(&self, x: f64, y: f64) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        let live = &state.live;
        if state.drawn == MlpFigure::Hidden {
            let rate = hidden_rate_records(live);
            let sources = [(&rate[..], &[][..])];
            let r = figure_readout(&state.layout, &sources, x, y)?;
            return serde_json::to_string(&r).ok();
        }
        let barlow = live.config.loss == LossKind::BarlowTwins && live.config.ntk_regime();
        let theory = if barlow {
            &live.theory.records[..]
        } else {
            &[]
        };
        let hidden = hidden_as_records(live);
        let sources = [
            (&live.records[..], theory),
            (&live.records[..], theory),
            (&hidden[..], &[][..]),
        ];
        let r = figure_readout(&state.layout, &sources, x, y)?;
        serde_json::to_string(&r).ok()
    }

    /// Cell 6's figure as a standalone SVG document.
    pub fn hidden_svg(&self, log_time: bool) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        hidden_figure_svg(&state.result(), &opts).map_err(js_error)
    }

    /// The figure as a standalone SVG document.
    pub fn svg(&self, log_time: bool) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        mlp_figure_svg(&state.result(), &opts).map_err(js_error)
    }
}
