//! What an MLP run costs, and which configurations its NTK theory describes.
//!
//! The cost model counts the multiply-adds of a full-batch step of the one-hidden-layer
//! network on the N = 2n views (forward X̃ W̃1ᵀ and H̃ W̃2ᵀ, backward the same products
//! transposed and the weight gradients) and of a record (the hidden Gram matrix H̃ H̃ᵀ),
//! and divides by a measured throughput: [`CPU_WASM_MACS`] (the notebook's CPU backend in
//! Chromium ran fig2-bt at 38 steps/s) and [`WASM_SLOWDOWN`] for the native CLI. Good to
//! about 2x (a loaded machine is slower): a statement of scale before a run, not a
//! benchmark.

use serde::Serialize;

use super::config::MlpConfig;
use super::presets::mlp_preset;
use crate::experiment::schedule::record_count;

/// The NTK at init describes the run only while the hidden layer barely moves: width ≫ the
/// number of pairs. Measured (`stepwise run`, d = 6, crossings of λ = 1/2 against τ_j): on
/// fig2-bt's data (n = 100) width 2048 (20 per pair) steps within 10% of the NTK (mode 4 at
/// 7.83 vs 8.34) and width 256 (2.6 per pair) 30–50% early with eigenvalue spikes above 1.2;
/// on the CPU preset's (n = 32) width 2048 (64 per pair) within 5%, 1024 (32) within 11%,
/// 640 (20) within 18%, 320 (10) 20–35% early. Below this many hidden units per pair the
/// figure omits the theory and says why.
pub const NTK_WIDTH_PER_PAIR: usize = 20;

/// Multiply-adds per second of the CPU backend in Chromium's wasm (f32 faer with SIMD128):
/// fig2-bt ran at 38 steps/s there, at [`MlpConfig::step_macs`] = 1.66e8 a step.
pub const CPU_WASM_MACS: f64 = 6.3e9;

/// How much faster the CPU backend runs natively than in Chromium's wasm.
pub const WASM_SLOWDOWN: f64 = 2.7;

/// The preset the CPU fallback runs instead of a configuration too large for it.
pub const CPU_PRESET: &str = "fig2-bt-cpu";

/// Runs above this many estimated seconds on the CPU in wasm take the CPU preset's data.
pub const CPU_SECONDS_LIMIT: f64 = 30.0;

/// Steps assumed for an automatic step count before the NTK that fixes it is computed: the
/// CPU preset's run until 1.3·τ_d takes 4682 (fig2-bt's about 2200).
pub const TYPICAL_AUTO_STEPS: u64 = 4700;

/// A run's cost before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunEstimate {
    pub steps: u64,
    /// Multiply-adds of one step, and of one record (hidden Gram matrix).
    pub step_macs: f64,
    pub record_macs: f64,
    /// The throughput assumed, multiply-adds per second.
    pub macs_per_second: f64,
    /// Estimated seconds for all steps and records.
    pub seconds: f64,
}

impl MlpConfig {
    /// Whether the NTK theory describes this run: at least [`NTK_WIDTH_PER_PAIR`] hidden
    /// units per pair of views.
    pub fn ntk_regime(&self) -> bool {
        self.width >= NTK_WIDTH_PER_PAIR * self.dataset.n
    }

    /// Multiply-adds of one gradient step: forward X̃ W̃1ᵀ (N·(m+1)·h) and H̃ W̃2ᵀ (N·h·d),
    /// backward Δ = G W̃2 (N·d·h), ∇W̃2 = Gᵀ H̃ (N·d·h) and ∇W̃1 = Δᵀ X̃ (N·h·(m+1)).
    pub fn step_macs(&self) -> f64 {
        let rows = 2.0 * self.dataset.n as f64;
        let (m1, h, d) = (
            self.dataset.m() as f64 + 1.0,
            self.width as f64 + 1.0,
            self.d as f64,
        );
        rows * h * (2.0 * m1 + 3.0 * d)
    }

    /// Multiply-adds of one record: H̃ H̃ᵀ (N²·h) when hidden eigenvalues are recorded.
    pub fn record_macs(&self) -> f64 {
        let rows = 2.0 * self.dataset.n as f64;
        if self.hidden_top == 0 {
            0.0
        } else {
            rows * rows * (self.width as f64 + 1.0)
        }
    }

    /// The cost of `steps` steps on the CPU backend, natively or (`wasm`) in the browser.
    pub fn cpu_estimate(&self, steps: u64, wasm: bool) -> RunEstimate {
        let macs_per_second = if wasm {
            CPU_WASM_MACS
        } else {
            CPU_WASM_MACS * WASM_SLOWDOWN
        };
        let records = record_count(steps, self.record_every) as f64;
        let work = steps as f64 * self.step_macs() + records * self.record_macs();
        RunEstimate {
            steps,
            step_macs: self.step_macs(),
            record_macs: self.record_macs(),
            macs_per_second,
            seconds: work / macs_per_second,
        }
    }
}

/// The configuration the CPU in wasm runs for `cfg` when the reader did not size it
/// (`None`: `cfg` itself). A run whose steps (its own, or [`TYPICAL_AUTO_STEPS`]) would
/// take more than [`CPU_SECONDS_LIMIT`] keeps its width, network and loss but
/// takes [`CPU_PRESET`]'s smaller data (fewer pairs of smaller crops), so that the width
/// stays ≫ n and the NTK theory still holds, instead of narrowing the network.
pub fn cpu_fallback(cfg: &MlpConfig) -> Option<MlpConfig> {
    let steps = cfg.steps.unwrap_or(TYPICAL_AUTO_STEPS);
    if cfg.cpu_estimate(steps, true).seconds <= CPU_SECONDS_LIMIT {
        return None;
    }
    let small = mlp_preset(CPU_PRESET)?;
    let mut out = cfg.clone();
    out.dataset.n = out.dataset.n.min(small.dataset.n);
    out.dataset.crop = out.dataset.crop.min(small.dataset.crop);
    out.dataset.base = out.dataset.base.min(small.dataset.base);
    (out != *cfg && out.validate().is_ok()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_preset_is_in_the_ntk_regime_and_cheaper() {
        let full = mlp_preset("fig2-bt").unwrap();
        let cpu = mlp_preset(CPU_PRESET).unwrap();
        assert!(full.ntk_regime() && cpu.ntk_regime());
        assert_eq!(cpu.width, full.width);
        let narrow = MlpConfig {
            width: 256,
            ..full.clone()
        };
        assert!(!narrow.ntk_regime());
        assert!(!MlpConfig {
            width: 320,
            ..cpu.clone()
        }
        .ntk_regime());
        assert!(cpu.step_macs() * 8.0 < full.step_macs());
        // fig2-bt's ~2200 steps took 58 s in Chromium's wasm: the model says so to 2x
        let wasm = full.cpu_estimate(2200, true).seconds;
        assert!((29.0..116.0).contains(&wasm), "{wasm}");
        // the CPU preset's 4682 steps: 10–20 s in wasm (6.1 s natively on a loaded machine)
        let cpu_wasm = cpu.cpu_estimate(4682, true).seconds;
        assert!((10.0..20.0).contains(&cpu_wasm), "{cpu_wasm}");
    }

    #[test]
    fn the_fallback_shrinks_the_data_not_the_width() {
        let full = mlp_preset("fig2-bt").unwrap();
        let cpu = cpu_fallback(&full).expect("fig2-bt is too slow for wasm");
        assert_eq!(cpu.width, 2048);
        let small = mlp_preset(CPU_PRESET).unwrap();
        assert_eq!(cpu.dataset, small.dataset);
        assert!(cpu_fallback(&small).is_none());
    }
}
