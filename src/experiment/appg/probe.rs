//! Stability probes: a short run at a trial η, then two single steps to see whether a mode
//! oscillates (gradient descent past its stability edge alternates between two values,
//! which a recording grid of even spacing can hide). Modes still growing are fine.

use super::trial::{Setting, Trial, TrialPlan};
use crate::experiment::RunError;

/// An eigenvalue that moves up then down (or down then up) by more than this, relative to
/// max(1, λ), over the two steps that end a probe, oscillates.
pub const SETTLED_TOL: f64 = 0.02;
/// Fewest steps of a probe.
const MIN_PROBE_STEPS: u64 = 20;
/// Records per probe (only its end matters).
const PROBE_RECORDS: u64 = 20;

/// A probe at `eta` that runs until t = `probe_t` (at most 4x the full run's steps).
pub fn probe_plan(base: &Setting, eta: f64, probe_t: f64) -> TrialPlan {
    let cap = base.steps.saturating_mul(4).max(MIN_PROBE_STEPS);
    let steps = ((probe_t / eta).ceil() as u64).clamp(MIN_PROBE_STEPS, cap);
    TrialPlan {
        lr: eta,
        total_steps: steps,
        record_every: (steps / PROBE_RECORDS).max(1),
    }
}

/// Takes two more single steps: settled when C stays finite and no eigenvalue turns around
/// by more than [`SETTLED_TOL`] (relative to max(1, λ)).
pub async fn settled<R: Trial>(run: &mut R) -> Result<bool, RunError> {
    let Some(start) = run.records().last().map(|r| r.eigenvalues.clone()) else {
        return Ok(false);
    };
    let mut path = vec![start];
    for _ in 0..2 {
        match run.step_eigenvalues().await? {
            Some(now) => path.push(now),
            None => return Ok(false),
        }
    }
    Ok(!oscillates(&path[0], &path[1], &path[2]))
}

/// Whether any mode moves one way then the other by more than the tolerance.
fn oscillates(a: &[f64], b: &[f64], c: &[f64]) -> bool {
    a.iter().zip(b).zip(c).any(|((x, y), z)| {
        let (d1, d2) = (y - x, z - y);
        let tol = SETTLED_TOL * y.abs().max(1.0);
        d1 * d2 < 0.0 && d1.abs().min(d2.abs()) > tol
    })
}

#[cfg(test)]
mod tests {
    use super::oscillates;

    #[test]
    fn growth_is_not_oscillation_but_alternation_is() {
        assert!(!oscillates(&[0.1, 0.0], &[0.4, 0.0], &[0.8, 0.0]));
        assert!(!oscillates(&[1.01, 0.2], &[0.995, 0.2], &[1.002, 0.2]));
        assert!(oscillates(&[0.6, 0.2], &[1.4, 0.2], &[0.6, 0.2]));
    }
}
