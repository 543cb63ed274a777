//! Snapshots of W taken while a linear run advances (at most
//! [`MAX_SNAPSHOTS`](crate::experiment::replay::MAX_SNAPSHOTS), on record steps), so that
//! the replay can show the learned directions at an earlier time.

use super::engine::Engine;
use crate::experiment::replay::{nearest_index, snapshot_due, snapshot_every, steps_to_snapshot};
use crate::experiment::{Coordinates, Prepared, RunError};

/// The weights at one step, as the backend holds them (W = `coords.weights(V)`).
pub struct Snapshot {
    pub step: u64,
    pub t: f64,
    pub coords: Coordinates,
}

/// The snapshots of one run and when the next are due.
#[derive(Default)]
pub struct Snapshots {
    /// Steps between snapshots; `None` keeps none (W too large).
    every: Option<u64>,
    steps: u64,
    lr: f64,
    pub taken: Vec<Snapshot>,
}

impl Snapshots {
    /// The plan for `prep`'s run; nothing taken yet.
    pub fn plan(prep: &Prepared) -> Self {
        let shape = (prep.config.d, prep.pairs.m);
        Self {
            every: snapshot_every(prep.steps(), prep.config.record_every, shape),
            steps: prep.steps(),
            lr: prep.lr(),
            taken: Vec::new(),
        }
    }

    /// Advances `engine` by about `budget` steps (at least one recording interval), stopping
    /// at each snapshot step on the way to read W; true once the run is complete.
    pub async fn advance(&mut self, engine: &mut Engine, budget: u64) -> Result<bool, RunError> {
        let Some(every) = self.every else {
            return engine.advance(budget).await;
        };
        self.take_if_due(engine, every).await?;
        let mut done = 0;
        loop {
            let start = engine.step();
            let chunk = steps_to_snapshot(start, every, self.steps).min(budget - done);
            let finished = engine.advance(chunk.max(1)).await?;
            done += engine.step() - start;
            self.take_if_due(engine, every).await?;
            if finished || done >= budget || engine.step() == start {
                return Ok(finished);
            }
        }
    }

    /// Reads W when a snapshot is due at the engine's step and not yet taken.
    async fn take_if_due(&mut self, engine: &mut Engine, every: u64) -> Result<(), RunError> {
        let step = engine.step();
        let fresh = self.taken.last().is_none_or(|s| s.step < step);
        if fresh && snapshot_due(step, every, self.steps) {
            let coords = engine.coordinates().await?;
            self.taken.push(Snapshot {
                step,
                t: self.lr * step as f64,
                coords,
            });
        }
        Ok(())
    }

    /// The snapshot nearest in time to `t`.
    pub fn nearest(&self, t: f64) -> Option<&Snapshot> {
        nearest_index(&self.taken, t, |s| s.t).map(|i| &self.taken[i])
    }
}
