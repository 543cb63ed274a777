//! One MLP run on whichever backend the session picked: WebGPU (NTK and training on the GPU)
//! when an adapter can run it, else the CPU in wasm, at a smaller width unless the reader
//! chose the width.

use super::local_photos;
use super::probe::webgpu_adapter;
use crate::experiment::mlp::{
    assemble_mlp, CpuMlpBackend, HiddenRecord, MlpConfig, MlpPrepared, MlpResult, MlpRun,
};
use crate::experiment::{Record, RunError};
use crate::gpu::{prepare_on_gpu, GpuContext, GpuMlpBackend};

/// Width of the CPU fallback when the reader did not set one (the presets' 2048 would take
/// minutes in wasm).
pub const CPU_WIDTH: usize = 256;

/// An [`MlpRun`] on the CPU or on the GPU.
pub enum MlpEngine {
    Cpu(Box<MlpRun<CpuMlpBackend>>),
    Gpu(Box<MlpRun<GpuMlpBackend>>),
}

/// A started run: the engine, its prepared data and the backend notice.
pub struct Started {
    pub engine: MlpEngine,
    pub prep: MlpPrepared,
    pub notice: String,
    /// The configuration run (the requested one, or at [`CPU_WIDTH`] on the CPU fallback).
    pub config: MlpConfig,
}

/// Starts `cfg` on the backend `want` asks for (`"cpu"`; anything else means WebGPU when an
/// adapter is available). With `auto_width` (the width is the preset's, not the reader's)
/// the CPU runs at most [`CPU_WIDTH`] hidden units, and the notice says so.
pub async fn start_mlp(cfg: &MlpConfig, want: &str, auto_width: bool) -> Result<Started, RunError> {
    let why = if want == "cpu" {
        "requested with backend=cpu".to_string()
    } else {
        match webgpu_adapter().await {
            Err(reason) => format!("no WebGPU adapter: {reason}"),
            Ok(adapter) => match start_gpu(cfg).await {
                Ok((engine, prep)) => {
                    return Ok(Started {
                        engine,
                        prep,
                        notice: format!("WebGPU: {adapter}"),
                        config: cfg.clone(),
                    })
                }
                Err(e) => format!("the WebGPU adapter {adapter} could not run this: {e}"),
            },
        }
    };
    start_cpu(cfg, auto_width, &why).await
}

/// The CPU run of `cfg` (narrowed to [`CPU_WIDTH`] with `auto_width`); `why` says why the
/// CPU runs it.
pub async fn start_cpu(cfg: &MlpConfig, auto_width: bool, why: &str) -> Result<Started, RunError> {
    let mut config = cfg.clone();
    let mut notice = format!("CPU ({why})");
    if auto_width && config.width > CPU_WIDTH {
        notice.push_str(&format!(
            ". CPU fallback: width {CPU_WIDTH} instead of {}; set the width to run wider",
            config.width
        ));
        config.width = CPU_WIDTH;
    }
    let prep = MlpPrepared::from_setup(local_photos::mlp_setup_on_active(&config)?)?;
    let run = MlpRun::start(prep.cpu_backend(), &prep).await?;
    Ok(Started {
        engine: MlpEngine::Cpu(Box::new(run)),
        prep,
        notice,
        config,
    })
}

/// The GPU run (NTK computed on the GPU too), or why it could not start.
async fn start_gpu(cfg: &MlpConfig) -> Result<(MlpEngine, MlpPrepared), String> {
    // a bad configuration is reported before any GPU work
    cfg.validate().map_err(|e| e.to_string())?;
    let ctx = GpuContext::new().await.map_err(|e| e.to_string())?;
    let setup = local_photos::mlp_setup_on_active(cfg).map_err(|e| e.to_string())?;
    let (prep, backend) = prepare_on_gpu(&ctx, setup)
        .await
        .map_err(|e| e.to_string())?;
    let run = MlpRun::start(backend, &prep)
        .await
        .map_err(|e| e.to_string())?;
    Ok((MlpEngine::Gpu(Box::new(run)), prep))
}

impl MlpEngine {
    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu(_))
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

    pub fn hidden_records(&self) -> &[HiddenRecord] {
        match self {
            Self::Cpu(run) => run.hidden_records(),
            Self::Gpu(run) => run.hidden_records(),
        }
    }

    /// The result in the CLI's schema (records so far, alignment at the latest record).
    pub fn assemble(&self, prep: &MlpPrepared) -> MlpResult {
        match self {
            Self::Cpu(run) => assemble_mlp(prep, run),
            Self::Gpu(run) => assemble_mlp(prep, run),
        }
    }
}
