//! [`Opening`]: a session before its engine starts: configured (Idle), then prepared
//! (Preparing), then started on the backend [`choose_backend`] picks.

use super::cell::Cell;
use super::choice::{
    choose_backend, fit_buffers, AdapterInfo, BackendChoice, BackendKind, BackendWant, Why,
};
use super::engine::Engine;
use super::error::SessionError;
use super::machine::{Session, SessionState};
use crate::data::photos::Photo;
use crate::experiment::memory::MemoryNeed;
use crate::experiment::Config;
use crate::gpu::GpuContext;

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
    /// and starts the engine: the GPU when chosen and able (its largest buffer within the
    /// adapter's limits, docs/architecture.md §7), else the CPU saying why.
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
        let only_cpu = cell.cpu_only(&prep).filter(|_| want != BackendWant::Cpu);
        let mut choice = match only_cpu {
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
        let need = self.config.memory_need();
        let limits = adapter.as_ref().ok().and_then(|a| a.limits.as_ref());
        fit_buffers(&mut choice, &need, limits);
        if choice.kind == BackendKind::WebGpu {
            match start_gpu(&cell, &prep, &need).await {
                Ok(gpu) => return Ok(Session::new(cell, prep, Engine::Gpu(gpu), choice)),
                Err(why) => {
                    choice.kind = BackendKind::Cpu;
                    choice.why = why;
                }
            }
        }
        let cpu = cell.start_cpu(&prep).await?;
        Ok(Session::new(cell, prep, Engine::Cpu(cpu), choice))
    }
}

/// The GPU stepper on a new device, or why it could not start: the device's buffer limits
/// too small for `need`, its error, or its loss while the backend was being built and its
/// data uploaded, which the one GPU-loss policy answers as any later loss ([`Why::GpuLost`]
/// at step 0: the run goes on on the CPU).
async fn start_gpu<K: Cell>(
    cell: &K,
    prep: &K::Prepared,
    need: &MemoryNeed,
) -> Result<K::Gpu, Why> {
    let cannot = |e: &dyn std::fmt::Display| Why::GpuCannotRun {
        error: e.to_string(),
    };
    let ctx = GpuContext::new().await.map_err(|e| cannot(&e))?;
    ctx.buffer_limits().admit(need)?;
    let started = cell.start_gpu(&ctx, prep).await;
    started.map_err(|e| match ctx.check_lost() {
        Err(lost) => Why::GpuLost {
            step: 0,
            error: lost.to_string(),
        },
        Ok(()) => cannot(&e),
    })
}
