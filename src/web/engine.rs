//! One running linear run on whichever backend the session picked.

use super::probe::AdapterRequest;
use crate::experiment::{
    assemble_without_digest, BackendError, Coordinates, CpuBackend, LinearBackend, LinearRun,
    Prepared, Record, RunError, RunResult,
};
use crate::gpu::{GpuContext, GpuLinearBackend};

/// A [`LinearRun`] on the CPU or the WebGPU backend (`LinearRun` is generic; a session holds
/// one of these).
pub enum Engine {
    Cpu(LinearRun<CpuBackend>),
    Gpu(Box<LinearRun<GpuLinearBackend>>),
}

/// Starts `prep` on the backend `want` asks for (`"cpu"`; anything else means WebGPU when
/// an adapter is available) and says which one runs it and why. Both backends run the
/// configured solver.
pub async fn pick_engine(
    prep: &Prepared,
    want: &str,
    adapter: AdapterRequest,
) -> Result<(Engine, String), RunError> {
    if want == "cpu" {
        return Ok((
            Engine::cpu(prep).await?,
            "CPU (requested with backend=cpu)".into(),
        ));
    }
    let why = match adapter.outcome().await {
        Err(reason) => format!("no WebGPU adapter: {reason}"),
        Ok(adapter) => match start_gpu(prep).await {
            Ok(engine) => return Ok((engine, format!("WebGPU: {adapter}"))),
            Err(e) => format!("the WebGPU adapter {adapter} could not run this: {e}"),
        },
    };
    Ok((Engine::cpu(prep).await?, format!("CPU ({why})")))
}

/// The GPU run, or why it could not start (no device, buffers over the adapter's limits…).
async fn start_gpu(prep: &Prepared) -> Result<Engine, String> {
    let ctx = GpuContext::new().await.map_err(|e| e.to_string())?;
    let backend = GpuLinearBackend::from_prepared(&ctx, prep)
        .await
        .map_err(|e| e.to_string())?;
    let run = LinearRun::start(backend, prep)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Engine::Gpu(Box::new(run)))
}

impl Engine {
    /// Starts a run of `prep` on the CPU backend.
    pub async fn cpu(prep: &Prepared) -> Result<Self, RunError> {
        Ok(Self::Cpu(LinearRun::start(prep.cpu_backend(), prep).await?))
    }

    /// After a GPU failure (a lost device): the same run (same seeds, same trajectory)
    /// restarted on the CPU and brought to `step`.
    pub async fn cpu_at(prep: &Prepared, step: u64) -> Result<Self, RunError> {
        let mut engine = Self::cpu(prep).await?;
        if step > 0 {
            engine.advance(step).await?;
        }
        Ok(engine)
    }

    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu(_))
    }

    /// The backend's name, as written into results.
    pub fn name(&self) -> String {
        match self {
            Self::Cpu(run) => run.backend().name(),
            Self::Gpu(run) => run.backend().name(),
        }
    }

    /// The device under a GPU run.
    pub fn gpu_device(&self) -> Option<wgpu::Device> {
        match self {
            Self::Cpu(_) => None,
            Self::Gpu(run) => Some(run.backend().device().clone()),
        }
    }

    /// Runs at most `budget` more steps (at least one recording interval); true once done.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        match self {
            Self::Cpu(run) => run.advance(budget).await,
            Self::Gpu(run) => run.advance(budget).await,
        }
    }

    pub fn step(&self) -> u64 {
        match self {
            Self::Cpu(run) => run.step(),
            Self::Gpu(run) => run.step(),
        }
    }

    pub fn is_finished(&self) -> bool {
        match self {
            Self::Cpu(run) => run.is_finished(),
            Self::Gpu(run) => run.is_finished(),
        }
    }

    pub fn records(&self) -> &[Record] {
        match self {
            Self::Cpu(run) => run.records(),
            Self::Gpu(run) => run.records(),
        }
    }

    /// The current W, row-major d x m (in the original basis whatever the solver).
    pub async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        match self {
            Self::Cpu(run) => run.backend_mut().weights().await,
            Self::Gpu(run) => run.backend_mut().weights().await,
        }
    }

    /// The current weights in the backend's own coordinates (see [`Coordinates`]).
    pub async fn coordinates(&mut self) -> Result<Coordinates, BackendError> {
        match self {
            Self::Cpu(run) => run.backend_mut().coordinates().await,
            Self::Gpu(run) => run.backend_mut().coordinates().await,
        }
    }

    /// The result in the CLI's schema (records so far), without its `data_digest`.
    pub fn assemble(&self, prep: &Prepared) -> RunResult {
        match self {
            Self::Cpu(run) => assemble_without_digest(prep, run, false),
            Self::Gpu(run) => assemble_without_digest(prep, run, false),
        }
    }
}
