//! [`MethodsRun`]: Table 2's three runs one after another (docs/deep.md §5), on whatever
//! backend a [`MakeBackend`] builds, then [`compare`] of their final evaluation embeddings.
//! The CLI's `stepwise compare methods` and the page's cell both drive it, so they compute the
//! same numbers.

use super::assemble::assemble_deep;
use super::backend::DeepBackend;
use super::methods::{compare, MethodsComparison};
use super::prepare::DeepPrepared;
use super::result::DeepResult;
use super::run::DeepRun;
use super::CpuDeepBackend;
use crate::experiment::RunError;

/// Builds the backend of each method's run, holding that run's initial parameters.
#[allow(async_fn_in_trait)] // used through generics only
pub trait MakeBackend {
    type Backend: DeepBackend;
    async fn make(&self, prep: &DeepPrepared) -> Result<Self::Backend, RunError>;
}

/// The CPU's backends.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuBackends;

impl MakeBackend for CpuBackends {
    type Backend = CpuDeepBackend;
    async fn make(&self, prep: &DeepPrepared) -> Result<CpuDeepBackend, RunError> {
        Ok(prep.cpu_backend())
    }
}

/// One finished method: its result (timing left to the caller) and final embeddings.
pub type MethodRun = (DeepResult, Vec<f64>);

/// The three (or any number of) comparable runs in turn.
pub struct MethodsRun<M: MakeBackend> {
    maker: M,
    preps: Vec<DeepPrepared>,
    done: Vec<MethodRun>,
    /// The run in progress (`None` once all are done).
    current: Option<DeepRun<M::Backend>>,
}

impl<M: MakeBackend> MethodsRun<M> {
    /// Starts the first of `preps` (which [`super::methods::check_comparable`] accepted).
    pub async fn start(maker: M, preps: Vec<DeepPrepared>) -> Result<Self, RunError> {
        let mut run = Self {
            maker,
            preps,
            done: Vec::new(),
            current: None,
        };
        run.start_next().await?;
        Ok(run)
    }

    /// Starts the method after the finished ones (none once all are done). The run before
    /// it is let go first: a start that fails (a lost GPU) leaves no run in progress, so
    /// [`Self::step`] counts only the steps done, and the next advance tries again.
    async fn start_next(&mut self) -> Result<(), RunError> {
        self.current = None;
        self.current = match self.preps.get(self.done.len()) {
            Some(prep) => {
                let backend = self.maker.make(prep).await?;
                Some(DeepRun::start(backend, prep.clone()).await?)
            }
            None => None,
        };
        Ok(())
    }

    /// Advances the current run by about `budget` steps (whole recording intervals, at
    /// least one); when it ends, keeps its result and starts the next (first, a start that
    /// failed is tried again). True once all ended.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        if self.current.is_none() && !self.is_finished() {
            self.start_next().await?;
        }
        if let Some(run) = &mut self.current {
            if run.advance(budget).await? {
                self.done
                    .push((assemble_deep(run, 0.0), run.embeddings().to_vec()));
                self.start_next().await?;
            }
        }
        Ok(self.is_finished())
    }

    /// Runs the current method to its end (and starts the next).
    pub async fn finish_method(&mut self) -> Result<(), RunError> {
        let ended = self.done.len() + 1;
        while self.done.len() < ended && !self.advance(u64::MAX).await? {}
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.done.len() >= self.preps.len()
    }

    /// Steps of all methods so far.
    pub fn step(&self) -> u64 {
        let done: u64 = self.done.iter().map(|(r, _)| r.config.steps).sum();
        done + self.current.as_ref().map_or(0, DeepRun::step)
    }

    /// Steps of all methods together.
    pub fn total_steps(&self) -> u64 {
        self.preps.iter().map(|p| p.config.steps).sum()
    }

    /// Steps to the current run's next record (1 between runs).
    pub fn interval(&self) -> u64 {
        self.current
            .as_ref()
            .map_or(1, crate::experiment::session::Stepper::interval)
    }

    /// The finished methods, in order.
    pub fn done(&self) -> &[MethodRun] {
        &self.done
    }

    /// The run in progress.
    pub fn current(&self) -> Option<&DeepRun<M::Backend>> {
        self.current.as_ref()
    }

    /// The prepared runs, in order.
    pub fn prepared(&self) -> &[DeepPrepared] {
        &self.preps
    }

    /// The comparison, once every method finished.
    pub fn comparison(&self) -> Option<MethodsComparison> {
        let first = self.preps.first()?;
        self.is_finished()
            .then(|| compare(self.done.clone(), first.eval_count(), first.config.d))
    }

    /// The finished methods, handed over.
    pub fn into_done(self) -> Vec<MethodRun> {
        self.done
    }
}

impl<M: MakeBackend> crate::experiment::session::Stepper for MethodsRun<M> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        MethodsRun::advance(self, budget).await
    }

    fn step(&self) -> u64 {
        MethodsRun::step(self)
    }

    fn total_steps(&self) -> u64 {
        MethodsRun::total_steps(self)
    }

    fn is_finished(&self) -> bool {
        MethodsRun::is_finished(self)
    }

    fn interval(&self) -> u64 {
        MethodsRun::interval(self)
    }
}
