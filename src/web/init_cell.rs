//! The cell "Any small init follows an aligned one" (Result 4.6): the same run from a random
//! W(0) and from the aligned W_al(0) with the same s_j(0), on the CPU.
//!
//! [`cells::init_comparison`] is one blocking computation on the page's thread, so it runs
//! only when its estimated time is within the limit the page passes (about a second unless
//! the reader allows more): the estimate counts the work of preparing the data twice and of
//! both runs, at costs measured in Chromium's wasm.

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::query::{compact, config_from_source};
use super::replay::figure_readout;
use super::{canvas, js_error};
use crate::experiment::cells::{self, InitComparison};
use crate::experiment::{Prepared, RunConfig, Solver};
use crate::plot::{init_comparison_svg, FigureLayout, FigureOptions};

// Costs in nanoseconds of Chromium's wasm on a 2020s x86 core (measured over planted and
// photo-patch runs with m from 8 to 1200 and d from 4 to 32; good to about 2x).

/// One prepare: the data, Γ (n·m² multiply-adds) and its eigendecomposition (~m³).
fn prepare_ns(cfg: &RunConfig) -> f64 {
    let (n, m) = (cfg.dataset.n as f64, cfg.dataset.m() as f64);
    0.8 * (n * m * m + m * m * m)
}

/// One gradient step of the configured solver (d x m weights).
fn step_ns(cfg: &RunConfig, m: f64) -> f64 {
    let d = cfg.d as f64;
    let common = 1.5 * d * d * m + 6.0 * d * m + 300.0;
    match cfg.solver {
        Solver::Eigenbasis | Solver::Truncated => common,
        Solver::Literal => common + d * m * m,
    }
}

/// Seconds of the two runs of [`cells::init_comparison`] (with the eigenvalues of C at
/// every record).
fn runs_seconds(prep: &Prepared) -> f64 {
    let cfg = &prep.config;
    let steps = prep.steps() as f64;
    let records = steps / cfg.record_every.max(1) as f64;
    let d = cfg.d as f64;
    let run = steps * step_ns(cfg, prep.pairs.m as f64) + records * (1500.0 + 20.0 * d * d * d);
    2.0 * run * 1e-9
}

fn too_slow(seconds: f64, what: &str, max_seconds: f64) -> JsValue {
    js_error(format!(
        "this comparison would block the page for about {} ({what}); the limit is {}. \
         Pick a smaller configuration (the planted or small preset, a smaller d or crop) \
         or allow long runs.",
        duration(seconds),
        duration(max_seconds)
    ))
}

fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{seconds:.0} s")
    }
}

/// The comparison, ready to draw.
#[wasm_bindgen]
pub struct InitCell {
    cmp: InitComparison,
    requested: RunConfig,
    notices: Vec<String>,
    estimated_seconds: f64,
    /// Where the panels lay in the last drawing (hover readouts).
    layout: RefCell<FigureLayout>,
}

#[derive(Serialize)]
struct Summary<'a> {
    max_gap: f64,
    aligned_theory_gap: f64,
    steps: u64,
    records: usize,
    lr: f64,
    gamma: &'a [f64],
    s0: &'a [f64],
    tau: &'a [Option<f64>],
    estimated_seconds: f64,
}

/// Runs the comparison for `source` (a JSON configuration or a share-link query), unless
/// its estimated time exceeds `max_seconds`: then it throws saying how long it would take.
/// Throws with the configuration's or the run's message when it cannot run.
#[wasm_bindgen]
pub fn compute_init(source: &str, max_seconds: f64) -> Result<InitCell, JsValue> {
    let max_seconds = if max_seconds.is_finite() && max_seconds > 0.0 {
        max_seconds
    } else {
        1.0
    };
    let (requested, notices) = config_from_source(source)?;
    requested.validate().map_err(js_error)?;
    let (n, m) = (requested.dataset.n, requested.dataset.m());
    // preparing twice: here, for the step count, and inside init_comparison
    let data = 2.0 * prepare_ns(&requested) * 1e-9;
    if data > max_seconds {
        return Err(too_slow(
            data,
            &format!("Γ of n = {n} pairs, m = {m}"),
            max_seconds,
        ));
    }
    let prep = cells::prepare_init(&requested).map_err(js_error)?;
    let estimated_seconds = data + runs_seconds(&prep);
    if estimated_seconds > max_seconds {
        let what = format!(
            "2 runs of {} steps at d = {}, m = {m}",
            prep.steps(),
            requested.d
        );
        return Err(too_slow(estimated_seconds, &what, max_seconds));
    }
    drop(prep);
    let cmp = cells::init_comparison(&requested).map_err(js_error)?;
    Ok(InitCell {
        cmp,
        requested,
        notices,
        estimated_seconds,
        layout: RefCell::default(),
    })
}

#[wasm_bindgen]
impl InitCell {
    /// Largest |λ_j(random) − λ_j(aligned)| over all records and modes.
    pub fn max_gap(&self) -> f64 {
        self.cmp.max_gap()
    }

    /// Largest |λ_j(aligned) − λ_j(theory)|.
    pub fn aligned_theory_gap(&self) -> f64 {
        self.cmp.max_aligned_theory_gap()
    }

    /// `{max_gap, aligned_theory_gap, steps, records, lr, gamma, s0, tau,
    /// estimated_seconds}` as JSON text.
    pub fn summary_json(&self) -> Result<String, JsValue> {
        let summary = Summary {
            max_gap: self.cmp.max_gap(),
            aligned_theory_gap: self.cmp.max_aligned_theory_gap(),
            steps: self.cmp.config.steps.unwrap_or(0),
            records: self.cmp.random.len(),
            lr: self.cmp.config.lr.unwrap_or(0.0),
            gamma: &self.cmp.gamma,
            s0: &self.cmp.s0,
            tau: &self.cmp.tau,
            estimated_seconds: self.estimated_seconds,
        };
        serde_json::to_string(&summary).map_err(js_error)
    }

    /// Draws the comparison onto `canvas` at its CSS size times devicePixelRatio.
    pub fn draw(&self, canvas: HtmlCanvasElement, log_time: bool) -> Result<(), JsValue> {
        let layout = canvas::draw_init(&canvas, &self.cmp, log_time)?;
        *self.layout.try_borrow_mut().map_err(js_error)? = layout;
        Ok(())
    }

    /// What the pointer at backing-store pixel (x, y) of the last drawing reads, as JSON
    /// text `{panel, kind, t, step, mode, experiment, theory, …}`: on panel A `experiment`
    /// is the random start's λ_j and `theory` the aligned start's, on panel B `experiment`
    /// is their difference; `undefined` off the panels.
    pub fn readout(&self, x: f64, y: f64) -> Option<String> {
        let layout = self.layout.try_borrow().ok()?;
        let gaps = self.cmp.gap_records();
        let sources = [
            (&self.cmp.random[..], &self.cmp.aligned[..]),
            (&gaps[..], &[][..]),
        ];
        let r = figure_readout(&layout, &sources, x, y)?;
        serde_json::to_string(&r).ok()
    }

    /// The figure as a standalone SVG document.
    pub fn svg(&self, log_time: bool) -> Result<String, JsValue> {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        init_comparison_svg(&self.cmp, &opts).map_err(js_error)
    }

    /// The configuration as requested, as JSON text.
    pub fn config_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.requested).map_err(js_error)
    }

    /// The shortest share-link query of the requested configuration (`preset=…&…`).
    pub fn share_query(&self) -> String {
        compact(&self.requested)
    }

    /// What was ignored while reading a share-link query, one message each.
    pub fn notices(&self) -> Vec<String> {
        self.notices.clone()
    }
}
