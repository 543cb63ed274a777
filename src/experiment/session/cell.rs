//! [`Cell`]: what differs from one notebook cell to another, in plain parts.

use serde::Serialize;

use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::engine::Engine;
use super::session::Progress;
use super::stepper::Stepper;
use crate::data::photos::Photo;
use crate::experiment::{BackendError, Config, RunError};
use crate::gpu::{GpuContext, GpuError};

/// The engine of cell `K`.
pub type EngineOf<K> = Engine<<K as Cell>::Cpu, <K as Cell>::Gpu>;

/// One cell's computation: its configuration, what is prepared before the first step, its
/// CPU and GPU steppers, what is drawn while it runs and its result.
#[allow(async_fn_in_trait)] // used through generics only, never as a trait object
pub trait Cell {
    type Config: Config;
    /// Everything built before the first step (data, Γ, theory…), shared by both backends.
    type Prepared;
    type Cpu: Stepper;
    type Gpu: Stepper;
    /// What is drawn: the records so far, copied from the engine by [`Cell::sync`].
    type Live: Clone + Serialize;
    /// State the cell keeps beside the engine (the linear cell's replay snapshots).
    type Extras;
    /// The result in the CLI's schema, with `backend_choice` filled in.
    type Result: Serialize;

    /// The synchronous heavy part: data, Γ or the NTK's inputs, theory. `photos`: the
    /// visitor's own images, when they replace the bundled ones.
    fn prepare(
        &self,
        cfg: &Self::Config,
        photos: Option<&[Photo]>,
    ) -> Result<Self::Prepared, RunError>;

    /// Why this run has no GPU path (`Why::OnlyOnCpu`'s `what`), or `None`.
    fn cpu_only(&self, _prep: &Self::Prepared) -> Option<String> {
        None
    }

    async fn start_cpu(&self, prep: &Self::Prepared) -> Result<Self::Cpu, RunError>;

    /// The GPU stepper on `ctx`'s device (default: not supported).
    async fn start_gpu(
        &self,
        _ctx: &GpuContext,
        _prep: &Self::Prepared,
    ) -> Result<Self::Gpu, RunError> {
        let e = GpuError::Unsupported("this cell runs on the CPU".into());
        Err(BackendError::Gpu(e).into())
    }

    /// After the GPU stepper `gpu` failed at `step`: the same run (same seeds, same
    /// resolved configuration) on the CPU, brought to `step`. Default: [`Cell::start_cpu`]
    /// advanced to `step`.
    async fn resume_cpu(
        &self,
        prep: &Self::Prepared,
        _gpu: &Self::Gpu,
        step: u64,
    ) -> Result<Self::Cpu, RunError> {
        let mut cpu = self.start_cpu(prep).await?;
        advance_to(&mut cpu, step).await?;
        Ok(cpu)
    }

    /// The cost model's seconds for the run on `kind` (`None`: no estimate, or no such path).
    fn estimate(
        &self,
        prep: &Self::Prepared,
        kind: BackendKind,
        adapter: &AdapterInfo,
    ) -> Option<f64>;

    /// The extras of a new session.
    fn extras(&self, prep: &Self::Prepared) -> Self::Extras;

    /// What is drawn at the start (e.g. the theory on the whole run's time grid).
    fn live(&self, prep: &Self::Prepared, engine: &EngineOf<Self>) -> Self::Live;

    /// Copies what the engine made since the last call into `live`.
    fn sync(&self, live: &mut Self::Live, prep: &Self::Prepared, engine: &EngineOf<Self>);

    /// Fills the cell's part of the progress (`records`, and `done`/`current`/`rows` for a
    /// comparison).
    fn progress(&self, live: &Self::Live, progress: &mut Progress);

    /// Lines for the page about the prepared run on this engine (e.g. the MLP's CPU data).
    fn notices(&self, _prep: &Self::Prepared, _engine: &EngineOf<Self>) -> Vec<String> {
        Vec::new()
    }

    /// The next step after `step` at which an advance must stop for [`Cell::checkpoint`].
    fn next_stop(&self, _extras: &Self::Extras, _step: u64) -> Option<u64> {
        None
    }

    /// Called before and after each stretch of steps: reads what the extras keep.
    async fn checkpoint(
        &self,
        _extras: &mut Self::Extras,
        _engine: &mut EngineOf<Self>,
    ) -> Result<(), RunError> {
        Ok(())
    }

    /// The result so far, in the CLI's schema, with `choice` as its `backend_choice`.
    fn result(
        &self,
        prep: &Self::Prepared,
        live: &Self::Live,
        choice: &BackendChoice,
    ) -> Self::Result;
}

/// Advances `stepper` until it reaches `step` (or its end).
pub async fn advance_to<S: Stepper>(stepper: &mut S, step: u64) -> Result<(), RunError> {
    while stepper.step() < step && !stepper.is_finished() {
        let before = stepper.step();
        stepper.advance(step - before).await?;
        if stepper.step() == before {
            break;
        }
    }
    Ok(())
}
