//! Snapshots of W taken while a linear run advances (at most
//! [`MAX_SNAPSHOTS`](crate::experiment::replay::MAX_SNAPSHOTS), on record steps), so that
//! the replay can show the learned directions at an earlier time. The session stops its
//! advances at their steps ([`super::LinearCell`]'s checkpoints).

use crate::experiment::replay::{nearest_index, snapshot_due, snapshot_every, steps_to_snapshot};
use crate::experiment::{Coordinates, Prepared};

/// The weights at one step, as the backend holds them (W = `coords.weights(V)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub step: u64,
    pub t: f64,
    pub coords: Coordinates,
}

/// The snapshots of one run and when the next are due.
#[derive(Debug, Default, Clone)]
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

    /// The next snapshot step after `step`, if snapshots are kept.
    pub fn next_stop(&self, step: u64) -> Option<u64> {
        let every = self.every?;
        Some(step + steps_to_snapshot(step, every, self.steps))
    }

    /// Whether a snapshot is due at `step` and not yet taken.
    pub fn due(&self, step: u64) -> bool {
        let Some(every) = self.every else {
            return false;
        };
        let fresh = self.taken.last().is_none_or(|s| s.step < step);
        fresh && snapshot_due(step, every, self.steps)
    }

    /// Keeps the weights at `step`.
    pub fn push(&mut self, step: u64, coords: Coordinates) {
        self.taken.push(Snapshot {
            step,
            t: self.lr * step as f64,
            coords,
        });
    }

    /// The snapshot nearest in time to `t`.
    pub fn nearest(&self, t: f64) -> Option<&Snapshot> {
        nearest_index(&self.taken, t, |s| s.t).map(|i| &self.taken[i])
    }
}
