//! The deep-network experiments of docs/deep.md: a small ResNet plus projector trained with
//! Barlow Twins, SimCLR or VICReg by minibatch SGD on fresh random crops, tracking the
//! embedding and hidden eigenvalues, linear probes and RankMe (the paper's Figs 1C/D–5, 7 and
//! Table 2).

mod assemble;
mod backend;
mod config;
#[cfg(test)]
mod config_tests;
pub mod cost;
mod cpu;
pub mod methods;
pub mod methods_config;
pub mod methods_run;
mod prepare;
mod presets;
mod result;
mod run;
pub mod tracking;

pub use assemble::assemble_deep;
#[cfg(not(target_arch = "wasm32"))]
pub use assemble::{run_deep_cpu, run_deep_prepared_cpu};
pub use backend::{DeepBackend, DeepSnapshot};
pub use config::{
    DeepConfig, DeepDataConfig, DeepExperiment, DeepSource, LossKind, MAX_BASE_COUNT, MAX_BATCH,
    MAX_BLOCKS, MAX_CHANNELS, MAX_CROP, MAX_DEEP_D, MAX_EVAL, MAX_HIDDEN_TOP, MAX_PROJECTOR_LAYERS,
    MAX_STAGES, MEMORY_BUDGET_BYTES,
};
pub use cpu::{sgd_step, CpuDeepBackend};
pub use prepare::{photo_base, DeepPrepared};
pub use presets::{deep_preset, small_projector_scales, DeepPreset, DEEP_PRESETS};
pub use result::{
    half_final_crossings, learned_modes, DeepResult, DeepTiming, HiddenRecord, ProbeRecord,
    RankRecord, CROSSING_FLOOR,
};
pub use run::{DeepRun, DEEP_DIVERGENCE_BOUND};

impl crate::experiment::Config for DeepConfig {
    fn validate(&self) -> Result<(), crate::validate::ConfigError> {
        DeepConfig::validate(self)
    }

    fn memory_need(&self) -> crate::experiment::memory::MemoryNeed {
        crate::experiment::memory::deep_need(self)
    }

    fn presets() -> Vec<(&'static str, Self)> {
        DEEP_PRESETS
            .iter()
            .map(|p| (p.name, (p.config)()))
            .collect()
    }
}
