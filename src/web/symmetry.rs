//! The cell "Symmetry breaking" (App. F): SSL's modewise loss is a double well around an
//! unstable s = 0, supervised learning's a single well, for γ values the reader types.
//!
//! The text is read strictly (finite decimal numbers in a bounded range, a bounded count)
//! and every problem is a message naming the offending value, shortened.

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::replay::figure_readout;
use super::{canvas, js_error};
use crate::experiment::cells::{landscape_from, Landscape};
use crate::plot::{landscape_records, landscape_svg, FigureLayout};

/// At most this many γ's (one colour each).
pub const MAX_GAMMAS: usize = 8;
/// Accepted γ's.
pub const GAMMA_MIN: f64 = 0.01;
pub const GAMMA_MAX: f64 = 100.0;
/// Accepted s(0) = c(0).
pub const INIT_MIN: f64 = 1e-12;
/// s(0) must start well below the SSL minimum: γ s(0)² at most this.
const MAX_START: f64 = 0.1;
/// Longest text read.
const MAX_TEXT: usize = 200;
/// Points per curve.
const POINTS: usize = 801;

/// At most 20 characters of `s`, for messages.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().filter(|c| !c.is_control()).take(20).collect();
    if s.chars().count() > 20 {
        q.push('…');
    }
    q
}

/// A finite number from `text`, or a message naming `what`.
fn number(text: &str, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{what} “{}” is not a finite number", quote(text))),
    }
}

/// The γ's of `text`: numbers separated by commas, semicolons or spaces.
pub fn parse_gammas(text: &str) -> Result<Vec<f64>, String> {
    if text.chars().count() > MAX_TEXT {
        return Err(format!("the γ list is longer than {MAX_TEXT} characters"));
    }
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!(
            "give 1 to {MAX_GAMMAS} values of γ, e.g. “1, 0.5, 0.25”"
        ));
    }
    if items.len() > MAX_GAMMAS {
        return Err(format!(
            "{} values of γ: give at most {MAX_GAMMAS}",
            items.len()
        ));
    }
    items
        .iter()
        .map(|item| {
            let g = number(item, "γ")?;
            if (GAMMA_MIN..=GAMMA_MAX).contains(&g) {
                Ok(g)
            } else {
                Err(format!(
                    "γ = {} is out of range: use values from {GAMMA_MIN} to {GAMMA_MAX}",
                    quote(item)
                ))
            }
        })
        .collect()
}

/// s(0) from `text`, small enough for every γ to start near the unstable point.
pub fn parse_init(text: &str, gammas: &[f64]) -> Result<f64, String> {
    let text = text.trim();
    let init = number(text, "s(0)")?;
    if init < INIT_MIN {
        return Err(format!(
            "s(0) = {} must be at least {INIT_MIN:e} (and positive)",
            quote(text)
        ));
    }
    let top = gammas.iter().copied().fold(0.0, f64::max);
    if top * init * init > MAX_START {
        let limit = (MAX_START / top).sqrt();
        return Err(format!(
            "s(0) = {} is not small for γ = {top}: use s(0) ≤ {limit:.3} (γ s(0)² ≤ {MAX_START})",
            quote(text)
        ));
    }
    Ok(init)
}

/// `v` as the shortest text that parses back to it, with an exponent below 1e-3.
fn short(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The landscapes, ready to draw.
#[wasm_bindgen]
pub struct SymmetryCell {
    ls: Landscape,
    /// Where the panels lay in the last drawing (hover readouts).
    layout: RefCell<FigureLayout>,
}

#[derive(Serialize)]
struct Mode {
    gamma: f64,
    ssl_tau: f64,
    supervised_half: f64,
}

#[derive(Serialize)]
struct Summary {
    gammas: String,
    init: f64,
    s_max: f64,
    modes: Vec<Mode>,
}

/// The landscapes for the γ's in `gammas` (text) from s(0) = c(0) = `init` (text); throws
/// with a message naming the first bad value. The s axis spans both minima of every γ.
#[wasm_bindgen]
pub fn symmetry_landscape(gammas: &str, init: &str) -> Result<SymmetryCell, JsValue> {
    let gammas = parse_gammas(gammas).map_err(js_error)?;
    let init = parse_init(init, &gammas).map_err(js_error)?;
    // SSL minima at ±γ^{-1/2}, the supervised one at c*/γ = 1/γ
    let reach = gammas
        .iter()
        .map(|g| (1.0 / g.sqrt()).max(1.0 / g))
        .fold(0.0, f64::max);
    let ls = landscape_from(&gammas, 1.25 * reach, POINTS, init);
    Ok(SymmetryCell {
        ls,
        layout: RefCell::default(),
    })
}

#[wasm_bindgen]
impl SymmetryCell {
    /// `{gammas, init, s_max, modes: [{gamma, ssl_tau, supervised_half}]}` as JSON text,
    /// `gammas` being the canonical text of the list (for share links).
    pub fn summary_json(&self) -> Result<String, JsValue> {
        let ls = &self.ls;
        let summary = Summary {
            gammas: self.gammas_text(),
            init: ls.init,
            s_max: ls.params.last().copied().unwrap_or(0.0),
            modes: ls
                .gammas
                .iter()
                .zip(ls.ssl_tau.iter().zip(&ls.supervised_half))
                .map(|(&gamma, (&ssl_tau, &supervised_half))| Mode {
                    gamma,
                    ssl_tau,
                    supervised_half,
                })
                .collect(),
        };
        serde_json::to_string(&summary).map_err(js_error)
    }

    /// The γ's as `1,0.5,0.25` (shortest decimals that read back the same).
    pub fn gammas_text(&self) -> String {
        let parts: Vec<String> = self.ls.gammas.iter().map(|&g| short(g)).collect();
        parts.join(",")
    }

    /// s(0) as the shortest decimal that reads back the same, e.g. `0.001` or `1e-6`.
    pub fn init_text(&self) -> String {
        short(self.ls.init)
    }

    /// Draws the figure onto `canvas` at its CSS size times devicePixelRatio.
    pub fn draw(&self, canvas: HtmlCanvasElement) -> Result<(), JsValue> {
        let layout = canvas::draw_symmetry(&canvas, &self.ls)?;
        *self.layout.try_borrow_mut().map_err(js_error)? = layout;
        Ok(())
    }

    /// What the pointer at backing-store pixel (x, y) of the last drawing reads, as JSON
    /// text `{panel, t, mode, experiment, theory, …}`: `t` is s (panel A) or the time
    /// (panel B), `mode` the γ (1-based) whose curve is nearest, `experiment` its SSL value
    /// and `theory` its supervised one, as drawn; `undefined` off the panels.
    pub fn readout(&self, x: f64, y: f64) -> Option<String> {
        let layout = self.layout.try_borrow().ok()?;
        let [(a, a_sup), (b, b_sup)] = landscape_records(&self.ls);
        let sources = [(&a[..], &a_sup[..]), (&b[..], &b_sup[..])];
        let r = figure_readout(&layout, &sources, x, y)?;
        serde_json::to_string(&r).ok()
    }

    /// The figure as a standalone SVG document.
    pub fn svg(&self) -> Result<String, JsValue> {
        landscape_svg(&self.ls, (1100, 420)).map_err(js_error)
    }
}
