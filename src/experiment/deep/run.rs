//! A deep-network run driven through any [`DeepBackend`] (docs/deep.md §2–§3): every step
//! draws a batch of base images and two fresh views of each (seeded, so every backend trains
//! on identical batches); every record evaluates the fixed evaluation views.

use super::backend::DeepBackend;
use super::prepare::DeepPrepared;
use super::result::{HiddenRecord, ProbeRecord, RankRecord};
use super::tracking;
use crate::data::augment;
use crate::data::rng::{stream, Rng};
use crate::experiment::schedule::next_record_step;
use crate::experiment::{Record, RunError};

/// Embedding or hidden entries beyond this magnitude count as divergence.
pub const DEEP_DIVERGENCE_BOUND: f64 = 1e6;

/// A deep-network run in progress.
pub struct DeepRun<B> {
    backend: B,
    prep: DeepPrepared,
    batch_rng: Rng,
    augment_rng: Rng,
    step: u64,
    records: Vec<Record>,
    hidden: Vec<HiddenRecord>,
    probe: Vec<ProbeRecord>,
    rank: Vec<RankRecord>,
    /// The latest evaluation embeddings, 2E x d row-major (f64).
    embeddings: Vec<f64>,
}

impl<B: DeepBackend> DeepRun<B> {
    /// Starts a run of `prep` on `backend` (which must hold the initial parameters); records
    /// step 0.
    pub async fn start(backend: B, prep: DeepPrepared) -> Result<Self, RunError> {
        let seed = prep.config.seed;
        let mut run = Self {
            backend,
            batch_rng: Rng::new(seed, stream::BATCH),
            augment_rng: Rng::new(seed, stream::AUGMENT),
            prep,
            step: 0,
            records: Vec::new(),
            hidden: Vec::new(),
            probe: Vec::new(),
            rank: Vec::new(),
            embeddings: Vec::new(),
        };
        run.record().await?;
        Ok(run)
    }

    /// The next training batch: `batch` distinct base images, two fresh views of each.
    pub fn next_views(&mut self) -> Vec<f32> {
        let cfg = &self.prep.config;
        let indices =
            augment::batch_indices(self.prep.base.count(), cfg.batch, &mut self.batch_rng);
        let (crop, flip) = (cfg.data.crop, cfg.data.flip);
        augment::views(&self.prep.base, &indices, crop, flip, &mut self.augment_rng)
    }

    /// Runs at most `budget` more steps in whole recording intervals of the
    /// [`schedule`](crate::experiment::schedule) (at least one); returns true once complete.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        let mut done = 0;
        while !self.is_finished() && (done == 0 || done + self.interval() <= budget) {
            let steps = self.interval();
            let lr = self.prep.config.lr as f32;
            for _ in 0..steps {
                let views = self.next_views();
                self.backend.train(&views, lr).await?;
                self.step += 1;
            }
            done += steps;
            self.record().await?;
        }
        Ok(self.is_finished())
    }

    /// Runs to the end.
    pub async fn finish(&mut self) -> Result<(), RunError> {
        while !self.advance(u64::MAX).await? {}
        Ok(())
    }

    fn interval(&self) -> u64 {
        let cfg = &self.prep.config;
        next_record_step(self.step, cfg.record_every, cfg.steps).saturating_sub(self.step)
    }

    async fn record(&mut self) -> Result<(), RunError> {
        let prep = &self.prep;
        let snap = self
            .backend
            .evaluate(&prep.eval_views, prep.eval_count())
            .await?;
        let widen = |v: &[f32]| -> Vec<f64> { v.iter().map(|&x| f64::from(x)).collect() };
        let (f, h) = (widen(&snap.embeddings), widen(&snap.hidden));
        let bad = |x: &f64| !x.is_finite() || x.abs() > DEEP_DIVERGENCE_BOUND;
        if f.iter().any(bad) || h.iter().any(bad) {
            return Err(RunError::MlpDiverged {
                step: self.step,
                lr: prep.config.lr,
            });
        }
        let m = tracking::measure(prep, &f, &h)?;
        let (t, step) = (prep.config.lr * self.step as f64, self.step);
        self.records.push(Record {
            t,
            step,
            loss: m.loss,
            eigenvalues: m.eigenvalues,
        });
        self.hidden.push(HiddenRecord {
            t,
            step,
            eigenvalues: m.hidden,
        });
        let (embedding, hidden) = m.probe;
        self.probe.push(ProbeRecord {
            t,
            step,
            embedding,
            hidden,
        });
        let (embedding, hidden) = m.rank;
        self.rank.push(RankRecord {
            t,
            step,
            embedding,
            hidden,
        });
        self.embeddings = f;
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.prep.config.steps
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    pub fn total_steps(&self) -> u64 {
        self.prep.config.steps
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn hidden_records(&self) -> &[HiddenRecord] {
        &self.hidden
    }

    pub fn probe_records(&self) -> &[ProbeRecord] {
        &self.probe
    }

    pub fn rank_records(&self) -> &[RankRecord] {
        &self.rank
    }

    /// The latest evaluation embeddings, 2E x d row-major.
    pub fn embeddings(&self) -> &[f64] {
        &self.embeddings
    }

    /// What the run was prepared from.
    pub fn prepared(&self) -> &DeepPrepared {
        &self.prep
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }
}

impl<B: DeepBackend> crate::experiment::session::Stepper for DeepRun<B> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        DeepRun::advance(self, budget).await
    }

    fn step(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.prep.config.steps
    }

    fn is_finished(&self) -> bool {
        DeepRun::is_finished(self)
    }

    fn interval(&self) -> u64 {
        DeepRun::interval(self).max(1)
    }
}
