//! What an MLP run produces: the linear run's JSON schema (records, theory) plus the hidden
//! representation's eigenvalues and the NTK summary.

use faer::Mat;
use serde::{Deserialize, Serialize};

use super::backend::MlpBackend;
use super::config::MlpConfig;
use super::prepare::{MlpPrepared, MlpSetup};
use super::run::{HiddenRecord, MlpRun};
use crate::experiment::native::theory_records;
pub use crate::experiment::result::crossing_times;
use crate::experiment::result::{digest, max_gap};
use crate::experiment::{Record, RunError, TheoryResult};
use crate::model::mlp;
use crate::theory::ntk::subspace_alignment;

/// The NTK at initialization, and how well its prediction matches the learned embeddings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NtkSummary {
    /// Top eigenvalues of K_Γ, descending.
    pub gamma_top: Vec<f64>,
    /// Appendix E's a(P_exp, P_NTK) between the final embeddings and the prediction
    /// K^{1/2} [b_1 … b_d]: 1 is perfect.
    pub alignment: f64,
    /// Its value for random subspaces, d / 2n.
    pub alignment_chance: f64,
}

/// A complete MLP run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpResult {
    /// The resolved configuration.
    pub config: MlpConfig,
    pub backend: String,
    /// Input dimension of each view.
    pub m: usize,
    /// Trainable parameters.
    pub parameters: usize,
    /// FNV-1a 64 of x, x_prime and the initial W̃1, W̃2.
    pub data_digest: String,
    /// Loss and embedding eigenvalues (of C for Barlow Twins, of the covariance otherwise).
    pub records: Vec<Record>,
    /// Top eigenvalues of the hidden representation's covariance.
    pub hidden: Vec<HiddenRecord>,
    /// The NTK theory's curves on the run's time grid (they describe Barlow Twins).
    pub theory: TheoryResult,
    pub ntk: NtkSummary,
    /// Only in the notebook, for a run on the visitor's own images: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_images: Option<usize>,
    /// Which backend ran the session and why (the notebook's runs; absent from the CLI's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_choice: Option<crate::experiment::session::BackendChoice>,
}

impl MlpResult {
    /// Largest |λ_sim − λ_th| over all records and modes.
    pub fn max_theory_gap(&self) -> f64 {
        max_gap(&self.records, &self.theory.records)
    }

    /// When each embedding eigenvalue first reached `threshold`, interpolated between
    /// records (None if never; see [`crossing_times`]).
    pub fn crossing_times(&self, threshold: f64) -> Vec<Option<f64>> {
        crossing_times(&self.records, self.config.d, threshold)
    }
}

/// The result of a finished run.
pub fn assemble_mlp<B: MlpBackend>(prep: &MlpPrepared, run: &MlpRun<B>) -> MlpResult {
    let (rows, d) = (2 * prep.pairs.n, prep.config.d);
    let f = run.embeddings();
    let f = Mat::from_fn(rows, d, |i, j| f64::from(f[i * d + j]));
    let alignment = subspace_alignment(f.as_ref(), prep.kernel.predicted.as_ref());
    let theory = &prep.kernel.theory;
    let w1 = mlp::row_major(prep.weights.w1.as_ref());
    let w2 = mlp::row_major(prep.weights.w2.as_ref());
    MlpResult {
        config: prep.config.clone(),
        backend: run.backend().name(),
        m: prep.pairs.m,
        parameters: prep.weights.shape.parameters(),
        data_digest: digest(&[&prep.pairs.x, &prep.pairs.x_prime, &w1, &w2]),
        records: run.records().to_vec(),
        hidden: run.hidden_records().to_vec(),
        theory: TheoryResult {
            s0: theory.s0.clone(),
            tau: theory.taus(),
            records: theory_records(theory, run.records()),
        },
        ntk: NtkSummary {
            gamma_top: prep.kernel.gamma_top.clone(),
            alignment,
            alignment_chance: d as f64 / rows as f64,
        },
        local_images: prep.local_images,
        backend_choice: None,
    }
}

/// Prepares and runs `cfg` to the end on the CPU backend.
pub fn run_mlp_cpu(cfg: &MlpConfig) -> Result<MlpResult, RunError> {
    run_mlp_setup_cpu(MlpSetup::new(cfg)?)
}

/// Finishes `setup` (the NTK on the CPU) and runs it to the end on the CPU backend.
pub fn run_mlp_setup_cpu(setup: MlpSetup) -> Result<MlpResult, RunError> {
    let prep = MlpPrepared::from_setup(setup)?;
    pollster::block_on(async {
        let mut run = MlpRun::start(prep.cpu_backend(), &prep).await?;
        run.finish().await?;
        Ok(assemble_mlp(&prep, &run))
    })
}
