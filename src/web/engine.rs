//! One running linear run on whichever backend the session picked.

use super::probe::webgpu_adapter;
use crate::experiment::{assemble, CpuBackend, LinearRun, Prepared, Record, RunError, RunResult};

/// Starts `prep` on the backend `want` asks for (`"cpu"`, or anything else for WebGPU when
/// an adapter is available) and says which one runs it and why.
pub async fn pick_engine(prep: &Prepared, want: &str) -> Result<(Engine, String), RunError> {
    if want == "cpu" {
        return Ok((Engine::cpu(prep).await?, "CPU (requested)".into()));
    }
    let notice = match webgpu_adapter().await {
        Ok(adapter) => format!(
            "CPU (WebGPU adapter {adapter} found, but this build has no WebGPU backend yet)"
        ),
        Err(reason) => format!("CPU (no WebGPU adapter: {reason})"),
    };
    Ok((Engine::cpu(prep).await?, notice))
}

/// A [`LinearRun`] on the CPU or (later) the GPU backend: `LinearRun` is generic, the
/// session holds one of these.
pub enum Engine {
    Cpu(LinearRun<CpuBackend>),
}

impl Engine {
    /// Starts a run of `prep` on the CPU backend.
    pub async fn cpu(prep: &Prepared) -> Result<Self, RunError> {
        Ok(Self::Cpu(LinearRun::start(prep.cpu_backend(), prep).await?))
    }

    /// Runs at most `budget` more steps (at least one recording interval); true once done.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        match self {
            Self::Cpu(run) => run.advance(budget).await,
        }
    }

    pub fn step(&self) -> u64 {
        match self {
            Self::Cpu(run) => run.step(),
        }
    }

    pub fn is_finished(&self) -> bool {
        match self {
            Self::Cpu(run) => run.is_finished(),
        }
    }

    pub fn records(&self) -> &[Record] {
        match self {
            Self::Cpu(run) => run.records(),
        }
    }

    /// The result in the CLI's schema (records so far).
    pub fn assemble(&self, prep: &Prepared) -> RunResult {
        match self {
            Self::Cpu(run) => assemble(prep, run, false),
        }
    }
}
