//! Everything a linear run needs before its first step: data, Γ, its spectrum, W(0), theory,
//! and the resolved η and step count.

use std::sync::OnceLock;

use faer::Mat;

use super::config::{RunConfig, Solver, TheoryTime, MAX_STEPS};
use super::cpu::CpuBackend;
use super::result::digest;
use super::truncation::{truncated_eigen, Truncation, TRUNCATION_TOL};
use super::RunError;
use crate::data::photos::Photo;
use crate::data::rng::{stream, Rng};
use crate::data::{self, Pairs};
use crate::linalg::{self, SymEigen};
use crate::model::linear;
use crate::theory::LinearTheory;
use crate::validate::ConfigError;

/// A run ready to start.
#[derive(Clone)]
pub struct Prepared {
    /// The configuration with `lr` and `steps` resolved.
    pub config: RunConfig,
    pub pairs: Pairs,
    /// Γ in f64 (m x m).
    pub gamma: Mat<f64>,
    /// Eigenpairs of Γ, descending: all m of them, or the top K for the truncated solver
    /// (then `vectors` is m x K).
    pub eigen: SymEigen,
    /// W(0), row-major d x m, f32 as the simulation uses it.
    pub w0: Vec<f32>,
    pub theory: LinearTheory,
    /// For the truncated solver: what it leaves out (the inputs of its error bound).
    pub truncation: Option<Truncation>,
    /// How many of the visitor's own images the photo patches were cut from (None: the
    /// bundled photos, or a dataset without photos).
    pub local_images: Option<usize>,
    /// [`Prepared::data_digest`], computed on first use.
    digest: OnceLock<String>,
}

impl Prepared {
    /// FNV-1a of the bits of X, X′ and W(0) (the results' `data_digest`), computed once on
    /// first use: hashing 4.8 MB byte by byte costs more than fig1's steps in wasm, and a
    /// page needs it only when a result leaves it.
    pub fn data_digest(&self) -> String {
        self.digest
            .get_or_init(|| digest(&[&self.pairs.x, &self.pairs.x_prime, &self.w0]))
            .clone()
    }

    /// η of the run.
    pub fn lr(&self) -> f64 {
        self.config.lr.unwrap_or(0.0)
    }

    /// Number of steps of the run.
    pub fn steps(&self) -> u64 {
        self.config.steps.unwrap_or(0)
    }

    /// The CPU backend for this run's solver, holding W(0).
    pub fn cpu_backend(&self) -> CpuBackend {
        self.cpu_backend_at(self.lr())
    }

    /// The CPU backend for this run's solver, holding W(0), stepping at `lr`.
    pub fn cpu_backend_at(&self, lr: f64) -> CpuBackend {
        let lr = lr as f32;
        match self.config.solver {
            Solver::Literal => {
                CpuBackend::literal(self.pairs.m, self.config.d, &self.gamma_f32(), &self.w0, lr)
            }
            Solver::Eigenbasis | Solver::Truncated => CpuBackend::eigenbasis(
                &self.eigen.values,
                self.eigen.vectors.as_ref(),
                &self.w0,
                lr,
            ),
        }
    }

    /// For the eigenbasis (and truncated) solver: Γ's K eigenvalues (K = m, or the modes
    /// kept), its eigenvectors (row-major m x K, as columns) and A(0) = W(0) V (row-major
    /// d x K), all f32.
    pub fn eigenbasis_f32(&self) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (m, d) = (self.pairs.m, self.config.d);
        let v = &self.eigen.vectors;
        let k = v.ncols();
        let w0 = linalg::mat_from_row_major(d, m, &self.w0);
        let a0 = &w0 * v;
        let values = self.eigen.values.iter().map(|x| *x as f32).collect();
        let vectors = (0..m * k).map(|i| v[(i / k, i % k)] as f32).collect();
        let a0 = (0..d * k).map(|i| a0[(i / k, i % k)] as f32).collect();
        (values, vectors, a0)
    }

    /// Γ as row-major f32, for the backends.
    pub fn gamma_f32(&self) -> Vec<f32> {
        let m = self.gamma.nrows();
        (0..m * m)
            .map(|k| self.gamma[(k / m, k % m)] as f32)
            .collect()
    }

    /// The stability bound 1/(4 γ_1).
    pub fn stable_lr_bound(&self) -> f64 {
        1.0 / (4.0 * self.eigen.values[0])
    }
}

/// Builds the data, Γ and its eigendecomposition, W(0) and the theory; resolves `lr` and
/// `steps`.
pub fn prepare(cfg: &RunConfig) -> Result<Prepared, RunError> {
    prepare_with_tolerance(cfg, TRUNCATION_TOL)
}

/// [`prepare`], where the truncated solver keeps the fewest modes whose a-priori error
/// bound is at most `tol` (instead of [`TRUNCATION_TOL`]).
pub fn prepare_with_tolerance(cfg: &RunConfig, tol: f64) -> Result<Prepared, RunError> {
    prepare_from(cfg, tol, None)
}

/// [`prepare`] on the visitor's own photos (`local`) instead of the bundled ones when given
/// (see [`data::build_from`]).
pub fn prepare_with_photos(cfg: &RunConfig, local: Option<&[Photo]>) -> Result<Prepared, RunError> {
    prepare_from(cfg, TRUNCATION_TOL, local)
}

fn prepare_from(cfg: &RunConfig, tol: f64, local: Option<&[Photo]>) -> Result<Prepared, RunError> {
    cfg.validate()?;
    let pairs = data::build_from(&cfg.dataset, local)?;
    let local_images = data::local_images(&cfg.dataset, local);
    let gamma = linear::gamma(&pairs);
    let w0 = init_weights(cfg.d, pairs.m, cfg.init_scale, cfg.seed);
    let w0_64 = linalg::mat_from_row_major(cfg.d, pairs.m, &w0);
    let (eigen, truncation) = match cfg.solver {
        Solver::Truncated => {
            let (eigen, truncation) = truncated_eigen(cfg, gamma.as_ref(), w0_64.as_ref(), tol)?;
            (eigen, Some(truncation))
        }
        Solver::Eigenbasis | Solver::Literal => (linalg::sym_eigen(gamma.as_ref())?, None),
    };
    let gamma1 = eigen.values[0];
    if gamma1 <= 0.0 {
        return Err(RunError::NoPositiveMode);
    }
    let lr = cfg.lr.unwrap_or(0.4 / (4.0 * gamma1));
    let mut theory = LinearTheory::new(w0_64.as_ref(), &eigen.values, eigen.vectors.as_ref());
    if cfg.theory_time == TheoryTime::Discrete {
        theory = theory.discrete(lr);
    }
    let config = resolve(cfg, lr, &theory)?;
    Ok(Prepared {
        config,
        pairs,
        gamma,
        eigen,
        w0,
        theory,
        truncation,
        local_images,
        digest: OnceLock::new(),
    })
}

/// W(0) with i.i.d. N(0, α²) entries, row-major d x m.
pub fn init_weights(d: usize, m: usize, alpha: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed, stream::INIT);
    (0..d * m).map(|_| (alpha * rng.normal()) as f32).collect()
}

fn resolve(cfg: &RunConfig, lr: f64, theory: &LinearTheory) -> Result<RunConfig, RunError> {
    let steps = match cfg.steps {
        Some(s) => s,
        None => auto_steps(lr, theory)?,
    };
    let out = RunConfig {
        lr: Some(lr),
        steps: Some(steps),
        ..cfg.clone()
    };
    out.validate()?;
    Ok(out)
}

/// Steps until t = 1.3 τ_last (of the linear theory or the NTK's).
pub(super) fn auto_steps(lr: f64, theory: &LinearTheory) -> Result<u64, RunError> {
    let tau = theory.last_tau().ok_or(RunError::NoPositiveMode)?;
    let steps = (1.3 * tau.max(0.0) / lr).ceil().max(1.0);
    if steps > MAX_STEPS as f64 {
        return Err(ConfigError::new(
            "steps",
            format!(
                "running until t = 1.3·τ_d = {:.3} at η = {lr:.3e} takes {steps:.0} steps, more \
                 than {MAX_STEPS}: set `steps`, a larger `lr` or a larger `init_scale`",
                1.3 * tau
            ),
        )
        .into());
    }
    Ok(steps as u64)
}
