//! An MLP run driven step by step through any [`MlpBackend`], recording as it goes: the
//! loss, the embedding eigenvalues and the hidden representation's top eigenvalues.

use super::backend::{MlpBackend, Snapshot};
use super::config::LossKind;
use super::prepare::MlpPrepared;
use super::tracking;
use crate::experiment::schedule::next_record_step;
use crate::experiment::{Record, RunError};
use crate::model::ssl_loss;

/// Embedding entries beyond this magnitude count as divergence.
pub const MLP_DIVERGENCE_BOUND: f64 = 1e6;

/// The hidden representation's covariance eigenvalues at one time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HiddenRecord {
    pub t: f64,
    pub step: u64,
    /// Top eigenvalues of the (centred) covariance of the hidden units over the 2n views.
    pub eigenvalues: Vec<f64>,
}

/// An MLP run in progress.
pub struct MlpRun<B> {
    backend: B,
    prep_lr: f64,
    n: usize,
    d: usize,
    loss: LossKind,
    ssl: ssl_loss::SslLoss,
    hidden_top: usize,
    total_steps: u64,
    record_every: u64,
    step: u64,
    records: Vec<Record>,
    hidden: Vec<HiddenRecord>,
    /// The latest embeddings, N x d row-major.
    embeddings: Vec<f32>,
}

impl<B: MlpBackend> MlpRun<B> {
    /// Starts a run of `prep` on `backend` (which must hold the initial weights); records
    /// step 0.
    pub async fn start(backend: B, prep: &MlpPrepared) -> Result<Self, RunError> {
        let cfg = &prep.config;
        let mut run = Self {
            backend,
            prep_lr: prep.lr(),
            n: prep.pairs.n,
            d: cfg.d,
            loss: cfg.loss,
            ssl: cfg.ssl_loss(),
            hidden_top: cfg.hidden_top,
            total_steps: prep.steps(),
            record_every: cfg.record_every,
            step: 0,
            records: Vec::new(),
            hidden: Vec::new(),
            embeddings: Vec::new(),
        };
        let snap = run.backend.advance(0, run.hidden_top > 0).await?;
        run.record(snap)?;
        Ok(run)
    }

    /// Runs at most `budget` more steps in whole recording intervals of the
    /// [`schedule`](crate::experiment::schedule) (at least one); returns true once the run
    /// is complete.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        let mut done = 0;
        let (every, total) = (self.record_every, self.total_steps);
        let interval = |step: u64| next_record_step(step, every, total) - step;
        while !self.is_finished() && (done == 0 || done + interval(self.step) <= budget) {
            let steps = interval(self.step);
            let snap = self
                .backend
                .advance(steps as u32, self.hidden_top > 0)
                .await?;
            self.step += steps;
            done += steps;
            self.record(snap)?;
        }
        Ok(self.is_finished())
    }

    /// Runs to the end.
    pub async fn finish(&mut self) -> Result<(), RunError> {
        while !self.advance(u64::MAX).await? {}
        Ok(())
    }

    fn record(&mut self, snap: Snapshot) -> Result<(), RunError> {
        let bad = snap
            .embeddings
            .iter()
            .any(|v| !v.is_finite() || f64::from(*v).abs() > MLP_DIVERGENCE_BOUND);
        if bad {
            return Err(RunError::MlpDiverged {
                step: self.step,
                lr: self.prep_lr,
            });
        }
        let f: Vec<f64> = snap.embeddings.iter().map(|v| f64::from(*v)).collect();
        let t = self.prep_lr * self.step as f64;
        let eigenvalues = tracking::embedding_eigenvalues(self.loss, &f, self.n, self.d)?;
        self.records.push(Record {
            t,
            step: self.step,
            loss: ssl_loss::loss_value(self.ssl, &f, self.n, self.d),
            eigenvalues,
        });
        if let Some(gram) = &snap.hidden_gram {
            self.hidden.push(HiddenRecord {
                t,
                step: self.step,
                eigenvalues: tracking::hidden_eigenvalues(gram, 2 * self.n, self.hidden_top)?,
            });
        }
        self.embeddings = snap.embeddings;
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.total_steps
    }

    /// Steps the run will take in all.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// Pairs n and embedding dimension d.
    pub fn shape(&self) -> (usize, usize) {
        (self.n, self.d)
    }

    /// Steps done so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn hidden_records(&self) -> &[HiddenRecord] {
        &self.hidden
    }

    /// The latest embeddings, N x d row-major.
    pub fn embeddings(&self) -> &[f32] {
        &self.embeddings
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }
}

impl<B: MlpBackend> crate::experiment::session::Stepper for MlpRun<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        MlpRun::advance(self, budget).await
    }

    fn step(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.total_steps
    }

    fn is_finished(&self) -> bool {
        MlpRun::is_finished(self)
    }

    fn interval(&self) -> u64 {
        next_record_step(self.step, self.record_every, self.total_steps)
            .saturating_sub(self.step)
            .max(1)
    }
}
