//! What a comparison drives: a run of one variant at one η, linear or MLP, behind one trait;
//! and what makes them ([`Trials`]).

use crate::experiment::mlp::{tracking, LossKind, MlpBackend, MlpRun};
use crate::experiment::{LinearBackend, LinearRun, Record, RunError};
use crate::linalg;
use crate::model::linear;
use crate::model::spectral::LossVariant;

/// η and length of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialPlan {
    pub lr: f64,
    pub total_steps: u64,
    pub record_every: u64,
}

/// What every run of a comparison shares, from the prepared baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The baseline's η.
    pub lr: f64,
    /// The step budget of every full run.
    pub steps: u64,
    pub record_every: u64,
    /// Input dimension.
    pub m: usize,
    /// The top eigenvalue of Γ (linear) or of the NTK's K_Γ (MLP).
    pub gamma_1: f64,
    /// How many of the visitor's own images the photo patches were cut from (`None`: the
    /// bundled photos).
    pub local_images: Option<usize>,
}

/// A run in progress (linear or MLP).
#[allow(async_fn_in_trait)] // used through generics only
pub trait Trial {
    /// As [`LinearRun::advance`]: about `budget` steps, true once finished.
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError>;
    fn records(&self) -> &[Record];
    fn step(&self) -> u64;
    fn total_steps(&self) -> u64;
    fn backend_name(&self) -> String;
    /// One more step, then the eigenvalues of C (`None`: no longer finite).
    async fn step_eigenvalues(&mut self) -> Result<Option<Vec<f64>>, RunError>;
}

/// Makes the runs of a comparison.
#[allow(async_fn_in_trait)] // used through generics only
pub trait Trials {
    type Trial: Trial;
    fn setting(&self) -> Setting;
    /// A run of `variant` from the shared initial weights, planned by `plan`.
    async fn start(
        &mut self,
        variant: LossVariant,
        plan: TrialPlan,
    ) -> Result<Self::Trial, RunError>;
}

impl<B: LinearBackend> Trial for LinearRun<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        LinearRun::advance(self, budget).await
    }

    fn records(&self) -> &[Record] {
        LinearRun::records(self)
    }

    fn step(&self) -> u64 {
        LinearRun::step(self)
    }

    fn total_steps(&self) -> u64 {
        LinearRun::total_steps(self)
    }

    fn backend_name(&self) -> String {
        self.backend().name()
    }

    async fn step_eigenvalues(&mut self) -> Result<Option<Vec<f64>>, RunError> {
        let d = self.records().first().map_or(0, |r| r.eigenvalues.len());
        let c = self.backend_mut().advance(1).await?;
        if c.iter().any(|v| !v.is_finite()) {
            return Ok(None);
        }
        Ok(linalg::sym_eigenvalues(linear::symmetrize(d, &c).as_ref()).ok())
    }
}

impl<B: MlpBackend> Trial for MlpRun<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        MlpRun::advance(self, budget).await
    }

    fn records(&self) -> &[Record] {
        MlpRun::records(self)
    }

    fn step(&self) -> u64 {
        MlpRun::step(self)
    }

    fn total_steps(&self) -> u64 {
        MlpRun::total_steps(self)
    }

    fn backend_name(&self) -> String {
        self.backend().name()
    }

    async fn step_eigenvalues(&mut self) -> Result<Option<Vec<f64>>, RunError> {
        let (n, d) = self.shape();
        let snap = self.backend_mut().advance(1, false).await?;
        if snap.embeddings.iter().any(|v| !v.is_finite()) {
            return Ok(None);
        }
        let f: Vec<f64> = snap.embeddings.iter().map(|v| f64::from(*v)).collect();
        Ok(tracking::embedding_eigenvalues(LossKind::BarlowTwins, &f, n, d).ok())
    }
}
