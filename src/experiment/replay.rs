//! A finished (or paused) run looked at one time at a time: the record nearest a time, the
//! readout under a pointer (nearest mode curve), and when to keep snapshots of W so that
//! the learned directions can be replayed too.

use serde::Serialize;

use super::Record;

/// Most W snapshots a run keeps for replaying the learned directions.
pub const MAX_SNAPSHOTS: usize = 64;
/// At most this many f32 in all snapshots together (16 MiB).
pub const MAX_SNAPSHOT_FLOATS: usize = 4 << 20;
/// At most this many multiply-adds for reading W back in all snapshots: the eigenbasis
/// solvers rotate W (d x m) by the m x m eigenvectors, d·m² each (fig1, m = 1200: 18
/// snapshots, about 50 ms of wasm).
pub const MAX_SNAPSHOT_WORK: usize = 1 << 28;

/// Index of the item of `items` (sorted by `time`) nearest in time to `t`; the earlier one
/// on a tie. `None` when `items` is empty or `t` is NaN.
pub fn nearest_index<T>(items: &[T], t: f64, time: impl Fn(&T) -> f64) -> Option<usize> {
    if items.is_empty() || t.is_nan() {
        return None;
    }
    let after = items.partition_point(|r| time(r) < t);
    if after == 0 {
        return Some(0);
    }
    if after == items.len() {
        return Some(after - 1);
    }
    let (before_gap, after_gap) = (t - time(&items[after - 1]), time(&items[after]) - t);
    Some(if after_gap < before_gap {
        after
    } else {
        after - 1
    })
}

/// The run at one record time: the experiment and, when it has a record at that very time,
/// the theory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateAt {
    /// Index of the experiment record.
    pub index: usize,
    pub t: f64,
    pub step: u64,
    pub loss: f64,
    pub eigenvalues: Vec<f64>,
    pub theory_loss: Option<f64>,
    pub theory_eigenvalues: Option<Vec<f64>>,
}

/// The experiment record nearest `t`, next to the theory record at the same time.
pub fn state_at(records: &[Record], theory: &[Record], t: f64) -> Option<StateAt> {
    let index = nearest_index(records, t, |r| r.t)?;
    let r = &records[index];
    let same = nearest_index(theory, r.t, |q| q.t)
        .map(|i| &theory[i])
        .filter(|q| (q.t - r.t).abs() <= 1e-12 * r.t.abs().max(1.0));
    Some(StateAt {
        index,
        t: r.t,
        step: r.step,
        loss: r.loss,
        eigenvalues: r.eigenvalues.clone(),
        theory_loss: same.map(|q| q.loss),
        theory_eigenvalues: same.map(|q| q.eigenvalues.clone()),
    })
}

/// What a pointer over a panel reads: the time, and the loss or one mode's value there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    pub t: f64,
    pub step: u64,
    /// The mode (1-based, as in the paper's λ_j) whose curve is nearest the pointer; `None`
    /// on a loss panel.
    pub mode: Option<usize>,
    /// The experiment's value of that mode (or the loss), and the theory's.
    pub experiment: f64,
    pub theory: Option<f64>,
    pub loss: f64,
    pub theory_loss: Option<f64>,
}

/// The readout at time `t` with the pointer at `value`: on a mode panel (`value` given)
/// the mode whose experiment or theory curve passes nearest `value`, on a loss panel
/// (`value` `None`) the loss. `None` without records (or without a finite mode value).
pub fn readout(
    records: &[Record],
    theory: &[Record],
    t: f64,
    value: Option<f64>,
) -> Option<Readout> {
    let s = state_at(records, theory, t)?;
    let (mode, experiment, theory) = match value {
        None => (None, s.loss, s.theory_loss),
        Some(v) => {
            let j = nearest_mode(&s.eigenvalues, s.theory_eigenvalues.as_deref(), v)?;
            let theory = s
                .theory_eigenvalues
                .as_ref()
                .and_then(|e| e.get(j).copied());
            (Some(j + 1), s.eigenvalues[j], theory)
        }
    };
    Some(Readout {
        t: s.t,
        step: s.step,
        mode,
        experiment,
        theory,
        loss: s.loss,
        theory_loss: s.theory_loss,
    })
}

/// The 0-based mode whose experiment (or theory) value is nearest `v` (finite values only).
fn nearest_mode(experiment: &[f64], theory: Option<&[f64]>, v: f64) -> Option<usize> {
    let gap = |j: usize| {
        let th = theory.and_then(|e| e.get(j)).copied();
        [Some(experiment[j]), th]
            .into_iter()
            .flatten()
            .filter(|x| x.is_finite())
            .map(|x| (x - v).abs())
            .fold(f64::INFINITY, f64::min)
    };
    (0..experiment.len())
        .map(|j| (j, gap(j)))
        .filter(|(_, g)| g.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(j, _)| j)
}

/// Steps between W snapshots for a run of `steps` steps recorded every `record_every`, with
/// W of d x m: a multiple of `record_every` such that the snapshots at step 0, at every
/// multiple and at the last step number at most [`MAX_SNAPSHOTS`], hold at most
/// [`MAX_SNAPSHOT_FLOATS`] and cost at most [`MAX_SNAPSHOT_WORK`] to read. `None` when not
/// even three fit.
pub fn snapshot_every(steps: u64, record_every: u64, (d, m): (usize, usize)) -> Option<u64> {
    let w_len = (d * m).max(1);
    let count = MAX_SNAPSHOTS
        .min(MAX_SNAPSHOT_FLOATS / w_len)
        .min(MAX_SNAPSHOT_WORK / w_len.saturating_mul(m).max(1));
    if count < 3 {
        return None;
    }
    let every = record_every.max(1);
    let intervals = steps.div_ceil(every).max(1);
    let k = intervals.div_ceil(count as u64 - 2);
    Some(k * every)
}

/// Steps from `step` to the next snapshot (of a run of `steps` steps, one every `every`).
pub fn steps_to_snapshot(step: u64, every: u64, steps: u64) -> u64 {
    let every = every.max(1);
    (every - step % every).min(steps.saturating_sub(step))
}

/// Whether a snapshot is due at `step`.
pub fn snapshot_due(step: u64, every: u64, steps: u64) -> bool {
    step.is_multiple_of(every.max(1)) || step == steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: f64, eigenvalues: Vec<f64>) -> Record {
        Record {
            t,
            step: (t * 10.0).round() as u64,
            loss: eigenvalues.iter().map(|l| (1.0 - l).powi(2)).sum(),
            eigenvalues,
        }
    }

    fn run() -> (Vec<Record>, Vec<Record>) {
        let exp = vec![
            rec(0.0, vec![0.0, 0.0]),
            rec(0.5, vec![0.6, 0.1]),
            rec(1.0, vec![0.9, 0.4]),
        ];
        let theory = vec![
            rec(0.0, vec![0.0, 0.0]),
            rec(0.5, vec![0.5, 0.2]),
            rec(1.0, vec![1.0, 0.5]),
        ];
        (exp, theory)
    }

    #[test]
    fn nearest_index_picks_the_closest_time() {
        let (exp, _) = run();
        let at = |t| nearest_index(&exp, t, |r| r.t);
        assert_eq!(at(-3.0), Some(0));
        assert_eq!(at(0.2), Some(0));
        assert_eq!(at(0.25), Some(0));
        assert_eq!(at(0.3), Some(1));
        assert_eq!(at(0.8), Some(2));
        assert_eq!(at(9.0), Some(2));
        assert_eq!(at(f64::NAN), None);
        assert_eq!(nearest_index::<Record>(&[], 1.0, |r| r.t), None);
    }

    #[test]
    fn state_at_pairs_experiment_and_theory() {
        let (exp, theory) = run();
        let s = state_at(&exp, &theory, 0.45).unwrap();
        assert_eq!((s.index, s.t, s.step), (1, 0.5, 5));
        assert_eq!(s.eigenvalues, vec![0.6, 0.1]);
        assert_eq!(s.theory_eigenvalues, Some(vec![0.5, 0.2]));
        assert!((s.loss - (0.16 + 0.81)).abs() < 1e-12);
        assert!((s.theory_loss.unwrap() - (0.25 + 0.64)).abs() < 1e-12);
        // theory on another grid: no theory at the record's time
        let s = state_at(&exp, &theory[1..2], 1.0).unwrap();
        assert_eq!((s.index, s.theory_loss), (2, None));
    }

    #[test]
    fn readout_picks_the_mode_nearest_the_pointer() {
        let (exp, theory) = run();
        let r = readout(&exp, &theory, 0.9, Some(0.45)).unwrap();
        assert_eq!(
            (r.t, r.mode, r.experiment, r.theory),
            (1.0, Some(2), 0.4, Some(0.5))
        );
        let r = readout(&exp, &theory, 0.9, Some(0.8)).unwrap();
        assert_eq!((r.mode, r.experiment, r.theory), (Some(1), 0.9, Some(1.0)));
        // the theory curve counts too: 0.52 is nearest theory λ_1 = 0.5 at t = 0.5
        let r = readout(&exp, &theory, 0.5, Some(0.52)).unwrap();
        assert_eq!(r.mode, Some(1));
        let r = readout(&exp, &theory, 0.5, None).unwrap();
        assert_eq!((r.mode, r.experiment), (None, r.loss));
        assert!((r.theory.unwrap() - 0.89).abs() < 1e-12);
        assert_eq!(readout(&[], &theory, 0.5, None), None);
        let nan = vec![rec(0.0, vec![f64::NAN])];
        assert_eq!(readout(&nan, &[], 0.0, Some(0.5)), None);
    }

    #[test]
    fn snapshots_are_bounded_and_land_on_records() {
        // 5000 steps recorded every 10: 500 intervals over at most 62 snapshot gaps
        let every = snapshot_every(5000, 10, (4, 25)).unwrap();
        assert_eq!(every, 90);
        let count = (0..=5000u64)
            .filter(|&s| snapshot_due(s, every, 5000))
            .count();
        assert!(count <= MAX_SNAPSHOTS, "{count}");
        assert_eq!(snapshot_every(40, 10, (4, 25)), Some(10));
        // W too large for three snapshots in the float budget
        assert_eq!(snapshot_every(40, 10, (MAX_SNAPSHOT_FLOATS / 2, 1)), None);
        // fig1 (d = 10, m = 1200, 14673 steps recorded every 20): the work budget allows 18
        let every = snapshot_every(14673, 20, (10, 1200)).unwrap();
        let count = (0..=14673u64)
            .filter(|&s| snapshot_due(s, every, 14673))
            .count();
        assert!((10..=18).contains(&count), "{count}");
        assert_eq!(every % 20, 0);
        assert_eq!(steps_to_snapshot(0, 90, 5000), 90);
        assert_eq!(steps_to_snapshot(4950, 90, 5000), 50);
        assert!(snapshot_due(5000, 90, 5000) && snapshot_due(0, 90, 5000));
        assert!(!snapshot_due(100, 90, 5000));
    }
}
