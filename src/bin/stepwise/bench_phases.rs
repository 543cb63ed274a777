//! Where a linear run's time goes, phase by phase (each phase timed on its own).

use std::time::Instant;

use serde::Serialize;
use stepwise::experiment::{self, LinearRun, RunConfig, Solver, TRUNCATION_TOL};
use stepwise::{data, linalg, model};

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

/// Times each phase of `cfg`'s CPU run once.
pub fn measure(cfg: &RunConfig) -> Result<Phases, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let clock = Instant::now();
    let pairs = data::build(&cfg.dataset).map_err(|e| err(&e))?;
    let data = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let gamma = model::linear::gamma(&pairs);
    let gamma_s = clock.elapsed().as_secs_f64();
    let w0 = experiment::init_weights(cfg.d, pairs.m, cfg.init_scale, cfg.seed);
    let w0 = linalg::mat_from_row_major(cfg.d, pairs.m, &w0);
    let clock = Instant::now();
    match cfg.solver {
        Solver::Truncated => {
            experiment::truncated_eigen(cfg, gamma.as_ref(), w0.as_ref(), TRUNCATION_TOL)
                .map_err(|e| err(&e))?;
        }
        Solver::Eigenbasis | Solver::Literal => {
            linalg::sym_eigen(gamma.as_ref()).map_err(|e| err(&e))?;
        }
    }
    let eigen = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let prep = experiment::prepare(cfg).map_err(|e| err(&e))?;
    let prepare = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let run = pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), &prep).await?;
        run.finish().await?;
        Ok::<_, experiment::RunError>(run)
    })
    .map_err(|e| err(&e))?;
    let steps = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let result = experiment::assemble(&prep, &run, false);
    let assemble = clock.elapsed().as_secs_f64();
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
