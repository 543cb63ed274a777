//! Prop. 4.1 and Result 4.6: from the spectrum of Γ and W(0), the eigenvalues of C over time.

use faer::{Mat, MatRef};
use serde::Serialize;

use crate::linalg;

/// Theory of one linear run: the top-d eigenvalues of Γ and the effective initial singular
/// values s_j(0) obtained by aligning W(0) with Γ's eigenvectors.
#[derive(Debug, Clone, Serialize)]
pub struct LinearTheory {
    /// γ_1 ≥ … ≥ γ_d.
    pub gamma: Vec<f64>,
    /// Effective initial singular values s_j(0) = R_jj of the QR of W(0) [v_1 … v_d].
    pub s0: Vec<f64>,
    /// Growth rate r_j of λ_j per unit t while λ_j ≪ 1: 8 γ_j for gradient flow (the paper),
    /// 2 ln(1 + 4ηγ_j) / η for gradient descent with step η (see [`LinearTheory::discrete`]).
    pub rate: Vec<f64>,
}

/// The predicted state at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct TheoryPoint {
    /// λ_j(t), descending in j as γ_j is.
    pub eigenvalues: Vec<f64>,
    /// L(t) ≈ Σ_j (1 − λ_j(t))².
    pub loss: f64,
}

impl LinearTheory {
    /// `w0` is d x m, `vectors` m x m with Γ's unit eigenvectors as columns (descending
    /// eigenvalues `values`).
    pub fn new(w0: MatRef<'_, f64>, values: &[f64], vectors: MatRef<'_, f64>) -> Self {
        let d = w0.nrows();
        let aligned = w0 * vectors.subcols(0, d);
        Self::from_s0(
            values[..d].to_vec(),
            linalg::qr_r_diagonal(aligned.as_ref()),
        )
    }

    /// Gradient-flow theory from explicit γ_j and s_j(0) (an aligned init).
    pub fn from_s0(gamma: Vec<f64>, s0: Vec<f64>) -> Self {
        let rate = gamma.iter().map(|g| 8.0 * g).collect();
        Self { gamma, s0, rate }
    }

    /// The same curves for gradient descent with step η instead of gradient flow: a step
    /// multiplies a small λ_j by (1 + 4ηγ_j)², so the rate 8γ_j becomes
    /// 2 ln(1 + 4ηγ_j) / η (→ 8γ_j as η → 0; 16% slower for the top mode at η = 0.1/γ_1).
    pub fn discrete(mut self, lr: f64) -> Self {
        for (r, g) in self.rate.iter_mut().zip(&self.gamma) {
            let growth = 1.0 + 4.0 * lr * g;
            if growth > 0.0 {
                *r = 2.0 * growth.ln() / lr;
            }
        }
        self
    }

    /// Number of modes d.
    pub fn d(&self) -> usize {
        self.gamma.len()
    }

    /// Step time τ_j = ln(1/(γ_j s_j(0)²)) / r_j, i.e. ln(1/(γ_j s_j(0)²)) / (8 γ_j) for
    /// gradient flow (Eq. 16); `None` when γ_j ≤ 0 (the mode is never learned).
    pub fn tau(&self, j: usize) -> Option<f64> {
        let g = self.gamma[j];
        (g > 0.0).then(|| (1.0 / (g * self.s0[j] * self.s0[j])).ln() / self.rate[j])
    }

    /// The time at which λ_j(t) reaches `level` (0 < level < 1): from Eq. 10,
    /// ln((1/λ_j(0) − 1)/(1/level − 1)) / r_j, and 0 when λ_j(0) ≥ level already; `None`
    /// when γ_j ≤ 0 or λ_j(0) = 0 (the mode is never learned).
    pub fn time_to_reach(&self, j: usize, level: f64) -> Option<f64> {
        let g = self.gamma[j];
        let l0 = g * self.s0[j] * self.s0[j];
        if g <= 0.0 || l0 <= 0.0 || self.rate[j] <= 0.0 {
            return None;
        }
        if l0 >= level {
            return Some(0.0);
        }
        Some(((1.0 / l0 - 1.0) / (1.0 / level - 1.0)).ln() / self.rate[j])
    }

    /// All step times.
    pub fn taus(&self) -> Vec<Option<f64>> {
        (0..self.d()).map(|j| self.tau(j)).collect()
    }

    /// λ_j(t) = 1 / (1 + (1/(γ_j s_j(0)²) − 1) e^{−r_j t}) (r_j = 8 γ_j: Eq. 10), written so
    /// it cannot overflow for γ_j > 0; for γ_j < 0 it decays to 0 (same formula, λ(0) < 0).
    pub fn lambda(&self, j: usize, t: f64) -> f64 {
        let (g, s) = (self.gamma[j], self.s0[j]);
        let l0 = g * s * s;
        if l0 == 0.0 {
            return 0.0;
        }
        let v = 1.0 / (1.0 + (1.0 / l0 - 1.0) * (-self.rate[j] * t).exp());
        if v.is_finite() {
            v
        } else {
            0.0
        }
    }

    /// λ_j(t) for every j and the loss Σ_j (1 − λ_j)².
    pub fn at(&self, t: f64) -> TheoryPoint {
        let eigenvalues: Vec<f64> = (0..self.d()).map(|j| self.lambda(j, t)).collect();
        let loss = eigenvalues.iter().map(|l| (1.0 - l) * (1.0 - l)).sum();
        TheoryPoint { eigenvalues, loss }
    }

    /// The latest finite step time among the d modes, if any mode is learned.
    pub fn last_tau(&self) -> Option<f64> {
        self.taus().into_iter().flatten().reduce(f64::max)
    }
}

/// Singular values s_j(0) ≈ α sqrt(d − j + 1) expected for i.i.d. N(0, α²) init (Eq. 21).
pub fn expected_s0(alpha: f64, d: usize) -> Vec<f64> {
    (0..d).map(|j| alpha * ((d - j) as f64).sqrt()).collect()
}

/// An aligned initialization W = diag(s) [v_1 … v_d]ᵀ (d x m).
pub fn aligned_init(s: &[f64], vectors: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(s.len(), vectors.nrows(), |i, k| s[i] * vectors[(k, i)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_is_a_sigmoid_through_one_half_near_tau() {
        let th = LinearTheory::from_s0(vec![2.0, 0.5], vec![1e-6, 1e-6]);
        for j in 0..2 {
            let tau = th.tau(j).unwrap();
            // at τ_j: λ = 1/(1 + (1/λ0 − 1)·λ0) ≈ 1/2
            assert!((th.lambda(j, tau) - 0.5).abs() < 1e-6);
            assert!(th.lambda(j, 0.0) < 1e-10);
            assert!((th.lambda(j, 10.0 * tau) - 1.0).abs() < 1e-6);
        }
        assert!(th.tau(0).unwrap() < th.tau(1).unwrap());
    }

    #[test]
    fn lambda_solves_the_ode() {
        // dλ/dt = 8 γ λ (1 − λ) for λ = γ s², ds/dt = 4(1 − γ s²) γ s
        let th = LinearTheory::from_s0(vec![1.3, -0.7], vec![0.01, 0.3]);
        for j in 0..2 {
            for t in [0.1, 1.0, 3.0] {
                let h = 1e-6;
                let dl = (th.lambda(j, t + h) - th.lambda(j, t - h)) / (2.0 * h);
                let l = th.lambda(j, t);
                let rhs = 8.0 * th.gamma[j] * l * (1.0 - l);
                assert!(
                    (dl - rhs).abs() < 1e-6 * (1.0 + rhs.abs()),
                    "{j} {t} {dl} {rhs}"
                );
            }
        }
        assert!(th.tau(1).is_none());
        assert!(th.lambda(1, 1e6).abs() < 1e-12);
    }

    #[test]
    fn discrete_theory_tends_to_flow_as_the_step_shrinks() {
        let flow = LinearTheory::from_s0(vec![2.0, 0.5], vec![1e-5, 1e-5]);
        let coarse = flow.clone().discrete(0.05);
        // gradient descent is slower per unit t than gradient flow
        assert!(coarse.tau(0).unwrap() > 1.1 * flow.tau(0).unwrap());
        let fine = flow.clone().discrete(1e-7);
        for j in 0..2 {
            let (a, b) = (fine.tau(j).unwrap(), flow.tau(j).unwrap());
            assert!((a - b).abs() < 1e-5 * b, "{a} vs {b}");
        }
    }

    #[test]
    fn discrete_theory_matches_the_aligned_map_in_the_linear_regime() {
        // s ← s (1 + 4ηγ(1 − γ s²)): while γ s² ≪ 1, λ grows by (1 + 4ηγ)² per step
        let (g, s0, lr) = (3.0, 1e-6, 0.02);
        let th = LinearTheory::from_s0(vec![g], vec![s0]).discrete(lr);
        let mut s: f64 = s0;
        for _ in 0..30 {
            s *= 1.0 + 4.0 * lr * g * (1.0 - g * s * s);
        }
        let want = g * s * s;
        let got = th.lambda(0, 30.0 * lr);
        assert!((got - want).abs() < 1e-3 * want, "{got} vs {want}");
    }
}
