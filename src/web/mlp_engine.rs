//! One MLP run on whichever backend the session picked: WebGPU (NTK and training on the GPU)
//! when an adapter can run it, else the CPU in wasm, on smaller data at the same width
//! ([`cpu_fallback`]) unless the reader sized the run.

use super::local_photos;
use super::probe::webgpu_adapter;
use crate::experiment::mlp::{
    assemble_mlp, cpu_fallback, CpuMlpBackend, HiddenRecord, MlpConfig, MlpPrepared, MlpResult,
    MlpRun,
};
use crate::experiment::{Record, RunError};
use crate::gpu::{prepare_on_gpu, GpuContext, GpuMlpBackend};

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
    /// The configuration run (the requested one, or [`cpu_fallback`]'s on the CPU).
    pub config: MlpConfig,
}

/// Starts `cfg` on the backend `want` asks for (`"cpu"`; anything else means WebGPU when an
/// adapter is available). With `auto_size` (the reader did not size the run) the CPU runs
/// [`cpu_fallback`]'s smaller data when `cfg` would take too long, and the notice says so.
pub async fn start_mlp(cfg: &MlpConfig, want: &str, auto_size: bool) -> Result<Started, RunError> {
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
    start_cpu(cfg, auto_size, &why).await
}

/// The CPU run of `cfg` (on [`cpu_fallback`]'s data with `auto_size`); `why` says why the
/// CPU runs it.
pub async fn start_cpu(cfg: &MlpConfig, auto_size: bool, why: &str) -> Result<Started, RunError> {
    let mut config = cfg.clone();
    let mut notice = format!("CPU ({why})");
    if let Some(small) = cpu_fallback(cfg).filter(|_| auto_size) {
        notice.push_str(&format!(
            ". CPU fallback: {} instead of {} (width {} kept, so the NTK theory holds); set the \
             width to run the full data",
            data_words(&small),
            data_words(cfg),
            cfg.width
        ));
        config = small;
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

/// "n = 100 pairs, m = 192".
fn data_words(cfg: &MlpConfig) -> String {
    format!("n = {} pairs, m = {}", cfg.dataset.n, cfg.dataset.m())
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
