//! [`AppgSession`]: one comparison of Appendix G's loss variants (cell "Can SSL learn
//! faster?"), advanced in budgets of steps from JavaScript like the MLP session, with its
//! figure, table and downloads.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::appg_engine::{start_appg, start_cpu, AppgEngine, Started};
use super::appg_query::{appg_config_from_source, compact_appg};
use super::replay::figure_readout;
use super::{canvas, js_error};
use crate::experiment::appg::{AppgConfig, AppgResult, ComparisonRow, Policy};
use crate::experiment::RunError;
use crate::plot::{
    appg_bar_readout, appg_figure_svg, appg_readout_sources, AppgFigureOptions, BarReadout,
    FigureLayout, PanelKind,
};

/// A bar panel readout with its panel index (`kind` is always `bars`).
#[derive(Serialize)]
struct BarPanelReadout {
    panel: usize,
    kind: PanelKind,
    #[serde(flatten)]
    bar: BarReadout,
}

/// Where a comparison stands, as returned to JavaScript.
#[derive(Serialize)]
struct Progress {
    /// Runs and stable-η searches done, of `total`.
    done: u32,
    total: u32,
    /// What runs now, e.g. `sharp: probing η = 1.2e-2 for stability`.
    current: String,
    /// Rows finished (the table's length).
    rows: u32,
    finished: bool,
}

struct Inner {
    /// The comparison; `None` while an `advance` holds it.
    engine: Option<AppgEngine>,
    /// The finished rows (speedups filled in), refreshed when a row finishes.
    live: AppgResult,
    /// The row still running, as far as it got.
    current: Option<ComparisonRow>,
    progress: Progress,
    /// The error that stopped the comparison, if any.
    failure: Option<String>,
    notice: String,
    /// The device of a WebGPU comparison (kept while an advance holds the engine).
    gpu_device: Option<wgpu::Device>,
    /// Where the variant panels lay in the last drawing, and the policy drawn.
    layout: (FigureLayout, Policy),
}

impl Inner {
    fn new(started: Started) -> Self {
        let Started { engine, notice } = started;
        let mut inner = Self {
            layout: (FigureLayout::default(), Policy::Equal),
            gpu_device: engine.gpu_device().cloned(),
            live: engine.result(),
            engine: Some(engine),
            current: None,
            progress: Progress {
                done: 0,
                total: 0,
                current: String::new(),
                rows: 0,
                finished: false,
            },
            failure: None,
            notice,
        };
        inner.sync();
        inner
    }

    /// Takes what the engine did since the last call: progress, the running row and, when
    /// a row finished (or all did), the result.
    fn sync(&mut self) {
        let Some(engine) = &self.engine else { return };
        let p = engine.progress();
        let finished = engine.is_finished();
        let rows = engine.rows_done();
        if rows != self.live.rows.len() || finished {
            self.live = engine.result();
        }
        self.current = engine.current_row();
        self.progress = Progress {
            done: p.done as u32,
            total: p.total as u32,
            current: p.current,
            rows: rows as u32,
            finished,
        };
    }
}

/// `stable` for the variants' own stable η, anything else for the baseline's η.
fn policy(name: &str) -> Policy {
    if name == "stable" {
        Policy::Stable
    } else {
        Policy::Equal
    }
}

/// A comparison in the browser.
#[wasm_bindgen]
pub struct AppgSession {
    inner: Rc<RefCell<Inner>>,
    /// The configuration as the page asked for it.
    requested: AppgConfig,
    notices: Vec<String>,
}

/// Prepares a comparison from `source` (a share-link query or a JSON configuration).
/// `backend` is `"auto"` (WebGPU when an adapter can run it) or `"cpu"`.
/// Throws with the configuration's or the data's message when it cannot start.
#[wasm_bindgen]
pub async fn create_appg_session(source: String, backend: String) -> Result<AppgSession, JsValue> {
    let (requested, notices) = appg_config_from_source(&source)?;
    let started = start_appg(&requested, &backend).await.map_err(js_error)?;
    Ok(AppgSession {
        inner: Rc::new(RefCell::new(Inner::new(started))),
        requested,
        notices,
    })
}

#[wasm_bindgen]
impl AppgSession {
    /// Runs about `budget_steps` more steps (runs and stability probes alike, at least one
    /// recording interval); resolves to `{done, total, current, rows, finished}` or rejects
    /// with the error, which every later call repeats. A diverging row is not an error: it
    /// becomes a row with a `failure`. When the GPU fails (a lost device) the comparison
    /// starts again on the CPU, and the backend notice says why.
    pub fn advance(&self, budget_steps: f64) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let requested = self.requested.clone();
        let budget = if budget_steps.is_finite() && budget_steps >= 1.0 {
            budget_steps as u64
        } else {
            1
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let taken = {
                let mut state = inner.try_borrow_mut().map_err(js_error)?;
                if let Some(message) = &state.failure {
                    return Err(js_error(message));
                }
                state.engine.take()
            };
            let mut engine = taken
                .ok_or_else(|| js_error("advance() is already running for this comparison"))?;
            let outcome = engine.advance(budget).await;
            let on_gpu = engine.gpu_device().is_some();
            let mut state = inner.try_borrow_mut().map_err(js_error)?;
            state.engine = Some(engine);
            state.sync();
            if let (Err(e @ RunError::Backend(_)), true) = (&outcome, on_gpu) {
                let why = format!("the GPU stopped: {e}; restarted on the CPU from the start");
                *state = Inner::new(start_cpu(&requested, &why).map_err(js_error)?);
                return serde_wasm_bindgen::to_value(&state.progress).map_err(js_error);
            }
            if let Err(e) = outcome {
                let message = e.to_string();
                state.failure = Some(message.clone());
                return Err(js_error(message));
            }
            serde_wasm_bindgen::to_value(&state.progress).map_err(js_error)
        })
    }

    /// Destroys the GPU device under a WebGPU comparison, as a lost device would be (tests of
    /// the restart on the CPU); false when it runs on the CPU.
    pub fn simulate_gpu_loss(&self) -> bool {
        let Ok(state) = self.inner.try_borrow() else {
            return false;
        };
        match &state.gpu_device {
            Some(device) => {
                device.destroy();
                true
            }
            None => false,
        }
    }

    /// Where the comparison stands: `{done, total, current, rows, finished}`.
    pub fn progress(&self) -> Result<JsValue, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_wasm_bindgen::to_value(&state.progress).map_err(js_error)
    }

    /// Draws the comparison (finished rows and the one running) onto `canvas` at its CSS
    /// size times devicePixelRatio; `policy` (`equal` or `stable`) picks the variant
    /// panels' rows.
    pub fn draw(
        &self,
        canvas: HtmlCanvasElement,
        policy_name: &str,
        log_steps: bool,
    ) -> Result<(), JsValue> {
        let mut state = self.inner.try_borrow_mut().map_err(js_error)?;
        let (live, current) = (&state.live, state.current.as_ref());
        let policy = policy(policy_name);
        let layout = canvas::draw_appg(&canvas, live, current, policy, log_steps)?;
        state.layout = (layout, policy);
        Ok(())
    }

    /// What the pointer at backing-store pixel (x, y) of the last drawing reads, as JSON
    /// text: on a variant panel `{panel, kind: "modes", t, step, mode, experiment, theory,
    /// …}` (`t` is the step, `experiment` the variant's λ_j, `theory` the baseline's); on
    /// the bar panel `{panel, kind: "bars", variant, policy, eta, steps_to_all,
    /// baseline_steps_to_all, relative, label}`; `undefined` elsewhere.
    pub fn readout(&self, x: f64, y: f64) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        let (layout, policy) = &state.layout;
        if let Some((panel, geo)) = layout.panel_at(x, y) {
            if geo.kind == PanelKind::Bars {
                let bar = appg_bar_readout(&state.live, state.current.as_ref(), geo.value_at(y))?;
                let kind = geo.kind;
                return serde_json::to_string(&BarPanelReadout { panel, kind, bar }).ok();
            }
        }
        let owned = appg_readout_sources(&state.live, state.current.as_ref(), *policy);
        let sources: Vec<_> = owned.iter().map(|(r, b)| (&r[..], &b[..])).collect();
        let r = figure_readout(layout, &sources, x, y)?;
        serde_json::to_string(&r).ok()
    }

    /// The figure of the finished rows as a standalone SVG document.
    pub fn svg(&self, policy_name: &str, log_steps: bool) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let opts = AppgFigureOptions {
            policy: policy(policy_name),
            log_steps,
            ..AppgFigureOptions::default()
        };
        appg_figure_svg(&state.live, &opts).map_err(js_error)
    }

    /// The finished rows as JSON text in the CLI's schema (`stepwise compare appg --out`):
    /// the table without the recorded curves, or with them (`--curves`).
    pub fn result_json(&self, curves: bool) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let result = if curves {
            serde_json::to_string(&state.live)
        } else {
            serde_json::to_string(&state.live.table())
        };
        result.map_err(js_error)
    }

    /// The name written into results, e.g. `cpu-f32-eigenbasis` (empty before any run).
    pub fn backend_name(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| s.live.backend.clone())
    }

    /// How many of the visitor's own images the photo patches were cut from (0: the
    /// bundled photos, or data that are not photo patches).
    pub fn local_images(&self) -> u32 {
        self.inner
            .try_borrow()
            .map_or(0, |s| s.live.local_images.unwrap_or(0) as u32)
    }

    /// `CPU (<why>)`: which backend runs the comparison and why.
    pub fn backend_notice(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| s.notice.clone())
    }

    /// What was ignored while reading the share link, one message each.
    pub fn notices(&self) -> Vec<String> {
        self.notices.clone()
    }

    /// The error that stopped the comparison, if any.
    pub fn failure(&self) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        state.failure.clone()
    }

    /// The configuration as requested (automatic `run.lr`/`run.steps` kept automatic), as
    /// JSON text.
    pub fn config_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.requested).map_err(js_error)
    }

    /// The shortest share-link query (without `?`, no cell prefix) of the comparison.
    pub fn share_query(&self) -> String {
        compact_appg(&self.requested)
    }
}
