//! When a run records: every `record_every` steps and at the last step, plus a geometric
//! run of early steps 1, 2, …, 8, 10, 12, 15, 18, 22, … (each ¼ past the previous, at least
//! one further) below the first regular record. A mode that steps within the first
//! `record_every` steps (mode 1 of Figure 1 does) is then resolved on a linear and on a log
//! time axis alike, and the early records add at most ~70 at any `record_every`.
//!
//! Every backend (linear CPU and GPU, the MLP's, the exported NumPy script) records on this
//! grid; `run_linear.py` computes the same integer sequence.

/// The next early record after `step`: `step + max(1, step / 4)`.
fn next_early(step: u64) -> u64 {
    step + (step / 4).max(1)
}

/// The first record step after `step` of a run of `total` steps: the next early step below
/// `record_every`, else the next multiple of `record_every`, never past `total`.
pub fn next_record_step(step: u64, record_every: u64, total: u64) -> u64 {
    let every = record_every.max(1);
    let early = if step == 0 { 1 } else { next_early(step) };
    let next = if step < every && early < every {
        early
    } else {
        (step / every + 1) * every
    };
    next.min(total)
}

/// Every record step of a run of `total` steps, from 0 to `total`.
pub fn record_steps(total: u64, record_every: u64) -> Vec<u64> {
    let mut steps = vec![0];
    let mut step = 0;
    while step < total {
        step = next_record_step(step, record_every, total);
        steps.push(step);
    }
    steps
}

/// How many records a run of `total` steps makes (step 0 included).
pub fn record_count(total: u64, record_every: u64) -> u64 {
    let every = record_every.max(1);
    let mut early = 0;
    let mut step = 1;
    while step < every.min(total) {
        early += 1;
        step = next_early(step);
    }
    1 + early + total.div_ceil(every)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_records_are_geometric_then_regular() {
        assert_eq!(
            record_steps(70, 20),
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 20, 40, 60, 70]
        );
        assert_eq!(record_steps(5, 1), [0, 1, 2, 3, 4, 5]);
        assert_eq!(record_steps(3, 10), [0, 1, 2, 3]);
        assert_eq!(record_steps(0, 10), [0]);
    }

    #[test]
    fn record_count_matches_the_schedule() {
        for (total, every) in [
            (70, 20),
            (5, 1),
            (3, 10),
            (1000, 7),
            (2_000_000, 20),
            (9, 9),
        ] {
            let steps = record_steps(total, every);
            assert_eq!(
                record_count(total, every),
                steps.len() as u64,
                "{total}/{every}"
            );
            assert!(steps.windows(2).all(|w| w[0] < w[1]));
        }
        // the early records stay few even for a sparse grid
        assert!(
            record_count(2_000_000, 2_000_000) < 70,
            "{}",
            record_count(2_000_000, 2_000_000)
        );
    }
}
