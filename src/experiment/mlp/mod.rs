//! The MLP experiments of docs/math.md §7: a one-hidden-layer ReLU network trained with Barlow
//! Twins, SimCLR or VICReg, with the empirical NTK's theory (docs/math.md §6).

mod backend;
mod config;
mod cost;
mod cpu;
pub mod hidden_steps;
mod prepare;
mod presets;
mod result;
mod run;
pub mod tracking;

pub use backend::{MlpBackend, Snapshot};
pub use config::{
    LossKind, MlpConfig, MlpExperiment, MAX_HIDDEN_TOP, MAX_LAYER_ENTRIES, MAX_MLP_D, MAX_MLP_N,
    MAX_WIDTH,
};
pub use cost::{
    cpu_fallback, RunEstimate, CPU_PRESET, CPU_SECONDS_LIMIT, NTK_WIDTH_PER_PAIR,
    TYPICAL_AUTO_STEPS,
};
pub use cpu::CpuMlpBackend;
pub use prepare::{MlpPrepared, MlpSetup};
pub use presets::{mlp_preset, MlpPreset, MLP_PRESETS};
pub use result::{
    assemble_mlp, crossing_times, run_mlp_cpu, run_mlp_setup_cpu, MlpResult, NtkSummary,
};
pub use run::{HiddenRecord, MlpRun, MLP_DIVERGENCE_BOUND};

impl crate::experiment::Config for MlpConfig {
    fn validate(&self) -> Result<(), crate::validate::ConfigError> {
        MlpConfig::validate(self)
    }

    fn memory_need(&self) -> crate::experiment::memory::MemoryNeed {
        crate::experiment::memory::mlp_run_need(self)
    }

    fn presets() -> Vec<(&'static str, Self)> {
        MLP_PRESETS.iter().map(|p| (p.name, (p.config)())).collect()
    }
}
