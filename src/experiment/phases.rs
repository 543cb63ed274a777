//! Where a linear run's time goes, phase by phase (each phase timed on its own), natively
//! (`stepwise bench`) and in the browser (the same code in wasm, timed by the page's clock).

use serde::Serialize;

use super::{LinearRun, RunConfig, RunError, Solver, TRUNCATION_TOL};
use crate::{data, linalg, model};

/// Seconds per phase of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Phases {
    /// The positive pairs.
    pub data: f64,
    /// Γ (m x m, f64).
    pub gamma: f64,
    /// Γ's eigenpairs: all of them, or the truncated solver's top K.
    pub eigen: f64,
    /// All of `prepare` (data, Γ, eigenpairs, W(0), theory, η and steps).
    pub prepare: f64,
    /// The gradient steps with the records (eigenvalues of C every k steps).
    pub steps: f64,
    /// The result: theory on the record grid.
    pub assemble: f64,
}

impl Phases {
    pub fn summary(&self) -> String {
        format!(
            "data {:.4} s, Γ {:.4} s, eigenpairs {:.4} s (prepare {:.4} s in all), steps and \
             records {:.4} s, result with theory {:.4} s",
            self.data, self.gamma, self.eigen, self.prepare, self.steps, self.assemble
        )
    }
}

/// Times each phase of `cfg`'s CPU run once; `now` reads a clock in seconds.
pub fn measure(cfg: &RunConfig, now: impl Fn() -> f64) -> Result<Phases, RunError> {
    let clock = now();
    let pairs = data::build(&cfg.dataset)?;
    let data = now() - clock;
    let clock = now();
    let gamma = model::linear::gamma(&pairs);
    let gamma_s = now() - clock;
    let w0 = super::init_weights(cfg.d, pairs.m, cfg.init_scale, cfg.seed);
    let w0 = linalg::mat_from_row_major(cfg.d, pairs.m, &w0);
    let clock = now();
    match cfg.solver {
        Solver::Truncated => {
            super::truncated_eigen(cfg, gamma.as_ref(), w0.as_ref(), TRUNCATION_TOL)?;
        }
        Solver::Eigenbasis | Solver::Literal => {
            linalg::sym_eigen(gamma.as_ref())?;
        }
    }
    let eigen = now() - clock;
    let clock = now();
    let prep = super::prepare(cfg)?;
    let prepare = now() - clock;
    let clock = now();
    let run = pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), &prep).await?;
        run.finish().await?;
        Ok::<_, RunError>(run)
    })?;
    let steps = now() - clock;
    let clock = now();
    let result = super::assemble(&prep, &run, false);
    let assemble = now() - clock;
    drop(result);
    Ok(Phases {
        data,
        gamma: gamma_s,
        eigen,
        prepare,
        steps,
        assemble,
    })
}

/// A small truncated linear run on planted data, start to result: the page's worker runs it
/// once while it starts (docs/architecture.md §4, "Warm-up"), so that the browser's wasm
/// engine has compiled the functions of fig1's path (Γ, Lanczos, the steps, the theory) with
/// its optimizing tier before the first real run, instead of running them in its baseline
/// tier. A few tens of ms, natively a few ms.
pub fn warm_up() -> Result<(), RunError> {
    let prep = super::prepare(&warm_up_config())?;
    let run = pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), &prep).await?;
        run.finish().await?;
        Ok::<_, RunError>(run)
    })?;
    drop(super::assemble(&prep, &run, false));
    // the planted spectrum needs a Krylov basis of 30 only: fig1's Rayleigh–Ritz solves
    // symmetric eigenproblems up to ~180 (a size where faer takes other code paths)
    let side = WARM_UP_RITZ.min(prep.pairs.m);
    linalg::sym_eigen(prep.gamma.submatrix(0, 0, side, side))?;
    Ok(())
}

/// The size of the warm-up's symmetric eigenproblem (fig1's largest Rayleigh–Ritz).
const WARM_UP_RITZ: usize = 180;

/// The warm-up's run: m = 240, large enough for the Lanczos path of the truncated solver
/// (linalg::top_eigen), small enough to cost little.
fn warm_up_config() -> RunConfig {
    use crate::data::{DatasetConfig, DatasetKind};
    RunConfig {
        dataset: DatasetConfig {
            kind: DatasetKind::Planted,
            n: 120,
            dim: 240,
            ..DatasetConfig::default()
        },
        steps: Some(400),
        ..RunConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_takes_fig1s_path() {
        // the truncated solver through Lanczos (a basis smaller than m), as fig1's
        let cfg = warm_up_config();
        assert_eq!(cfg.solver, Solver::Truncated);
        let prep = super::super::prepare(&cfg).unwrap();
        let truncation = prep.truncation.as_ref().unwrap();
        assert!(
            truncation.basis < prep.pairs.m,
            "basis {}",
            truncation.basis
        );
        warm_up().unwrap();
    }
}
