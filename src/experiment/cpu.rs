//! The CPU backend: f32 gradient descent with no per-step allocation (faer's matmuls for
//! the literal solver, [`Modal`]'s row-major loops for the eigenbasis).
//!
//! Two solvers, one trajectory: `literal` iterates W ← W − 4η (C − I) W Γ as written;
//! `eigenbasis` iterates A = W V (Γ = V Λ Vᵀ) with A ← A − 4η (C − I) A Λ, C = A Λ Aᵀ. The
//! second costs d²m instead of dm² per step and keeps each mode's component in its own
//! column, so tiny modes keep full f32 relative precision next to learned O(1) ones. Given
//! only Γ's top K eigenpairs (V is m x K), the same code is the `truncated` solver (d²K).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use super::appg::SpectralRule;
use super::backend::{BackendError, Coordinates, LinearBackend};
use super::modal::Modal;
use crate::model::mlp::row_major;

/// The weights and what the step needs, per solver.
enum State {
    Dense(Dense),
    /// The eigenbasis solver: A = W V with Γ's K eigenvalues, and V (m x K) to map A back
    /// to W = A Vᵀ.
    Modal {
        modal: Modal,
        vectors: Mat<f32>,
    },
}

/// The literal solver: Γ itself (m x m), W (d x m), P = W Γ and C = P Wᵀ.
struct Dense {
    gamma: Mat<f32>,
    w: Mat<f32>,
    p: Mat<f32>,
    c: Mat<f32>,
}

impl Dense {
    /// W ← W − 4η (C − I) P, or W ← W − η B P with `rule`'s B; then P and C again.
    fn step(&mut self, rule: Option<&SpectralRule>, lr: f32) {
        match rule {
            Some(rule) => match rule.update(self.c.as_ref(), self.w.as_ref()) {
                Ok(b) => matmul(&mut self.w, Accum::Add, &b, &self.p, -lr, Par::Seq),
                // C is not finite (or has no eigendecomposition): keep it so, and the run
                // reports the divergence
                Err(_) => {
                    self.c.fill(f32::NAN);
                    return;
                }
            },
            None => {
                // C ← C − I in place (C is recomputed below)
                for i in 0..self.c.nrows() {
                    self.c[(i, i)] -= 1.0;
                }
                matmul(
                    &mut self.w,
                    Accum::Add,
                    &self.c,
                    &self.p,
                    -4.0 * lr,
                    Par::Seq,
                );
            }
        }
        self.refresh();
    }

    /// P = W Γ and C = P Wᵀ.
    fn refresh(&mut self) {
        matmul(
            &mut self.p,
            Accum::Replace,
            &self.w,
            &self.gamma,
            1.0,
            Par::Seq,
        );
        matmul(
            &mut self.c,
            Accum::Replace,
            &self.p,
            self.w.transpose(),
            1.0,
            Par::Seq,
        );
    }
}

/// Keeps P and C consistent with the current weights, so reading C is free.
pub struct CpuBackend {
    state: State,
    lr: f32,
    /// Appendix G's update rule; `None` is plain Barlow Twins.
    rule: Option<SpectralRule>,
}

impl CpuBackend {
    /// Literal solver: `gamma` row-major m x m (symmetric), `w0` row-major d x m.
    pub fn literal(m: usize, d: usize, gamma: &[f32], w0: &[f32], lr: f32) -> Self {
        let gamma = Mat::from_fn(m, m, |i, j| gamma[i * m + j]);
        let mut dense = Dense {
            gamma,
            w: row_major_mat(d, m, w0),
            p: Mat::zeros(d, m),
            c: Mat::zeros(d, d),
        };
        dense.refresh();
        Self::with(State::Dense(dense), lr)
    }

    /// Eigenbasis solver: Γ's eigenvalues `values` and unit eigenvectors `vectors` (m x K,
    /// columns: all m of them, or the top K for the truncated solver), `w0` row-major d x m
    /// in the original basis.
    pub fn eigenbasis(values: &[f64], vectors: MatRef<'_, f64>, w0: &[f32], lr: f32) -> Self {
        let (m, k) = (vectors.nrows(), vectors.ncols());
        let d = w0.len() / m.max(1);
        let w0 = Mat::from_fn(d, m, |i, j| w0[i * m + j] as f64);
        let a0 = &w0 * vectors;
        let a0 = Mat::from_fn(d, k, |i, j| a0[(i, j)] as f32);
        let values: Vec<f32> = values[..k].iter().map(|v| *v as f32).collect();
        let state = State::Modal {
            modal: Modal::new(&values, a0.as_ref()),
            vectors: Mat::from_fn(m, k, |i, j| vectors[(i, j)] as f32),
        };
        Self::with(state, lr)
    }

    fn with(state: State, lr: f32) -> Self {
        Self {
            state,
            lr,
            rule: None,
        }
    }

    /// Steps with Appendix G's `rule` (W ← W − η B P) instead of plain Barlow Twins. The
    /// rule's moment operator must be in this backend's basis (Σ, or VᵀΣV for the eigenbasis).
    pub fn with_rule(mut self, rule: SpectralRule) -> Self {
        self.rule = Some(rule);
        self
    }

    fn step(&mut self) {
        let lr = self.lr;
        match (&mut self.state, &self.rule) {
            (State::Modal { modal, .. }, None) => modal.step(lr),
            (State::Modal { modal, .. }, Some(rule)) => {
                match rule.update(modal.c_ref(), modal.a_ref()) {
                    Ok(b) => modal.step_with(b.as_ref(), lr),
                    Err(_) => modal.poison(),
                }
            }
            (State::Dense(dense), rule) => dense.step(rule.as_ref(), lr),
        }
    }
}

fn row_major_mat(rows: usize, cols: usize, data: &[f32]) -> Mat<f32> {
    Mat::from_fn(rows, cols, |i, j| data[i * cols + j])
}

impl LinearBackend for CpuBackend {
    fn name(&self) -> String {
        let solver = match &self.state {
            State::Dense(_) => "cpu-f32",
            State::Modal { vectors, .. } if vectors.ncols() < vectors.nrows() => {
                "cpu-f32-truncated"
            }
            State::Modal { .. } => "cpu-f32-eigenbasis",
        };
        match &self.rule {
            Some(rule) => format!("{solver}-{}", rule.variant().name()),
            None => solver.into(),
        }
    }

    async fn advance(&mut self, steps: u32) -> Result<Vec<f32>, BackendError> {
        for _ in 0..steps {
            self.step();
        }
        Ok(match &self.state {
            State::Dense(Dense { c, .. }) => row_major(c.as_ref()),
            State::Modal { modal, .. } => modal.c().to_vec(),
        })
    }

    async fn coordinates(&mut self) -> Result<Coordinates, BackendError> {
        Ok(match &self.state {
            State::Dense(Dense { w, .. }) => Coordinates::Weights(row_major(w.as_ref())),
            State::Modal { modal, .. } => Coordinates::Eigenbasis(row_major(modal.a_ref())),
        })
    }

    async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(match &self.state {
            State::Dense(Dense { w, .. }) => row_major(w.as_ref()),
            State::Modal { modal, vectors } => {
                row_major((modal.a_ref() * vectors.transpose()).as_ref())
            }
        })
    }
}
