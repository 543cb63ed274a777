//! The computations behind the notebook's cells after Figure 1 (pure Rust: no DOM, no GPU):
//!
//! 1. [`init_comparison`]: any small init follows an aligned one (Result 4.6);
//! 2. [`learned_directions`] / [`top_eigenvectors`]: SSL as kernel PCA (Section 5), the
//!    learned W spans Γ's top eigenvectors, one per step;
//! 3. [`landscape`]: the modewise SSL loss is a double well, the supervised one a single well,
//!    hence SSL's delayed escape vs supervised's immediate approach (App. F, docs/math.md §9).

use faer::Mat;

use super::config::{check_record_count, MAX_STEPS};
use super::{
    assemble, prepare, theory_records, CpuBackend, LinearBackend, LinearRun, Prepared, Record,
    RunConfig, RunError, RunResult, Solver,
};
use crate::linalg::{self, LinalgError};
use crate::theory::linear::aligned_init;
use crate::theory::LinearTheory;
use crate::validate::ConfigError;

/// The same run from its random W(0) and from the aligned W_al(0) = diag(s(0)) [v_1 … v_d]ᵀ
/// with the same effective s_j(0): same data, η, steps and record times.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InitComparison {
    /// The resolved configuration (automatic `lr` and `steps` filled in).
    pub config: RunConfig,
    /// γ_1 ≥ … ≥ γ_d.
    pub gamma: Vec<f64>,
    /// Effective initial singular values s_j(0) of the random W(0), shared by W_al(0).
    pub s0: Vec<f64>,
    /// Step times τ_j (`None` for γ_j ≤ 0).
    pub tau: Vec<Option<f64>>,
    /// Records of the run from the random W(0).
    pub random: Vec<Record>,
    /// Records of the run from the aligned W_al(0), at the same times.
    pub aligned: Vec<Record>,
    /// The closed form on the same times.
    pub theory: Vec<Record>,
}

impl InitComparison {
    /// Largest |λ_j(random) − λ_j(aligned)| over all records and modes.
    pub fn max_gap(&self) -> f64 {
        max_gap(&self.random, &self.aligned)
    }

    /// Largest |λ_j(aligned) − λ_j(theory)|: the aligned run is the theory's exact case.
    pub fn max_aligned_theory_gap(&self) -> f64 {
        max_gap(&self.aligned, &self.theory)
    }

    /// λ_j(random) − λ_j(aligned) at each record time, as records (loss NaN: not drawn).
    pub fn gap_records(&self) -> Vec<Record> {
        let gap = |(r, a): (&Record, &Record)| Record {
            t: r.t,
            step: r.step,
            loss: f64::NAN,
            eigenvalues: r
                .eigenvalues
                .iter()
                .zip(&a.eigenvalues)
                .map(|(x, y)| x - y)
                .collect(),
        };
        self.random.iter().zip(&self.aligned).map(gap).collect()
    }
}

fn max_gap(a: &[Record], b: &[Record]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.eigenvalues.iter().zip(&y.eigenvalues))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// λ_j the theory reaches by the end of an automatic init comparison.
pub const INIT_LEARNED_LEVEL: f64 = 0.95;

/// [`prepare`]d for the init comparison: with automatic `steps`, the run lasts until the
/// theory's every mode reaches [`INIT_LEARNED_LEVEL`], and at least until 1.3·τ_d. At a
/// large α (0.1) the steps are wide next to their τ_j, and 1.3·τ_d alone ends mid-step.
pub fn prepare_init(cfg: &RunConfig) -> Result<Prepared, RunError> {
    let mut prep = prepare(cfg)?;
    if cfg.steps.is_some() {
        return Ok(prep);
    }
    let theory = &prep.theory;
    let learned = (0..theory.d())
        .filter_map(|j| theory.time_to_reach(j, INIT_LEARNED_LEVEL))
        .fold(0.0, f64::max);
    let steps = (learned / prep.lr()).ceil();
    if steps > prep.steps() as f64 {
        let steps = steps.min(MAX_STEPS as f64) as u64;
        check_record_count(steps, prep.config.record_every)?;
        prep.config.steps = Some(steps);
    }
    Ok(prep)
}

/// Runs `cfg` from its random W(0) and from the aligned init with the same s_j(0), both on
/// the CPU with the configured solver, for [`prepare_init`]'s steps.
pub fn init_comparison(cfg: &RunConfig) -> Result<InitComparison, RunError> {
    let prep = prepare_init(cfg)?;
    let random = run_records(prep.cpu_backend(), &prep)?;
    let aligned = run_records(aligned_backend(&prep), &prep)?;
    let theory = theory_records(&prep.theory, &random);
    Ok(InitComparison {
        config: prep.config.clone(),
        gamma: prep.theory.gamma.clone(),
        s0: prep.theory.s0.clone(),
        tau: prep.theory.taus(),
        random,
        aligned,
        theory,
    })
}

/// W_al(0) = diag(s(0)) [v_1 … v_d]ᵀ with the run's effective s_j(0), row-major d x m f32.
pub fn aligned_w0(prep: &Prepared) -> Vec<f32> {
    let w = aligned_init(&prep.theory.s0, prep.eigen.vectors.as_ref());
    row_major_f32(&w)
}

fn row_major_f32(w: &Mat<f64>) -> Vec<f32> {
    (0..w.nrows())
        .flat_map(|i| (0..w.ncols()).map(move |k| w[(i, k)] as f32))
        .collect()
}

/// A CPU backend for the run's solver holding W_al(0) instead of W(0).
fn aligned_backend(prep: &Prepared) -> CpuBackend {
    let (w0, lr) = (aligned_w0(prep), prep.lr() as f32);
    match prep.config.solver {
        Solver::Literal => {
            CpuBackend::literal(prep.pairs.m, prep.config.d, &prep.gamma_f32(), &w0, lr)
        }
        Solver::Eigenbasis | Solver::Truncated => {
            let vectors = prep.eigen.vectors.as_ref();
            CpuBackend::eigenbasis(&prep.eigen.values, vectors, &w0, lr)
        }
    }
}

fn run_records<B: LinearBackend>(backend: B, prep: &Prepared) -> Result<Vec<Record>, RunError> {
    pollster::block_on(async {
        let mut run = LinearRun::start(backend, prep).await?;
        run.finish().await?;
        Ok(run.records().to_vec())
    })
}

/// Prepares and runs `cfg` to the end on the CPU; returns the result and the final W
/// (row-major d x m), the input of [`learned_directions`].
pub fn run_cpu_with_weights(cfg: &RunConfig) -> Result<(RunResult, Vec<f32>), RunError> {
    let prep = prepare(cfg)?;
    pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), &prep).await?;
        run.finish().await?;
        let w = run.backend_mut().weights().await?;
        Ok((assemble(&prep, &run, false), w))
    })
}

/// The d directions a trained W has learned, in the order it learned them.
///
/// At convergence W = U diag(γ_j^{-1/2}) [v_1 … v_d]ᵀ (Def. 4.2): its right singular vectors
/// are Γ's top eigenvectors and its singular values s_j = γ_j^{-1/2}, so sorting them by
/// singular value *ascending* puts the first-learned (largest γ) direction first. Meant for
/// the final W: mid-run, unlearned rows have singular values ~α and would sort first.
/// `final_w` is row-major d x m; each direction is a unit m-vector whose largest-|·| entry
/// is positive. Returns min(d, m) directions.
pub fn learned_directions(final_w: &[f32], d: usize, m: usize) -> Result<Vec<Vec<f32>>, RunError> {
    if d == 0 || m == 0 || final_w.len() != d * m {
        let msg = format!("expected d·m = {d}·{m} entries, got {}", final_w.len());
        return Err(ConfigError::new("final_w", msg).into());
    }
    if final_w.iter().any(|v| !v.is_finite()) {
        return Err(LinalgError::NotFinite.into());
    }
    let w = linalg::mat_from_row_major(d, m, final_w);
    let svd = w.thin_svd().map_err(|_| LinalgError::NoConvergence)?;
    let (s, v) = (svd.S().column_vector(), svd.V());
    let mut order: Vec<usize> = (0..d.min(m)).collect();
    order.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    Ok(order
        .into_iter()
        .map(|j| oriented((0..m).map(|i| v[(i, j)])))
        .collect())
}

/// Γ's top eigenvectors v_1 … v_d (descending γ), with the sign convention of
/// [`learned_directions`] so the two can be compared entry by entry.
pub fn top_eigenvectors(prep: &Prepared, d: usize) -> Vec<Vec<f32>> {
    let vectors = &prep.eigen.vectors;
    (0..d.min(vectors.ncols()))
        .map(|j| oriented((0..vectors.nrows()).map(|i| vectors[(i, j)])))
        .collect()
}

/// The vector as f32, flipped so that its largest-|·| entry (the first such) is positive.
fn oriented(v: impl Iterator<Item = f64>) -> Vec<f32> {
    let v: Vec<f64> = v.collect();
    let peak = v
        .iter()
        .fold(0.0f64, |p, &x| if x.abs() > p.abs() { x } else { p });
    let sign = if peak < 0.0 { -1.0 } else { 1.0 };
    v.iter().map(|x| (sign * x) as f32).collect()
}

/// Default s(0) = c(0) of the landscape's trajectories.
pub const LANDSCAPE_INIT: f64 = 1e-3;
/// Target coefficient c* of the supervised mode.
pub const C_STAR: f64 = 1.0;

/// App. F: one SSL mode against one supervised mode, for several γ.
///
/// SSL: L(s) = (1 − γ s²)², a double well with an unstable maximum L(0) = 1 and minima at
/// s = ±γ^{-1/2}; gradient flow ds/dt = −dL/ds = 4 γ s (1 − γ s²).
/// Supervised (kernel regression in Γ's eigenbasis, Jacot et al.): L(c) = (c* − γ c)² with
/// c* = [`C_STAR`], a single well with its minimum at c = c*/γ.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Landscape {
    /// The γ's (finite and positive), in the order given.
    pub gammas: Vec<f64>,
    /// s(0) = c(0) of the trajectories.
    pub init: f64,
    /// The parameter grid (s for SSL, c for supervised) on [−s_max, s_max].
    pub params: Vec<f64>,
    /// Per γ: (1 − γ s²)² on `params`.
    pub ssl_loss: Vec<Vec<f64>>,
    /// Per γ: (c* − γ c)² on `params`.
    pub supervised_loss: Vec<Vec<f64>>,
    /// The time grid of the trajectories, from 0.
    pub times: Vec<f64>,
    /// Per γ: s(t) on `times`.
    pub ssl: Vec<Vec<f64>>,
    /// Per γ: c(t) on `times`.
    pub supervised: Vec<Vec<f64>>,
    /// Per γ: SSL escape time τ = ln(1/(γ s(0)²)) / (8γ), where γ s² = 1/2.
    pub ssl_tau: Vec<f64>,
    /// Per γ: supervised half-time ln 2 / (2γ²), the same for every c(0).
    pub supervised_half: Vec<f64>,
}

/// SSL modewise loss (1 − γ s²)².
pub fn ssl_loss(gamma: f64, s: f64) -> f64 {
    (1.0 - gamma * s * s).powi(2)
}

/// Supervised modewise loss (c* − γ c)².
pub fn supervised_loss(gamma: f64, c: f64) -> f64 {
    (C_STAR - gamma * c).powi(2)
}

/// s(t) under ds/dt = 4 γ s (1 − γ s²) from s(0) = `s0` (gradient flow, γ > 0): with
/// λ = γ s² this is the logistic dλ/dt = 8 γ λ (1 − λ), so s(t) = sqrt(λ(t)/γ) with the
/// closed form λ(t) of [`LinearTheory::lambda`].
pub fn ssl_trajectory(gamma: f64, s0: f64, t: f64) -> f64 {
    let lambda = LinearTheory::from_s0(vec![gamma], vec![s0]).lambda(0, t);
    (lambda / gamma).max(0.0).sqrt().copysign(s0)
}

/// c(t) under gradient flow on L(c) = (c* − γ c)² from c(0) = `c0`.
///
/// dc/dt = −dL/dc = −2 (c* − γ c)(−γ) = 2 γ (c* − γ c). With u = c − c*/γ this is
/// du/dt = −2 γ² u, so u(t) = u(0) e^{−2γ² t}, i.e.
/// c(t) = (c*/γ)(1 − e^{−2γ² t}) + c(0) e^{−2γ² t}: an exponential approach from t = 0,
/// halfway from c(0) to c*/γ at t = ln 2 / (2γ²) whatever c(0).
pub fn supervised_trajectory(gamma: f64, c0: f64, t: f64) -> f64 {
    let decay = (-2.0 * gamma * gamma * t).exp();
    C_STAR / gamma * (1.0 - decay) + c0 * decay
}

/// [`landscape_from`] with s(0) = c(0) = [`LANDSCAPE_INIT`].
pub fn landscape(gammas: &[f64], s_max: f64, points: usize) -> Landscape {
    landscape_from(gammas, s_max, points, LANDSCAPE_INIT)
}

/// The landscapes on `points` values of s and c in [−s_max, s_max], and the trajectories
/// from s(0) = c(0) = `init` on `points` times up to when every SSL mode has escaped
/// (1.5 τ) and every supervised one is within 3% of c*/γ (5 half-times).
///
/// Forgiving, for fixed notebook inputs: γ's that are not finite and positive are dropped,
/// `points` is at least 2, a non-positive or non-finite `s_max` becomes 1 and `init`
/// becomes [`LANDSCAPE_INIT`] unless it is finite and non-zero.
pub fn landscape_from(gammas: &[f64], s_max: f64, points: usize, init: f64) -> Landscape {
    let gammas: Vec<f64> = gammas
        .iter()
        .copied()
        .filter(|g| g.is_finite() && *g > 0.0)
        .collect();
    let points = points.max(2);
    let s_max = if s_max.is_finite() && s_max > 0.0 {
        s_max
    } else {
        1.0
    };
    let init = if init.is_finite() && init != 0.0 {
        init
    } else {
        LANDSCAPE_INIT
    };
    let ssl_tau: Vec<f64> = gammas
        .iter()
        .map(|g| (1.0 / (g * init * init)).ln() / (8.0 * g))
        .collect();
    let supervised_half: Vec<f64> = gammas.iter().map(|g| 2f64.ln() / (2.0 * g * g)).collect();
    let t_end = ssl_tau
        .iter()
        .map(|t| 1.5 * t)
        .chain(supervised_half.iter().map(|h| 5.0 * h))
        .fold(0.0, f64::max);
    let params = grid(-s_max, s_max, points);
    let times = grid(0.0, if t_end > 0.0 { t_end } else { 1.0 }, points);
    let per_gamma = |xs: &[f64], f: &dyn Fn(f64, f64) -> f64| -> Vec<Vec<f64>> {
        gammas
            .iter()
            .map(|&g| xs.iter().map(|&x| f(g, x)).collect())
            .collect()
    };
    Landscape {
        ssl_loss: per_gamma(&params, &ssl_loss),
        supervised_loss: per_gamma(&params, &supervised_loss),
        ssl: per_gamma(&times, &|g, t| ssl_trajectory(g, init, t)),
        supervised: per_gamma(&times, &|g, t| supervised_trajectory(g, init, t)),
        gammas,
        init,
        params,
        times,
        ssl_tau,
        supervised_half,
    }
}

/// `n` ≥ 2 evenly spaced values from `lo` to `hi` inclusive.
fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: f64, eigenvalues: Vec<f64>) -> Record {
        Record::at(t, eigenvalues)
    }

    #[test]
    fn gap_records_subtract_the_aligned_run() {
        let cmp = InitComparison {
            config: RunConfig::default(),
            gamma: vec![1.0, 0.5],
            s0: vec![1e-3; 2],
            tau: vec![None; 2],
            random: vec![rec(0.0, vec![0.0, 0.0]), rec(2.0, vec![0.75, 0.25])],
            aligned: vec![rec(0.0, vec![0.0, 0.0]), rec(2.0, vec![0.5, 0.5])],
            theory: Vec::new(),
        };
        let gaps = cmp.gap_records();
        assert_eq!(gaps.len(), 2);
        assert_eq!((gaps[1].t, gaps[1].step), (2.0, 2));
        assert_eq!(gaps[1].eigenvalues, vec![0.25, -0.25]);
        assert!(gaps[0].loss.is_nan());
        assert_eq!(cmp.max_gap(), 0.25);
    }
}
