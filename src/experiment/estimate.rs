//! How long a run takes, before it starts: the preparation's work plus steps × the work of
//! one step, in floating-point operations counted from the configuration's sizes, divided by
//! a throughput. The throughput is a stated assumption per backend and model
//! ([`Cost::assumed_flops`]) until the page has measured one on this device: a finished
//! cell-1 run reports its flops and time, and later linear estimates use that rate
//! (calibration by the visitor's own runs, see www/estimate.js).
//!
//! The counts are orders of magnitude, not a profile: a step's matrix products at
//! 2 flops per multiply-add, the data's Γ or NTK and their eigendecompositions.

use serde::Serialize;

use super::appg::{AppgConfig, AppgModel};
use super::config::{RunConfig, Solver};
use super::mlp::MlpConfig;

/// Assumed flop rate of the page's CPU path on the linear model (wasm, one thread; small
/// d x m products): cell 1's `small` preset ran 102,366 steps/s in headless Chromium on a
/// shared 2-core machine, 1.1e9 by this count.
pub const ASSUMED_CPU_FLOPS: f64 = 1.0e9;
/// Assumed flop rate of the CPU path on the MLP (larger products, SIMD-friendly):
/// `mlp-small-bt` ran 5,062 steps/s there, 4.9e9 by this count.
pub const ASSUMED_CPU_MLP_FLOPS: f64 = 5.0e9;
/// Assumed flop rate of a WebGPU device (a laptop's integrated GPU, small dispatches).
pub const ASSUMED_GPU_FLOPS: f64 = 2.0e10;

/// Which model's step a cost counts (its throughput differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostModel {
    Linear,
    Mlp,
}
/// Share of a full run one stable-η probe is assumed to cost.
const PROBE_SHARE: f64 = 0.25;
/// Modes the truncated solver keeps, assumed before Γ is known: this many per embedding
/// dimension (it keeps K ≥ d; the error bound rarely needs more than a few times d).
const TRUNCATED_MODES_PER_D: usize = 4;

/// The work of a run in floating-point operations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cost {
    /// Building the data, Γ (or the NTK) and its eigendecomposition.
    pub prepare_flops: f64,
    /// One gradient step (for a comparison: one step of every run it makes).
    pub step_flops: f64,
    /// The step count when the configuration fixes it; `None` when it is chosen from the
    /// theory once the data are prepared (`steps = auto`).
    pub steps: Option<u64>,
    /// Runs of that many steps (a comparison runs one per variant and η policy, and its
    /// stable-η probes count as a share of a run each).
    pub runs: f64,
    pub model: CostModel,
}

impl Cost {
    /// The assumed flop rate of this cost's model on the CPU (`gpu` false) or WebGPU.
    pub fn assumed_flops(&self, gpu: bool) -> f64 {
        match (gpu, self.model) {
            (true, _) => ASSUMED_GPU_FLOPS,
            (false, CostModel::Linear) => ASSUMED_CPU_FLOPS,
            (false, CostModel::Mlp) => ASSUMED_CPU_MLP_FLOPS,
        }
    }

    /// Seconds at `flops_per_second`, when the step count is known.
    pub fn seconds(&self, flops_per_second: f64) -> Option<f64> {
        self.steps
            .map(|s| self.seconds_for(s as f64, flops_per_second))
    }

    /// Seconds for `steps` steps (of every run) at `flops_per_second`, preparation included.
    pub fn seconds_for(&self, steps: f64, flops_per_second: f64) -> f64 {
        (self.prepare_flops + self.runs * steps * self.step_flops) / flops_per_second
    }
}

/// The cost of a linear run: Γ from 2n views of dimension m and its eigendecomposition,
/// then per step the solver's products (d²m eigenbasis, dm² literal, d²K truncated).
pub fn linear_cost(cfg: &RunConfig) -> Cost {
    let (n, m, d) = (
        2.0 * cfg.dataset.n as f64,
        cfg.dataset.m() as f64,
        cfg.d as f64,
    );
    let modes = (TRUNCATED_MODES_PER_D * cfg.d).min(cfg.dataset.m()) as f64;
    let (prepare, step) = match cfg.solver {
        Solver::Eigenbasis => (n * m * m + 10.0 * m * m * m, 2.0 * d * d * m),
        Solver::Literal => (n * m * m + 10.0 * m * m * m, 2.0 * d * m * m),
        Solver::Truncated => (n * m * m + 20.0 * m * m * modes, 2.0 * d * d * modes),
    };
    Cost {
        prepare_flops: prepare,
        step_flops: 3.0 * step,
        steps: cfg.steps,
        runs: 1.0,
        model: CostModel::Linear,
    }
}

/// The cost of an MLP run: the empirical NTK (N² entries over the network's P parameters)
/// and its eigendecomposition, then per step a forward and a backward pass over N = 2n views.
pub fn mlp_cost(cfg: &MlpConfig) -> Cost {
    let n = 2.0 * cfg.dataset.n as f64;
    let m = cfg.dataset.m() as f64 + 1.0;
    let params = cfg.width as f64 * (m + cfg.d as f64);
    Cost {
        prepare_flops: 2.0 * n * n * params + 10.0 * n * n * n,
        step_flops: 6.0 * n * params,
        steps: cfg.steps,
        runs: 1.0,
        model: CostModel::Mlp,
    }
}

/// The cost of an App. G comparison: its model's run once per variant (the baseline
/// included) and η policy, every run the same number of steps, plus the stable-η searches:
/// per variant log₂(max_factor) doublings and the bisections, each probe assumed to cost
/// [`PROBE_SHARE`] of a run (a probe stops at a few times the top mode's step time).
pub fn appg_cost(cfg: &AppgConfig) -> Cost {
    let base = match cfg.model {
        AppgModel::Linear => linear_cost(&cfg.run),
        AppgModel::Mlp => mlp_cost(&cfg.mlp),
    };
    let variants = cfg.variants.list().len() as f64;
    let policies = f64::from(u8::from(cfg.eta.equal()) + u8::from(cfg.eta.stable()));
    let probes = if cfg.eta.stable() {
        variants * (cfg.finder.max_factor.log2().ceil() + f64::from(cfg.finder.bisections))
    } else {
        0.0
    };
    Cost {
        runs: variants * policies.max(1.0) + PROBE_SHARE * probes,
        steps: match cfg.model {
            AppgModel::Linear => cfg.run.steps,
            AppgModel::Mlp => cfg.mlp.steps,
        },
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{overrides, preset, Config};

    #[test]
    fn costs_grow_with_the_sizes_that_drive_them() {
        let on = |name: &str, solver: &str| {
            let cfg = overrides::apply(&preset(name).unwrap(), &format!("solver={solver}"));
            linear_cost(&cfg.unwrap())
        };
        let (small, fig1) = (on("small", "eigenbasis"), on("fig1", "eigenbasis"));
        assert!(
            fig1.step_flops > 50.0 * small.step_flops,
            "{fig1:?} vs {small:?}"
        );
        // dm² vs d²m: m/d = 1200/10 times the work per step
        let ratio = on("fig1", "literal").step_flops / fig1.step_flops;
        assert!((ratio - 120.0).abs() < 1e-9, "{ratio}");
        // the default truncated solver steps on K ≪ m modes
        let truncated = linear_cost(&preset("fig1").unwrap());
        assert!(
            truncated.step_flops < fig1.step_flops / 10.0,
            "{truncated:?}"
        );
        let fixed = overrides::apply(&RunConfig::default(), "steps=1000").unwrap();
        let cost = linear_cost(&fixed);
        let s = cost.seconds(1e9).unwrap();
        let want = (cost.prepare_flops + 1000.0 * cost.step_flops) / 1e9;
        assert!((s - want).abs() < 1e-12 * want);
        assert_eq!(
            fig1.seconds(1e9),
            None,
            "auto steps: unknown before the data"
        );
    }

    #[test]
    fn a_comparison_costs_one_run_per_variant_and_policy_plus_its_searches() {
        let cfg = AppgConfig::preset("small").unwrap();
        let one = linear_cost(&cfg.run);
        let all = appg_cost(&cfg);
        let variants = cfg.variants.list().len() as f64;
        assert!(all.runs >= variants, "{all:?}");
        assert_eq!(all.step_flops, one.step_flops);
        let mlp = appg_cost(&AppgConfig::preset("fig2-bt").unwrap());
        assert!(mlp.step_flops > one.step_flops);
    }
}
