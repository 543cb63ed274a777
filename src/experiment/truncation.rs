//! The `truncated` solver: the eigenbasis solver on Γ's top K modes only, with K chosen so
//! that a stated bound on what the dropped modes could contribute stays below
//! [`TRUNCATION_TOL`].
//!
//! In Γ's eigenbasis (A = W V) column j of A steps as a_j ← (I − 4ηγ_j (C − I)) a_j and
//! C = Σ_j γ_j a_j a_jᵀ has no cross terms between modes. Dropping the modes j > K therefore
//! changes the kept columns only through E = Σ_{j>K} γ_j a_j a_jᵀ, their share of C. While
//! C's eigenvalues stay in [λ_lo, λ_hi], a dropped column grows per step by at most
//!
//! ```text
//!     g+ = 1 + 4η γ̄ max(0, 1 − λ_lo)       (γ_j > 0, γ_j ≤ γ̄ ≥ γ_{K+1})
//!     g− = 1 + 4η ρ max(0, λ_hi − 1)        (γ_j < 0, |γ_j| ≤ ρ)
//! ```
//!
//! so after T steps, with τ² = ||W(0)||_F² − ||W(0) V_K||_F² the dropped part of W(0),
//!
//! ```text
//!     ||E(T)||₂ ≤ ε = τ² · max(γ̄ g+^{2T}, ρ g−^{2T}).
//! ```
//!
//! Each eigenvalue of C is off by at most ||E|| directly (Weyl); the kept columns feel E
//! only inside (I − C), i.e. at first order in ε: the bound is ε. γ̄ is the (K+1)-th Ritz
//! value plus its residual, ρ = sqrt(max(0, ||Γ||_F² − Σ_{j≤K} γ_j²)) bounds every dropped
//! |γ_j|. Before the run, K is chosen with [λ_lo, λ_hi] = [0, 1] (the a-priori bound); after
//! it, [`Truncation::bound`] takes the recorded range. The Ritz residual R = ΓU − UΘ
//! (≤ 1e-8·γ₁ per mode, [`RITZ_TOL`]) only leaks kept columns into dropped directions,
//! which enter C quadratically.
//!
//! Tested against the full eigenbasis and the literal solver in `tests/truncated.rs`.

use faer::MatRef;
use serde::{Deserialize, Serialize};

use super::config::{RunConfig, TheoryTime};
use super::prepare::auto_steps;
use super::result::Record;
use super::RunError;
use crate::linalg::{self, SymEigen, TopEigen};
use crate::theory::LinearTheory;

/// Largest a-priori bound ε on the dropped modes' share of C accepted when choosing K.
pub const TRUNCATION_TOL: f64 = 1e-6;
/// Ritz residual per kept mode, relative to γ₁ (about f32's rounding of the eigenvectors).
pub const RITZ_TOL: f64 = 1e-8;
/// Fewest modes kept beyond d.
const MIN_EXTRA_MODES: usize = 4;

/// What a truncated run leaves out: the inputs of its error bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truncation {
    /// K: modes kept.
    pub kept: usize,
    /// γ̄ ≥ γ_{K+1}: the (K+1)-th Ritz value plus its residual.
    pub gamma_next: f64,
    /// ρ ≥ |γ_j| for every dropped j.
    pub rho: f64,
    /// τ² = ||W(0)||_F² − ||W(0) V_K||_F²: W(0)'s squared norm in the dropped modes.
    pub dropped_init: f64,
    /// ||Γ V_K − V_K Θ||_F, the Ritz residual of the kept modes.
    pub residual: f64,
    /// Size of the Krylov basis (m when the full eigendecomposition was taken).
    pub basis: usize,
}

impl Truncation {
    /// ε: the bound on ||E||₂ after `steps` steps at `lr` while C's eigenvalues stay in
    /// [`lo`, `hi`].
    pub fn bound(&self, lr: f64, steps: u64, lo: f64, hi: f64) -> f64 {
        let up = 1.0 + 4.0 * lr * self.gamma_next.max(0.0) * (1.0 - lo).max(0.0);
        let down = 1.0 + 4.0 * lr * self.rho * (hi - 1.0).max(0.0);
        let twice = 2.0 * steps as f64;
        let grown = (self.gamma_next.max(0.0) * up.powf(twice)).max(self.rho * down.powf(twice));
        self.dropped_init * grown
    }

    /// The bound before the run: C's eigenvalues in [0, 1].
    pub fn prior_bound(&self, lr: f64, steps: u64) -> f64 {
        self.bound(lr, steps, 0.0, 1.0)
    }

    /// Measures a candidate K from the leading Ritz pairs.
    fn of(top: &TopEigen, gamma_frobenius2: f64, w0: MatRef<'_, f64>) -> Self {
        let kept_sq: f64 = top.eigen.values.iter().map(|g| g * g).sum();
        let projected = w0 * &top.eigen.vectors;
        Self {
            kept: top.eigen.values.len(),
            gamma_next: top.next_value + top.next_residual,
            rho: (gamma_frobenius2 - kept_sq).max(0.0).sqrt(),
            dropped_init: (w0.squared_norm_l2() - projected.squared_norm_l2()).max(0.0),
            residual: top.residual(),
            basis: top.basis,
        }
    }
}

/// Γ's top K eigenpairs for `cfg`'s run with W(0) = `w0` (d x m), K the fewest converged
/// modes (at least d + 4) whose a-priori bound is at most `tol`.
pub fn truncated_eigen(
    cfg: &RunConfig,
    gamma: MatRef<'_, f64>,
    w0: MatRef<'_, f64>,
    tol: f64,
) -> Result<(SymEigen, Truncation), RunError> {
    let gamma_frobenius2 = gamma.squared_norm_l2();
    let k_min = cfg.d + MIN_EXTRA_MODES;
    let top = linalg::sym_eigen_leading(gamma, k_min, RITZ_TOL, |top| {
        let truncation = Truncation::of(top, gamma_frobenius2, w0);
        match schedule(cfg, top, w0) {
            Some((lr, steps)) => truncation.prior_bound(lr, steps) <= tol,
            // no positive mode or too many steps: prepare reports it
            None => true,
        }
    })?;
    let truncation = Truncation::of(&top, gamma_frobenius2, w0);
    Ok((top.eigen, truncation))
}

/// η and the step count `cfg` resolves to with these leading modes, if it resolves.
fn schedule(cfg: &RunConfig, top: &TopEigen, w0: MatRef<'_, f64>) -> Option<(f64, u64)> {
    let gamma1 = *top.eigen.values.first()?;
    if gamma1 <= 0.0 {
        return None;
    }
    let lr = cfg.lr.unwrap_or(0.4 / (4.0 * gamma1));
    let steps = match cfg.steps {
        Some(s) => s,
        None => {
            let mut theory = LinearTheory::new(w0, &top.eigen.values, top.eigen.vectors.as_ref());
            if cfg.theory_time == TheoryTime::Discrete {
                theory = theory.discrete(lr);
            }
            auto_steps(lr, &theory).ok()?
        }
    };
    Some((lr, steps))
}

/// The truncation of a run as its result reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruncationReport {
    #[serde(flatten)]
    pub inputs: Truncation,
    /// ε at the last record, with the range of C's eigenvalues recorded up to it.
    pub bound: f64,
}

impl Truncation {
    /// The a-posteriori bound over `records` of a run at `lr`.
    pub fn report(&self, lr: f64, records: &[Record]) -> TruncationReport {
        let all = records.iter().flat_map(|r| r.eigenvalues.iter().copied());
        let (lo, hi) = all.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let steps = records.last().map_or(0, |r| r.step);
        TruncationReport {
            inputs: self.clone(),
            bound: self.bound(lr, steps, lo, hi),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Truncation {
        Truncation {
            kept: 12,
            gamma_next: 0.05,
            rho: 0.3,
            dropped_init: 1e-10,
            residual: 0.0,
            basis: 96,
        }
    }

    #[test]
    fn bound_starts_at_the_dropped_share_of_c() {
        // no step yet: ||E(0)|| ≤ τ² max(γ̄, ρ)
        let t = sample();
        assert!((t.prior_bound(0.01, 0) - 1e-10 * 0.3).abs() < 1e-24);
    }

    #[test]
    fn bound_grows_like_the_fastest_dropped_mode() {
        // a dropped mode with γ = γ̄ and C ≈ 0 grows by (1 + 4ηγ̄)² per step in γ̄||a||²
        let (t, lr, steps) = (sample(), 0.01, 4000u64);
        let grown = 0.05 * (1.0f64 + 4.0 * lr * 0.05).powi(2 * steps as i32) * 1e-10;
        assert!((t.prior_bound(lr, steps) - grown).abs() < 1e-9 * grown);
        // C's eigenvalues above 1 let the negative modes grow too; below 0, the positive
        // ones faster
        assert!(t.bound(lr, steps, 0.0, 1.2) > t.prior_bound(lr, steps));
        assert!(t.bound(lr, steps, -0.1, 1.0) > t.prior_bound(lr, steps));
        assert!(t.prior_bound(lr, steps + 1) > t.prior_bound(lr, steps));
    }
}
