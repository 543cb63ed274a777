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
