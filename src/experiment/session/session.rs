//! [`Session`]: one cell's run as a state machine, advanced by steps or by time, with the
//! one GPU-loss policy; [`Opening`]: a session before its engine starts.

use serde::Serialize;

use super::cell::{Cell, EngineOf};
use super::choice::{choose_backend, AdapterInfo, BackendChoice, BackendKind, BackendWant, Why};
use super::engine::Engine;
use super::error::{ErrorKind, SessionError};
use super::stepper::Stepper;
use crate::data::photos::Photo;
use crate::experiment::RunError;
use crate::gpu::GpuContext;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Configured, nothing computed.
    Idle,
    /// Prepared (data, Γ, theory), the engine not started yet.
    Preparing,
    /// The reader pressed Run: the page keeps advancing it.
    Running,
    /// Started and waiting (also after Pause, and between single steps).
    Paused,
    Finished,
    /// Stopped on an error, which every later call repeats.
    Failed,
}

/// Where a run stands, for the page (`{state, step, total, finished, records, done?,
/// current?, rows?}`; steps as f64 so that JavaScript reads numbers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub state: SessionState,
    pub step: f64,
    pub total: f64,
    pub finished: bool,
    pub records: u32,
    /// A comparison's tasks done (of `total_tasks`), what runs now and the rows finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tasks: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u32>,
}

/// The failure that stopped a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

/// Milliseconds since some origin (the web: `performance.now()`; tests: a fake clock).
pub trait Clock {
    fn now_ms(&self) -> f64;
}

/// A session configured but not started: [`Opening::prepare`] then [`Opening::start`].
pub struct Opening<K: Cell> {
    cell: K,
    config: K::Config,
    prep: Option<K::Prepared>,
}

impl<K: Cell> Opening<K> {
    pub fn new(cell: K, config: K::Config) -> Self {
        Self {
            cell,
            config,
            prep: None,
        }
    }

    pub fn state(&self) -> SessionState {
        match self.prep {
            None => SessionState::Idle,
            Some(_) => SessionState::Preparing,
        }
    }

    /// The synchronous heavy part ([`Cell::prepare`]).
    pub fn prepare(&mut self, photos: Option<&[Photo]>) -> Result<(), SessionError> {
        self.prep = Some(self.cell.prepare(&self.config, photos)?);
        Ok(())
    }

    /// Picks the backend for `want` (`adapter`: the WebGPU adapter, or why there is none)
    /// and starts the engine: the GPU when chosen and able, else the CPU saying why.
    pub async fn start(
        mut self,
        want: BackendWant,
        adapter: Result<AdapterInfo, String>,
    ) -> Result<Session<K>, SessionError> {
        let prep = match self.prep.take() {
            Some(prep) => prep,
            None => self.cell.prepare(&self.config, None)?,
        };
        let cell = self.cell;
        let mut choice = match cell.cpu_only(&prep) {
            Some(what) => BackendChoice::cpu(Why::OnlyOnCpu { what }),
            None => {
                let estimate = |kind| {
                    adapter
                        .as_ref()
                        .ok()
                        .and_then(|a| cell.estimate(&prep, kind, a))
                };
                let cpu = estimate(BackendKind::Cpu);
                let gpu = estimate(BackendKind::WebGpu);
                choose_backend(want, cpu, gpu, &adapter)
            }
        };
        if choice.kind == BackendKind::WebGpu {
            match start_gpu(&cell, &prep).await {
                Ok(gpu) => return Ok(Session::new(cell, prep, Engine::Gpu(gpu), choice)),
                Err(error) => {
                    choice.kind = BackendKind::Cpu;
                    choice.why = Why::GpuCannotRun { error };
                }
            }
        }
        let cpu = cell.start_cpu(&prep).await?;
        Ok(Session::new(cell, prep, Engine::Cpu(cpu), choice))
    }
}

/// The GPU stepper on a new device, or why it could not start.
async fn start_gpu<K: Cell>(cell: &K, prep: &K::Prepared) -> Result<K::Gpu, String> {
    let ctx = GpuContext::new().await.map_err(|e| e.to_string())?;
    cell.start_gpu(&ctx, prep).await.map_err(|e| e.to_string())
}

/// Chunk sizes for a time budget: steps per millisecond as last measured.
#[derive(Debug, Default, Clone, Copy)]
struct Slicer {
    steps_per_ms: Option<f64>,
}

impl Slicer {
    /// Steps for `millis`: at least `min` (one recording interval), at most `left`.
    fn chunk(&self, millis: f64, min: u64, left: u64) -> u64 {
        let want = match self.steps_per_ms {
            Some(rate) => (rate * millis.max(0.0)).floor() as u64,
            None => min,
        };
        want.max(min).min(left.max(1))
    }

    fn observe(&mut self, steps: u64, millis: f64) {
        if steps > 0 && millis > 0.0 {
            self.steps_per_ms = Some(steps as f64 / millis);
        }
    }
}

/// One cell's run: prepared data, the engine, the backend choice and what is drawn.
pub struct Session<K: Cell> {
    cell: K,
    prep: K::Prepared,
    engine: EngineOf<K>,
    choice: BackendChoice,
    choice_changed: bool,
    live: K::Live,
    extras: K::Extras,
    state: SessionState,
    failure: Option<Failure>,
    slicer: Slicer,
}

impl<K: Cell> Session<K> {
    /// A started session (Paused, or Finished for an engine already done).
    pub fn new(cell: K, prep: K::Prepared, engine: EngineOf<K>, choice: BackendChoice) -> Self {
        let live = cell.live(&prep, &engine);
        let extras = cell.extras(&prep);
        let state = if engine.is_finished() {
            SessionState::Finished
        } else {
            SessionState::Paused
        };
        Self {
            cell,
            prep,
            engine,
            choice,
            choice_changed: false,
            live,
            extras,
            state,
            failure: None,
            slicer: Slicer::default(),
        }
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Run pressed: Running until paused, finished or failed.
    pub fn resume(&mut self) -> Result<(), SessionError> {
        self.check()?;
        if self.state == SessionState::Paused {
            self.state = SessionState::Running;
        }
        Ok(())
    }

    /// Pause pressed.
    pub fn pause(&mut self) {
        if self.state == SessionState::Running {
            self.state = SessionState::Paused;
        }
    }

    /// The stored failure, as an error.
    fn check(&self) -> Result<(), SessionError> {
        match &self.failure {
            Some(f) => Err(SessionError::Stopped {
                kind: f.kind,
                message: f.message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Runs about `steps` more steps (at least one recording interval). A GPU failure
    /// resumes the run on the CPU at the same step ([`Why::GpuLost`]); any other error
    /// fails the session, and every later call repeats it.
    pub async fn advance(&mut self, steps: u64) -> Result<Progress, SessionError> {
        self.check()?;
        if !self.engine.is_finished() {
            let outcome = self.step_engine(steps.max(1)).await;
            let outcome = match outcome {
                Err(RunError::Backend(e)) if self.engine.is_gpu() => {
                    self.gpu_lost(e.to_string()).await
                }
                other => other,
            };
            self.cell.sync(&mut self.live, &self.prep, &self.engine);
            if let Err(e) = outcome {
                self.state = SessionState::Failed;
                let failure = Failure {
                    kind: ErrorKind::of(&e),
                    message: e.to_string(),
                };
                self.failure = Some(failure);
                return Err(e.into());
            }
        }
        if self.engine.is_finished() {
            self.state = SessionState::Finished;
        }
        Ok(self.progress())
    }

    /// Advances the engine by `budget` steps, stopping at the cell's checkpoints.
    async fn step_engine(&mut self, budget: u64) -> Result<(), RunError> {
        let mut done = 0;
        loop {
            self.cell
                .checkpoint(&mut self.extras, &mut self.engine)
                .await?;
            let start = self.engine.step();
            let mut chunk = budget - done;
            if let Some(stop) = self.cell.next_stop(&self.extras, start) {
                chunk = chunk.min(stop.saturating_sub(start));
            }
            let finished = self.engine.advance(chunk.max(1)).await?;
            done += self.engine.step() - start;
            if finished || done >= budget || self.engine.step() == start {
                return self
                    .cell
                    .checkpoint(&mut self.extras, &mut self.engine)
                    .await;
            }
        }
    }

    /// The GPU failed with `error`: the same run on the CPU at the same step.
    async fn gpu_lost(&mut self, error: String) -> Result<(), RunError> {
        let Engine::Gpu(gpu) = &self.engine else {
            return Ok(());
        };
        let step = gpu.step();
        let cpu = self.cell.resume_cpu(&self.prep, gpu, step).await?;
        self.engine = Engine::Cpu(cpu);
        self.choice.kind = BackendKind::Cpu;
        self.choice.why = Why::GpuLost { step, error };
        self.choice.measured_step_ms = None;
        self.choice_changed = true;
        self.slicer = Slicer::default();
        Ok(())
    }

    /// Runs steps for about `millis` of `clock`'s time: chunks sized by the steps per
    /// millisecond measured so far (the first one recording interval), never below one
    /// interval, never past the run's end.
    pub async fn advance_for(
        &mut self,
        millis: f64,
        clock: &dyn Clock,
    ) -> Result<Progress, SessionError> {
        let deadline = clock.now_ms() + millis;
        loop {
            let now = clock.now_ms();
            let left = self.engine.total_steps().saturating_sub(self.engine.step());
            let chunk = self
                .slicer
                .chunk(deadline - now, self.engine.interval(), left);
            let (before, was_gpu) = (self.engine.step(), self.engine.is_gpu());
            let progress = self.advance(chunk).await?;
            let stepped = self.engine.step().saturating_sub(before);
            if was_gpu == self.engine.is_gpu() {
                self.slicer.observe(stepped, clock.now_ms() - now);
                self.choice.measured_step_ms = self.slicer.steps_per_ms.map(|r| 1.0 / r);
            }
            if progress.finished || stepped == 0 || clock.now_ms() >= deadline {
                return Ok(progress);
            }
        }
    }

    pub fn progress(&self) -> Progress {
        let mut progress = Progress {
            state: self.state,
            step: self.engine.step() as f64,
            total: self.engine.total_steps() as f64,
            finished: self.engine.is_finished(),
            records: 0,
            done: None,
            total_tasks: None,
            current: None,
            rows: None,
        };
        self.cell.progress(&self.live, &mut progress);
        progress
    }

    /// What is drawn.
    pub fn live(&self) -> &K::Live {
        &self.live
    }

    pub fn prepared(&self) -> &K::Prepared {
        &self.prep
    }

    pub fn cell(&self) -> &K {
        &self.cell
    }

    /// Which backend runs the session, and why.
    pub fn choice(&self) -> &BackendChoice {
        &self.choice
    }

    /// Whether the choice changed (a GPU loss) since the last call.
    pub fn take_choice_changed(&mut self) -> bool {
        std::mem::take(&mut self.choice_changed)
    }

    pub fn engine(&self) -> &EngineOf<K> {
        &self.engine
    }

    /// The engine, for the cell's extras (weights, coordinates).
    pub fn engine_mut(&mut self) -> &mut EngineOf<K> {
        &mut self.engine
    }

    pub fn extras(&self) -> &K::Extras {
        &self.extras
    }

    /// The engine and the extras together (e.g. a replay reading both).
    pub fn parts_mut(&mut self) -> (&K::Prepared, &mut EngineOf<K>, &mut K::Extras) {
        (&self.prep, &mut self.engine, &mut self.extras)
    }

    /// The error that stopped the session, if any.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// Lines for the page about this run ([`Cell::notices`]).
    pub fn notices(&self) -> Vec<String> {
        self.cell.notices(&self.prep, &self.engine)
    }

    /// The result so far in the CLI's schema, with `backend_choice`.
    pub fn result(&self) -> K::Result {
        self.cell.result(&self.prep, &self.live, &self.choice)
    }
}
