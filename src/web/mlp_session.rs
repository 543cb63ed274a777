//! [`MlpSession`]: one prepared MLP run (cells "A wide network" and "Hidden representations
//! learn in steps too"), advanced in chunks from JavaScript like the linear session.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::js_error;
use super::mlp_engine::{start_cpu, start_mlp, MlpEngine, Started};
use super::mlp_figures::MlpFigure;
use super::mlp_query::{compact_mlp, mlp_config_from_source};
use super::mlp_summary::summarize;
use super::session::Progress;
use crate::experiment::mlp::{MlpConfig, MlpPrepared, MlpResult};
use crate::experiment::{record_grid, theory_records, RunError};
use crate::plot::FigureLayout;

/// What stopped a run, for the page: `diverged`, `gpu` (the device failed: restart on the
/// CPU) or `other`.
fn failure_kind(e: &RunError, on_gpu: bool) -> &'static str {
    match e {
        RunError::MlpDiverged { .. } => "diverged",
        RunError::Backend(_) if on_gpu => "gpu",
        _ => "other",
    }
}

pub(super) struct Inner {
    prep: MlpPrepared,
    /// The run; `None` while an `advance` holds it.
    engine: Option<MlpEngine>,
    /// What is drawn: records so far, the theory on the whole run's time grid.
    pub(super) live: MlpResult,
    /// The error that stopped the run and its kind, if any.
    failure: Option<(String, &'static str)>,
    step: u64,
    finished: bool,
    /// The device of a WebGPU run (kept while an advance holds the engine).
    gpu_device: Option<wgpu::Device>,
    /// The configuration as the page asked for it, and whether the CPU may shrink its data.
    source: MlpConfig,
    auto_size: bool,
    /// The configuration run (automatic `lr`/`steps` kept automatic; the CPU fallback's data).
    requested: MlpConfig,
    notice: String,
    /// Where the panels lay in the last drawing (hover readouts), and which figure it was.
    pub(super) layout: FigureLayout,
    pub(super) drawn: MlpFigure,
}

impl Inner {
    fn new(started: Started, source: MlpConfig, auto_size: bool) -> Self {
        let Started {
            engine,
            prep,
            notice,
            config,
        } = started;
        let mut live = engine.assemble(&prep);
        live.theory.records = theory_records(
            &prep.kernel.theory,
            &record_grid(prep.steps(), prep.config.record_every, prep.lr()),
        );
        Self {
            gpu_device: engine.gpu_device(),
            step: engine.step(),
            finished: engine.is_finished(),
            prep,
            engine: Some(engine),
            live,
            failure: None,
            source,
            auto_size,
            requested: config,
            notice,
            layout: FigureLayout::default(),
            drawn: MlpFigure::Run,
        }
    }

    /// Copies records the engine made since the last call into `live`; at the end, the
    /// complete result (alignment of the final embeddings).
    fn sync(&mut self) {
        let Some(engine) = &self.engine else { return };
        self.step = engine.step();
        self.finished = engine.is_finished();
        if self.finished {
            let full_theory = std::mem::take(&mut self.live.theory.records);
            self.live = engine.assemble(&self.prep);
            self.live.theory.records = full_theory;
            return;
        }
        let have = self.live.records.len();
        if let Some(new) = engine.records().get(have..) {
            self.live.records.extend_from_slice(new);
        }
        let have = self.live.hidden.len();
        if let Some(new) = engine.hidden_records().get(have..) {
            self.live.hidden.extend_from_slice(new);
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

    /// The result so far, exactly as `assemble_mlp` makes it (theory on the records' grid).
    pub(super) fn result(&self) -> MlpResult {
        let mut result = self.live.clone();
        result.theory.records = theory_records(&self.prep.kernel.theory, &result.records);
        result
    }
}

/// A prepared MLP run in the browser.
#[wasm_bindgen]
pub struct MlpSession {
    pub(super) inner: Rc<RefCell<Inner>>,
    notices: Vec<String>,
}

/// Prepares an MLP session from `source` (a share-link query or a JSON configuration).
/// `backend` is `"auto"` (WebGPU when an adapter can run it, else the CPU) or `"cpu"`;
/// `auto_size`: the reader did not size the run, so the CPU may run it on smaller data
/// (`experiment::mlp::cpu_fallback`). Throws with the
/// configuration's or the run's message when it cannot start.
#[wasm_bindgen]
pub async fn create_mlp_session(
    source: String,
    backend: String,
    auto_size: bool,
) -> Result<MlpSession, JsValue> {
    let (cfg, notices) = mlp_config_from_source(&source)?;
    let started = start_mlp(&cfg, &backend, auto_size)
        .await
        .map_err(js_error)?;
    Ok(MlpSession {
        inner: Rc::new(RefCell::new(Inner::new(started, cfg, auto_size))),
        notices,
    })
}

#[wasm_bindgen]
impl MlpSession {
    /// Runs about `budget_steps` more steps (whole recording intervals, at least one);
    /// resolves to `{step, total, finished, records}` or rejects with the run's error, which
    /// every later call repeats (`failure_kind()` says what kind).
    pub fn advance(&self, budget_steps: f64) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let budget = if budget_steps.is_finite() && budget_steps >= 1.0 {
            budget_steps as u64
        } else {
            1
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let taken = {
                let mut state = inner.try_borrow_mut().map_err(js_error)?;
                if let Some((message, _)) = &state.failure {
                    return Err(js_error(message));
                }
                state.engine.take()
            };
            let mut engine =
                taken.ok_or_else(|| js_error("advance() is already running for this run"))?;
            let outcome = engine.advance(budget).await;
            let mut state = inner.try_borrow_mut().map_err(js_error)?;
            let on_gpu = engine.is_gpu();
            state.engine = Some(engine);
            state.sync();
            if let Err(e) = outcome {
                let kind = failure_kind(&e, on_gpu);
                let message = match kind {
                    "gpu" => format!("the GPU stopped at step {}: {e}", state.step),
                    _ => e.to_string(),
                };
                state.failure = Some((message.clone(), kind));
                return Err(js_error(message));
            }
            serde_wasm_bindgen::to_value(&state.progress()).map_err(js_error)
        })
    }

    /// After a GPU failure: the same configuration started again on the CPU from step 0
    /// (on the CPU fallback's data unless the reader sized the run); resolves to the new
    /// progress. The backend notice says why.
    pub fn restart_on_cpu(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            let (cfg, auto_size, why) = {
                let state = inner.try_borrow().map_err(js_error)?;
                let why = state.failure.as_ref().map_or("restart requested", |f| &f.0);
                let why = format!("{why}; restarted on the CPU from step 0");
                (state.source.clone(), state.auto_size, why)
            };
            let started = start_cpu(&cfg, auto_size, &why).await.map_err(js_error)?;
            let fresh = Inner::new(started, cfg, auto_size);
            let progress = serde_wasm_bindgen::to_value(&fresh.progress()).map_err(js_error)?;
            *inner.try_borrow_mut().map_err(js_error)? = fresh;
            Ok(progress)
        })
    }

    /// Where the run stands: `{step, total, finished, records}`.
    pub fn progress(&self) -> Result<JsValue, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_wasm_bindgen::to_value(&state.progress()).map_err(js_error)
    }

    /// The result so far as JSON text, in the CLI's schema (`stepwise run fig2-bt --out`).
    pub fn result_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&state.result()).map_err(js_error)
    }

    /// `{loss_first, loss_last, crossings, tau, alignment, alignment_chance, hidden}` as
    /// JSON text (see `mlp_summary`).
    pub fn summary_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&summarize(&state.live)).map_err(js_error)
    }

    /// The name written into results, e.g. `cpu-f32` or `webgpu-f32 (…)`.
    pub fn backend_name(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| s.live.backend.clone())
    }

    /// `WebGPU: <adapter>` or `CPU (<why>)`, with the CPU fallback's data if it shrank them.
    pub fn backend_notice(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| s.notice.clone())
    }

    /// How many of the visitor's own images the photo patches were cut from (0: the
    /// bundled photos, or data that are not photo patches).
    pub fn local_images(&self) -> u32 {
        self.inner
            .try_borrow()
            .map_or(0, |s| s.prep.local_images.unwrap_or(0) as u32)
    }

    /// Whether the CPU fallback runs other data than the page asked for.
    pub fn reduced_for_cpu(&self) -> bool {
        self.inner
            .try_borrow()
            .is_ok_and(|s| s.requested != s.source)
    }

    /// What the run costs: JSON text `{steps, step_macs, record_macs, macs_per_second,
    /// seconds}` (`experiment::mlp::RunEstimate`) for the CPU in wasm, or `null` on WebGPU
    /// (its throughput depends on the adapter: the page shows the measured steps/s).
    pub fn estimate_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let estimate = state
            .gpu_device
            .is_none()
            .then(|| state.prep.config.cpu_estimate(state.prep.steps(), true));
        serde_json::to_string(&estimate).map_err(js_error)
    }

    /// Destroys the GPU device under a WebGPU run, as a lost device would be (tests of the
    /// restart on the CPU); false when the run is on the CPU.
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

    /// What was ignored while reading the share link, one message each.
    pub fn notices(&self) -> Vec<String> {
        self.notices.clone()
    }

    /// The error that stopped the run, if any.
    pub fn failure(&self) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        state.failure.as_ref().map(|(m, _)| m.clone())
    }

    /// `diverged`, `gpu` or `other` once the run has stopped on an error, else "".
    pub fn failure_kind(&self) -> String {
        let state = self.inner.try_borrow();
        state
            .ok()
            .and_then(|s| s.failure.as_ref().map(|(_, k)| (*k).to_string()))
            .unwrap_or_default()
    }

    /// The configuration run, as JSON text (automatic `lr`/`steps` kept automatic; the
    /// CPU fallback's data).
    pub fn config_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&state.requested).map_err(js_error)
    }

    /// The resolved configuration (`lr` and `steps` filled in), as JSON text.
    pub fn resolved_config_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&state.prep.config).map_err(js_error)
    }

    /// The shortest share-link query (without `?`, no cell prefix) of the run.
    pub fn share_query(&self) -> String {
        self.inner
            .try_borrow()
            .map_or_else(|_| String::new(), |s| compact_mlp(&s.requested))
    }
}
