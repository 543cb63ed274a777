//! A linear run driven step by step through any [`LinearBackend`], recording as it goes.
//! The browser advances it a chunk per animation frame; the CLI runs it to the end.

use super::backend::{LinearBackend, MAX_BATCH};
use super::prepare::Prepared;
use super::result::Record;
use super::schedule::next_record_step;
use super::RunError;
use crate::linalg;
use crate::model::linear;

/// Entries of C beyond this magnitude count as divergence (C → I when training works).
pub const DIVERGENCE_BOUND: f64 = 1e6;

/// What a run needs beyond its backend: sizes, η and its schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunPlan {
    /// Embedding dimension.
    pub d: usize,
    /// η (records are at t = η · step).
    pub lr: f64,
    pub total_steps: u64,
    pub record_every: u64,
    /// The stability bound quoted when the run diverges.
    pub stable_lr: f64,
}

impl RunPlan {
    /// The plan of a prepared run.
    pub fn of(prep: &Prepared) -> Self {
        Self {
            d: prep.config.d,
            lr: prep.lr(),
            total_steps: prep.steps(),
            record_every: prep.config.record_every,
            stable_lr: prep.stable_lr_bound(),
        }
    }
}

/// A run in progress.
pub struct LinearRun<B> {
    backend: B,
    d: usize,
    lr: f64,
    total_steps: u64,
    record_every: u64,
    stable_lr: f64,
    step: u64,
    records: Vec<Record>,
}

impl<B: LinearBackend> LinearRun<B> {
    /// Starts a run of `prep` on `backend` (which must hold W(0)); records step 0.
    pub async fn start(backend: B, prep: &Prepared) -> Result<Self, RunError> {
        Self::with_plan(backend, RunPlan::of(prep)).await
    }

    /// Starts a run on `backend` (which must hold W(0) and step at `plan.lr`); records
    /// step 0.
    pub async fn with_plan(backend: B, plan: RunPlan) -> Result<Self, RunError> {
        let mut run = Self {
            backend,
            d: plan.d,
            lr: plan.lr,
            total_steps: plan.total_steps,
            record_every: plan.record_every.max(1),
            stable_lr: plan.stable_lr,
            step: 0,
            records: Vec::new(),
        };
        let c = run.backend.advance(0).await?;
        run.record(&c)?;
        Ok(run)
    }

    /// Runs at most `budget` more steps (in whole recording intervals of the
    /// [`schedule`](super::schedule), at least one, at most [`MAX_BATCH`] per backend call);
    /// returns true once the run is complete.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        let mut done = 0;
        while !self.is_finished() && (done == 0 || done + self.interval(self.step) <= budget) {
            let intervals = self.plan(budget.saturating_sub(done));
            let cs = self.backend.advance_many(&intervals).await?;
            for (n, c) in intervals.iter().zip(&cs) {
                self.step += u64::from(*n);
                done += u64::from(*n);
                self.record(c)?;
            }
        }
        Ok(self.is_finished())
    }

    /// The next recording intervals: at least one, then as many as `budget` allows.
    fn plan(&self, budget: u64) -> Vec<u32> {
        let mut intervals = Vec::new();
        let (mut step, mut planned) = (self.step, 0);
        while step < self.total_steps
            && intervals.len() < MAX_BATCH
            && (intervals.is_empty() || planned + self.interval(step) <= budget)
        {
            let n = self.interval(step);
            intervals.push(n as u32);
            step += n;
            planned += n;
        }
        intervals
    }

    /// Steps from `step` to the next record.
    fn interval(&self, step: u64) -> u64 {
        next_record_step(step, self.record_every, self.total_steps) - step
    }

    /// Runs to the end.
    pub async fn finish(&mut self) -> Result<(), RunError> {
        while !self.advance(u64::MAX).await? {}
        Ok(())
    }

    fn record(&mut self, c: &[f32]) -> Result<(), RunError> {
        let diverged = c
            .iter()
            .any(|v| !v.is_finite() || (*v as f64).abs() > DIVERGENCE_BOUND);
        if diverged {
            return Err(RunError::Diverged {
                step: self.step,
                lr: self.lr,
                stable_lr: self.stable_lr,
            });
        }
        let c = linear::symmetrize(self.d, c);
        let eigenvalues = linalg::sym_eigenvalues(c.as_ref())?;
        self.records.push(Record {
            t: self.lr * self.step as f64,
            step: self.step,
            loss: linear::loss_of_c(c.as_ref()),
            eigenvalues,
        });
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.total_steps
    }

    /// Steps the run will take in all.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// Steps done so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }
}

impl<B: LinearBackend> crate::experiment::session::Stepper for LinearRun<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        LinearRun::advance(self, budget).await
    }

    fn step(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.total_steps
    }

    fn is_finished(&self) -> bool {
        LinearRun::is_finished(self)
    }

    fn interval(&self) -> u64 {
        next_record_step(self.step, self.record_every, self.total_steps)
            .saturating_sub(self.step)
            .max(1)
    }
}
