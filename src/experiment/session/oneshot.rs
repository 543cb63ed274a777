//! The cells computed in one call, as sessions of one step: [`InitCell`] (any small init
//! follows an aligned one, Result 4.6) and [`SymmetryCell`] (App. F's landscapes). Both run
//! on the CPU only.

use serde::{Deserialize, Serialize};

use super::cell::{Cell, EngineOf};
use super::choice::{AdapterInfo, BackendChoice, BackendKind};
use super::machine::Progress;
use super::stepper::OneShot;
use crate::data::photos::Photo;
use crate::experiment::cells::{init_comparison, landscape_from, InitComparison, Landscape};
use crate::experiment::{Config, RunConfig, RunError};
use crate::validate::ConfigError;

/// The init comparison of a [`RunConfig`] (on the bundled photos).
#[derive(Debug, Clone, Copy, Default)]
pub struct InitCell;

impl Cell for InitCell {
    type Config = RunConfig;
    /// The validated configuration: the comparison prepares its two runs itself.
    type Prepared = RunConfig;
    type Cpu = OneShot<InitComparison>;
    type Gpu = OneShot<InitComparison>;
    type Live = Option<InitComparison>;
    type Extras = ();
    type Result = Option<InitComparison>;

    fn prepare(&self, cfg: &RunConfig, _photos: Option<&[Photo]>) -> Result<RunConfig, RunError> {
        cfg.validate()?;
        Ok(cfg.clone())
    }

    fn cpu_only(&self, _cfg: &RunConfig) -> Option<String> {
        Some("the init comparison".into())
    }

    async fn start_cpu(&self, cfg: &RunConfig) -> Result<Self::Cpu, RunError> {
        let cfg = cfg.clone();
        Ok(OneShot::new(move || init_comparison(&cfg)))
    }

    fn estimate(&self, _: &RunConfig, _: BackendKind, _: &AdapterInfo) -> Option<f64> {
        None
    }

    fn extras(&self, _cfg: &RunConfig) {}

    fn live(&self, cfg: &RunConfig, engine: &EngineOf<Self>) -> Self::Live {
        let mut live = None;
        self.sync(&mut live, cfg, engine);
        live
    }

    fn sync(&self, live: &mut Self::Live, _cfg: &RunConfig, engine: &EngineOf<Self>) {
        if live.is_none() {
            *live = engine.cpu().and_then(OneShot::value).cloned();
        }
    }

    fn progress(&self, live: &Self::Live, progress: &mut Progress) {
        progress.records = live.as_ref().map_or(0, |c| c.random.len() as u32);
    }

    fn result(&self, _: &RunConfig, live: &Self::Live, _: &BackendChoice) -> Self::Result {
        live.clone()
    }
}

/// At most this many γ's (one colour each).
pub const MAX_GAMMAS: usize = 8;
/// Accepted γ's.
pub const GAMMA_MIN: f64 = 0.01;
pub const GAMMA_MAX: f64 = 100.0;
/// Accepted s(0) = c(0).
pub const INIT_MIN: f64 = 1e-12;
/// s(0) must start well below the SSL minimum: γ s(0)² at most this.
pub const MAX_START: f64 = 0.1;
/// Points per curve.
const POINTS: usize = 801;

/// The symmetry cell's γ's and s(0) = c(0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SymmetryConfig {
    pub gammas: Vec<f64>,
    pub init: f64,
}

impl Default for SymmetryConfig {
    fn default() -> Self {
        Self {
            gammas: vec![1.0, 0.5, 0.25],
            init: 1e-3,
        }
    }
}

impl Config for SymmetryConfig {
    fn memory_need(&self) -> crate::experiment::memory::MemoryNeed {
        crate::experiment::memory::symmetry_need(self)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let n = self.gammas.len();
        if n == 0 || n > MAX_GAMMAS {
            let msg = format!("give 1 to {MAX_GAMMAS} values of γ, not {n}");
            return Err(ConfigError::new("gammas", msg));
        }
        if let Some(g) = self
            .gammas
            .iter()
            .find(|g| !(GAMMA_MIN..=GAMMA_MAX).contains(*g))
        {
            let msg =
                format!("γ = {g} is out of range: use values from {GAMMA_MIN} to {GAMMA_MAX}");
            return Err(ConfigError::new("gammas", msg));
        }
        if !(self.init.is_finite() && self.init >= INIT_MIN) {
            let msg = format!("s(0) = {} must be at least {INIT_MIN:e}", self.init);
            return Err(ConfigError::new("init", msg));
        }
        let top = self.gammas.iter().copied().fold(0.0, f64::max);
        if top * self.init * self.init > MAX_START {
            let limit = (MAX_START / top).sqrt();
            let msg = format!(
                "s(0) = {} is not small for γ = {top}: use s(0) ≤ {limit:.3} (γ s(0)² ≤ {MAX_START})",
                self.init
            );
            return Err(ConfigError::new("init", msg));
        }
        Ok(())
    }

    fn presets() -> Vec<(&'static str, Self)> {
        vec![("default", Self::default())]
    }
}

/// The landscapes of a [`SymmetryConfig`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SymmetryCell;

/// The computed landscapes (`None` before the one step).
pub type SymmetryLive = Option<Landscape>;

impl Cell for SymmetryCell {
    type Config = SymmetryConfig;
    type Prepared = SymmetryConfig;
    type Cpu = OneShot<Landscape>;
    type Gpu = OneShot<Landscape>;
    type Live = SymmetryLive;
    type Extras = ();
    type Result = SymmetryLive;

    fn prepare(
        &self,
        cfg: &SymmetryConfig,
        _: Option<&[Photo]>,
    ) -> Result<SymmetryConfig, RunError> {
        cfg.validate()?;
        Ok(cfg.clone())
    }

    fn cpu_only(&self, _cfg: &SymmetryConfig) -> Option<String> {
        Some("the symmetry landscape".into())
    }

    /// The s axis spans both minima of every γ: SSL's at ±γ^{-1/2}, supervised's at 1/γ.
    async fn start_cpu(&self, cfg: &SymmetryConfig) -> Result<Self::Cpu, RunError> {
        let cfg = cfg.clone();
        Ok(OneShot::new(move || {
            let reach = cfg
                .gammas
                .iter()
                .map(|g| (1.0 / g.sqrt()).max(1.0 / g))
                .fold(0.0, f64::max);
            Ok(landscape_from(&cfg.gammas, 1.25 * reach, POINTS, cfg.init))
        }))
    }

    fn estimate(&self, _: &SymmetryConfig, _: BackendKind, _: &AdapterInfo) -> Option<f64> {
        None
    }

    fn extras(&self, _cfg: &SymmetryConfig) {}

    fn live(&self, cfg: &SymmetryConfig, engine: &EngineOf<Self>) -> SymmetryLive {
        let mut live = None;
        self.sync(&mut live, cfg, engine);
        live
    }

    fn sync(&self, live: &mut SymmetryLive, _: &SymmetryConfig, engine: &EngineOf<Self>) {
        if live.is_none() {
            *live = engine.cpu().and_then(OneShot::value).cloned();
        }
    }

    fn progress(&self, live: &SymmetryLive, progress: &mut Progress) {
        progress.records = live.as_ref().map_or(0, |l| l.times.len() as u32);
    }

    fn result(&self, _: &SymmetryConfig, live: &SymmetryLive, _: &BackendChoice) -> SymmetryLive {
        live.clone()
    }
}
