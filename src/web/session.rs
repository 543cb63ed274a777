//! [`LinearSession`]: one prepared linear run, advanced in chunks from JavaScript.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::directions::directions;
use super::engine::{pick_engine, Engine};
use super::probe::AdapterRequest;
use super::query::config_from_source;
use super::snapshots::Snapshots;
use super::{canvas, export, js_error, local_photos};
use crate::experiment::share::config_to_query;
use crate::experiment::{
    crossing_times, prepare_with_photos, record_grid, theory_records, Prepared, RunConfig,
    RunError, RunResult,
};
use crate::plot::{linear_figure_svg, FigureLayout, FigureOptions};

pub(super) struct Inner {
    pub(super) prep: Prepared,
    /// The run; `None` while an `advance` holds it.
    engine: Option<Engine>,
    /// What is drawn: the records so far, with the theory on the whole run's time grid.
    pub(super) live: RunResult,
    /// W at up to 64 record steps so far, for replaying the learned directions.
    pub(super) snapshots: Snapshots,
    /// Where the panels lay in the last drawing (hover readouts).
    pub(super) layout: FigureLayout,
    /// The error that stopped the run, if any.
    failure: Option<String>,
    /// Steps done and whether the run is complete, as of the last advance.
    step: u64,
    finished: bool,
    /// Set when the GPU failed mid-run and the CPU took over: the new backend notice.
    fallback: Option<String>,
    /// The device of a WebGPU run (kept while an advance holds the engine).
    gpu_device: Option<wgpu::Device>,
}

impl Inner {
    /// Copies records the engine made since the last call into `live`.
    fn sync(&mut self) {
        if let Some(engine) = &self.engine {
            self.step = engine.step();
            self.finished = engine.is_finished();
            let have = self.live.records.len();
            if let Some(new) = engine.records().get(have..) {
                self.live.records.extend_from_slice(new);
            }
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            step: self.step as f64,
            total: self.prep.steps() as f64,
            finished: self.finished,
            records: self.live.records.len() as u32,
        }
    }
}

/// Where a run stands, as returned to JavaScript by `advance` (linear and MLP sessions).
#[derive(Serialize)]
pub(super) struct Progress {
    pub step: f64,
    pub total: f64,
    pub finished: bool,
    pub records: u32,
}

/// A prepared linear run in the browser.
#[wasm_bindgen]
pub struct LinearSession {
    pub(super) inner: Rc<RefCell<Inner>>,
    requested: RunConfig,
    notices: Vec<String>,
    backend_notice: String,
}

/// Prepares a session from `source`, a share-link query or a JSON configuration.
/// `backend` is `"auto"` (WebGPU when an adapter is available, else the CPU) or `"cpu"`.
/// Throws with the configuration's or the run's message when it cannot start.
#[wasm_bindgen]
pub async fn create_session(source: String, backend: String) -> Result<LinearSession, JsValue> {
    let (requested, mut notices) = config_from_source(&source)?;
    // asked before the synchronous prepare, answered after it
    let adapter = if backend == "cpu" {
        AdapterRequest::not_asked()
    } else {
        AdapterRequest::start()
    };
    let photos = local_photos::active();
    let prep =
        prepare_with_photos(&requested, photos.as_deref().map(Vec::as_slice)).map_err(js_error)?;
    if let (Some(photos), Some(_)) = (&photos, prep.local_images) {
        notices.extend(local_photos::notices(photos, requested.dataset.base));
    }
    let (engine, backend_notice) = pick_engine(&prep, &backend, adapter)
        .await
        .map_err(js_error)?;
    let mut live = engine.assemble(&prep);
    live.theory.records = theory_records(
        &prep.theory,
        &record_grid(prep.steps(), prep.config.record_every, prep.lr()),
    );
    let inner = Inner {
        snapshots: Snapshots::plan(&prep),
        layout: FigureLayout::default(),
        gpu_device: engine.gpu_device(),
        step: engine.step(),
        finished: engine.is_finished(),
        prep,
        engine: Some(engine),
        live,
        failure: None,
        fallback: None,
    };
    Ok(LinearSession {
        inner: Rc::new(RefCell::new(inner)),
        requested,
        notices,
        backend_notice,
    })
}

impl LinearSession {
    /// The prepared run (the data as used, W(0), the resolved configuration): the exports'
    /// source.
    pub(super) fn prepared(&self) -> Result<std::cell::Ref<'_, Prepared>, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        Ok(std::cell::Ref::map(state, |s| &s.prep))
    }
}

#[wasm_bindgen]
impl LinearSession {
    /// Runs about `budget_steps` more steps (whole recording intervals, at least one);
    /// resolves to `{step, total, finished, records}` or rejects with the run's error
    /// (e.g. divergence), which every later call repeats.
    pub fn advance(&self, budget_steps: f64) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let budget = if budget_steps.is_finite() && budget_steps >= 1.0 {
            budget_steps as u64
        } else {
            1
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let (taken, mut snapshots) = {
                let mut state = inner.try_borrow_mut().map_err(js_error)?;
                if let Some(message) = &state.failure {
                    return Err(js_error(message));
                }
                (state.engine.take(), std::mem::take(&mut state.snapshots))
            };
            let mut engine =
                taken.ok_or_else(|| js_error("advance() is already running for this run"))?;
            let mut outcome = snapshots.advance(&mut engine, budget).await;
            let mut fallback = None;
            if let (Err(RunError::Backend(e)), true) = (&outcome, engine.is_gpu()) {
                let why = e.to_string();
                let prep = inner.try_borrow().map_err(js_error)?.prep.clone();
                let step = engine.step();
                engine = Engine::cpu_at(&prep, step).await.map_err(js_error)?;
                outcome = Ok(engine.is_finished());
                fallback = Some(format!(
                    "CPU (the GPU stopped at step {step}: {why}; the run continues on the CPU)"
                ));
            }
            let mut state = inner.try_borrow_mut().map_err(js_error)?;
            if fallback.is_some() {
                state.live.backend = engine.name();
                state.fallback = fallback;
            }
            state.engine = Some(engine);
            state.snapshots = snapshots;
            state.sync();
            if let Err(e) = outcome {
                state.failure = Some(e.to_string());
                return Err(js_error(e));
            }
            serde_wasm_bindgen::to_value(&state.progress()).map_err(js_error)
        })
    }

    /// What W has learned so far, next to the theory (SSL as kernel PCA): resolves to JSON
    /// text `{d, m, crop, learned, theory, gamma_learned, gamma_theory, overlap}`, with
    /// `learned` and `theory` row-major d x m.
    pub fn directions(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            let taken = inner.try_borrow_mut().map_err(js_error)?.engine.take();
            let mut engine = taken.ok_or_else(|| js_error("the run is busy: try again"))?;
            let w = engine.weights().await;
            let mut state = inner.try_borrow_mut().map_err(js_error)?;
            state.engine = Some(engine);
            let found = directions(&state.prep, &w.map_err(js_error)?).map_err(js_error)?;
            let json = serde_json::to_string(&found).map_err(js_error)?;
            Ok(JsValue::from_str(&json))
        })
    }

    /// Where the run stands: `{step, total, finished, records}`.
    pub fn progress(&self) -> Result<JsValue, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_wasm_bindgen::to_value(&state.progress()).map_err(js_error)
    }

    /// Draws Figure 1 A/B (records so far, full theory) onto `canvas`, sized to its CSS box
    /// times devicePixelRatio, with the replay cursor at time `cursor` when given; keeps
    /// where the panels lie for `readout`.
    pub fn draw(
        &self,
        canvas: HtmlCanvasElement,
        log_time: bool,
        cursor: Option<f64>,
    ) -> Result<(), JsValue> {
        let mut state = self.inner.try_borrow_mut().map_err(js_error)?;
        state.layout = canvas::draw_linear(&canvas, &state.live, log_time, cursor)?;
        Ok(())
    }

    /// The result so far, exactly as `experiment::assemble` makes it (from the copy of the
    /// records kept for drawing, so it is available while an advance is in flight).
    fn result(&self) -> Result<RunResult, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let mut result = state.live.clone();
        result.theory.records = theory_records(&state.prep.theory, &result.records);
        result.data_digest = state.prep.data_digest();
        Ok(result)
    }

    /// When each eigenvalue of C first reached `threshold` so far, linear in t of λ between
    /// the records around it (`RunResult::crossing_times`): JSON text, an array of t or null.
    pub fn crossing_times_json(&self, threshold: f64) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let d = state.prep.config.d;
        let times = crossing_times(&state.live.records, d, threshold);
        serde_json::to_string(&times).map_err(js_error)
    }

    /// The result so far as JSON text, in the CLI's schema.
    pub fn result_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.result()?).map_err(js_error)
    }

    /// The records so far as CSV, next to the theory.
    pub fn records_csv(&self) -> Result<String, JsValue> {
        Ok(export::records_csv(&self.result()?))
    }

    /// The figure as a standalone SVG document.
    pub fn svg(&self, log_time: bool) -> Result<String, JsValue> {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        linear_figure_svg(&self.result()?, &opts).map_err(js_error)
    }

    /// The name written into results, e.g. `cpu-f32-eigenbasis`.
    pub fn backend_name(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| s.live.backend.clone())
    }

    /// `WebGPU: <adapter>` or `CPU (<why>)`; after a GPU failure, the CPU fallback's notice.
    pub fn backend_notice(&self) -> String {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|s| s.fallback.clone())
            .unwrap_or_else(|| self.backend_notice.clone())
    }

    /// Destroys the GPU device under a WebGPU run, as a lost device would be (tests of the
    /// CPU fallback); false when the run is on the CPU.
    pub fn simulate_gpu_loss(&self) -> bool {
        let Ok(state) = self.inner.try_borrow() else {
            return false;
        };
        match (&state.gpu_device, &state.fallback) {
            (Some(device), None) => {
                device.destroy();
                true
            }
            _ => false,
        }
    }

    /// How many of the visitor's own images the run's photo patches come from (0: the
    /// bundled photos or a dataset without photos).
    pub fn local_images(&self) -> u32 {
        self.inner
            .try_borrow()
            .map_or(0, |s| s.prep.local_images.unwrap_or(0) as u32)
    }

    /// What was ignored while reading the share link, one message each.
    pub fn notices(&self) -> Vec<String> {
        self.notices.clone()
    }

    /// The error that stopped the run, if any.
    pub fn failure(&self) -> Option<String> {
        self.inner.try_borrow().ok().and_then(|s| s.failure.clone())
    }

    /// The configuration as requested (automatic `lr`/`steps` kept automatic), as JSON text.
    pub fn config_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.requested).map_err(js_error)
    }

    /// The resolved configuration (`lr` and `steps` filled in), as JSON text.
    pub fn resolved_config_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&state.prep.config).map_err(js_error)
    }

    /// The share-link query (without `?`) of the requested configuration.
    pub fn share_query(&self) -> String {
        config_to_query(&self.requested)
    }
}
