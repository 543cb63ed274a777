//! Fakes for `session_core.rs`: a linear cell whose "GPU" backend (the CPU backend behind a
//! fuse) fails at a given step as a lost device does, and a cell whose steps cost a known
//! time on a fake clock.

use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;

use stepwise::data::photos::Photo;
use stepwise::experiment::session::{
    AdapterInfo, BackendChoice, BackendKind, Cell, Clock, Engine, Progress, Stepper,
};
use stepwise::experiment::{
    assemble_without_digest, prepare_with_photos, BackendError, CpuBackend, LinearBackend,
    LinearRun, Prepared, RunConfig, RunError, RunResult,
};
use stepwise::gpu::GpuError;

/// The CPU backend, failing like a lost GPU once a call would pass step `fail_at`.
pub struct Fused {
    inner: CpuBackend,
    step: u64,
    fail_at: u64,
}

impl LinearBackend for Fused {
    fn name(&self) -> String {
        "fused-gpu".into()
    }

    async fn advance(&mut self, steps: u32) -> Result<Vec<f32>, BackendError> {
        if self.step + u64::from(steps) > self.fail_at {
            return Err(GpuError::DeviceLost("destroyed by the test".into()).into());
        }
        self.step += u64::from(steps);
        self.inner.advance(steps).await
    }

    async fn advance_many(&mut self, intervals: &[u32]) -> Result<Vec<Vec<f32>>, BackendError> {
        let all: u64 = intervals.iter().map(|n| u64::from(*n)).sum();
        if self.step + all > self.fail_at {
            return Err(GpuError::DeviceLost("destroyed by the test".into()).into());
        }
        let mut out = Vec::new();
        for n in intervals {
            out.push(self.advance(*n).await?);
        }
        Ok(out)
    }

    async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        self.inner.weights().await
    }
}

/// A linear cell whose GPU engine is [`Fused`].
pub struct FlakyCell {
    pub fail_at: u64,
}

type FlakyEngine = Engine<LinearRun<CpuBackend>, LinearRun<Fused>>;

impl FlakyCell {
    /// The failing "GPU" run (no device needed).
    pub async fn start_gpu_fake(&self, prep: &Prepared) -> Result<LinearRun<Fused>, RunError> {
        let fused = Fused {
            inner: prep.cpu_backend(),
            step: 0,
            fail_at: self.fail_at,
        };
        LinearRun::start(fused, prep).await
    }
}

impl Cell for FlakyCell {
    type Config = RunConfig;
    type Prepared = Prepared;
    type Cpu = LinearRun<CpuBackend>;
    type Gpu = LinearRun<Fused>;
    type Live = RunResult;
    type Extras = ();
    type Result = RunResult;

    fn prepare(&self, cfg: &RunConfig, photos: Option<&[Photo]>) -> Result<Prepared, RunError> {
        prepare_with_photos(cfg, photos)
    }

    async fn start_cpu(&self, prep: &Prepared) -> Result<Self::Cpu, RunError> {
        LinearRun::start(prep.cpu_backend(), prep).await
    }

    fn estimate(&self, _: &Prepared, _: BackendKind, _: &AdapterInfo) -> Option<f64> {
        None
    }

    fn extras(&self, _: &Prepared) {}

    fn live(&self, prep: &Prepared, engine: &FlakyEngine) -> RunResult {
        match engine {
            Engine::Cpu(run) => assemble_without_digest(prep, run, false),
            Engine::Gpu(run) => assemble_without_digest(prep, run, false),
        }
    }

    fn sync(&self, live: &mut RunResult, _: &Prepared, engine: &FlakyEngine) {
        let (records, name) = match engine {
            Engine::Cpu(run) => (run.records(), run.backend().name()),
            Engine::Gpu(run) => (run.records(), run.backend().name()),
        };
        live.backend = name;
        if let Some(new) = records.get(live.records.len()..) {
            live.records.extend_from_slice(new);
        }
    }

    fn progress(&self, live: &RunResult, progress: &mut Progress) {
        progress.records = live.records.len() as u32;
    }

    fn result(&self, _: &Prepared, live: &RunResult, _: &BackendChoice) -> RunResult {
        live.clone()
    }
}

/// Milliseconds that pass only when a [`Ticker`] steps.
#[derive(Default)]
pub struct FakeClock(StdCell<f64>);

impl FakeClock {
    pub fn now(&self) -> f64 {
        self.0.get()
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

/// A stepper whose steps cost `cost` ms each on the fake clock, in whole intervals; it
/// keeps the budgets it was given.
pub struct Ticker {
    clock: Rc<FakeClock>,
    cost: Rc<StdCell<f64>>,
    interval: u64,
    total: u64,
    step: u64,
    budgets: Rc<RefCell<Vec<u64>>>,
}

impl Ticker {
    pub fn new(clock: Rc<FakeClock>, cost: f64, interval: u64, total: u64) -> Self {
        Self {
            clock,
            cost: Rc::new(StdCell::new(cost)),
            interval,
            total,
            step: 0,
            budgets: Rc::default(),
        }
    }

    pub fn budgets(&self) -> Rc<RefCell<Vec<u64>>> {
        Rc::clone(&self.budgets)
    }

    pub fn cost(&self) -> Rc<StdCell<f64>> {
        Rc::clone(&self.cost)
    }
}

impl Stepper for Ticker {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        self.budgets.borrow_mut().push(budget);
        let whole = (budget / self.interval).max(1) * self.interval;
        let steps = whole.min(self.total - self.step);
        self.step += steps;
        let now = self.clock.0.get();
        self.clock.0.set(now + steps as f64 * self.cost.get());
        Ok(self.is_finished())
    }

    fn step(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.total
    }

    fn is_finished(&self) -> bool {
        self.step >= self.total
    }

    fn interval(&self) -> u64 {
        self.interval.min(self.total - self.step).max(1)
    }
}

/// A cell over a [`Ticker`]: its live value is the step.
pub struct TickCell;

impl Cell for TickCell {
    type Config = RunConfig;
    type Prepared = ();
    type Cpu = Ticker;
    type Gpu = Ticker;
    type Live = u64;
    type Extras = ();
    type Result = u64;

    fn prepare(&self, _: &RunConfig, _: Option<&[Photo]>) -> Result<(), RunError> {
        Ok(())
    }

    async fn start_cpu(&self, _: &()) -> Result<Ticker, RunError> {
        Ok(Ticker::new(Rc::default(), 0.1, 10, 1000))
    }

    fn estimate(&self, _: &(), _: BackendKind, _: &AdapterInfo) -> Option<f64> {
        None
    }

    fn extras(&self, _: &()) {}

    fn live(&self, _: &(), engine: &Engine<Ticker, Ticker>) -> u64 {
        engine.step()
    }

    fn sync(&self, live: &mut u64, _: &(), engine: &Engine<Ticker, Ticker>) {
        *live = engine.step();
    }

    fn progress(&self, live: &u64, progress: &mut Progress) {
        progress.records = (*live / 10) as u32;
    }

    fn result(&self, _: &(), live: &u64, _: &BackendChoice) -> u64 {
        *live
    }
}
