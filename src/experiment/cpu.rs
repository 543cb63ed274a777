//! The CPU backend: f32 gradient descent with faer matmuls and no per-step allocation.
//!
//! Two solvers, one trajectory: `literal` iterates W ← W − 4η (C − I) W Γ as written;
//! `eigenbasis` iterates A = W V (Γ = V Λ Vᵀ) with A ← A − 4η (C − I) A Λ, C = A Λ Aᵀ. The
//! second costs d²m instead of dm² per step and keeps each mode's component in its own
//! column, so tiny modes keep full f32 relative precision next to learned O(1) ones. Given
//! only Γ's top K eigenpairs (V is m x K), the same code is the `truncated` solver (d²K).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use super::appg::SpectralRule;
use super::backend::{BackendError, LinearBackend};

/// How P = W Γ is formed.
enum Operator {
    /// Γ itself (m x m).
    Dense(Mat<f32>),
    /// Γ's eigenvalues (K of them), with V (m x K) to map A back to W = A Vᵀ.
    Diagonal { values: Vec<f32>, vectors: Mat<f32> },
}

/// Keeps P = W Γ and C = P Wᵀ consistent with the current W, so reading C is free.
pub struct CpuBackend {
    op: Operator,
    w: Mat<f32>,
    p: Mat<f32>,
    c: Mat<f32>,
    lr: f32,
    /// Appendix G's update rule; `None` is plain Barlow Twins.
    rule: Option<SpectralRule>,
}

impl CpuBackend {
    /// Literal solver: `gamma` row-major m x m (symmetric), `w0` row-major d x m.
    pub fn literal(m: usize, d: usize, gamma: &[f32], w0: &[f32], lr: f32) -> Self {
        let gamma = Mat::from_fn(m, m, |i, j| gamma[i * m + j]);
        Self::with(Operator::Dense(gamma), row_major_mat(d, m, w0), lr)
    }

    /// Eigenbasis solver: Γ's eigenvalues `values` and unit eigenvectors `vectors` (m x K,
    /// columns: all m of them, or the top K for the truncated solver), `w0` row-major d x m
    /// in the original basis.
    pub fn eigenbasis(values: &[f64], vectors: MatRef<'_, f64>, w0: &[f32], lr: f32) -> Self {
        let (m, k) = (vectors.nrows(), vectors.ncols());
        let d = w0.len() / m.max(1);
        let w0 = Mat::from_fn(d, m, |i, j| w0[i * m + j] as f64);
        let a0 = &w0 * vectors;
        let op = Operator::Diagonal {
            values: values[..k].iter().map(|v| *v as f32).collect(),
            vectors: Mat::from_fn(m, k, |i, j| vectors[(i, j)] as f32),
        };
        Self::with(op, Mat::from_fn(d, k, |i, j| a0[(i, j)] as f32), lr)
    }

    fn with(op: Operator, w: Mat<f32>, lr: f32) -> Self {
        let (d, m) = (w.nrows(), w.ncols());
        let mut b = Self {
            op,
            w,
            p: Mat::zeros(d, m),
            c: Mat::zeros(d, d),
            lr,
            rule: None,
        };
        b.refresh();
        b
    }

    fn refresh(&mut self) {
        match &self.op {
            Operator::Dense(gamma) => {
                matmul(&mut self.p, Accum::Replace, &self.w, gamma, 1.0, Par::Seq)
            }
            Operator::Diagonal { values, .. } => {
                for (k, g) in values.iter().enumerate() {
                    for i in 0..self.w.nrows() {
                        self.p[(i, k)] = self.w[(i, k)] * g;
                    }
                }
            }
        }
        matmul(
            &mut self.c,
            Accum::Replace,
            &self.p,
            self.w.transpose(),
            1.0,
            Par::Seq,
        );
    }

    /// Steps with Appendix G's `rule` (W ← W − η B P) instead of plain Barlow Twins. The
    /// rule's moment operator must be in this backend's basis (Σ, or VᵀΣV for the eigenbasis).
    pub fn with_rule(mut self, rule: SpectralRule) -> Self {
        self.rule = Some(rule);
        self
    }

    fn step(&mut self) {
        if let Some(rule) = &self.rule {
            match rule.update(self.c.as_ref(), self.w.as_ref()) {
                Ok(b) => {
                    matmul(&mut self.w, Accum::Add, &b, &self.p, -self.lr, Par::Seq);
                    self.refresh();
                }
                // C is not finite (or has no eigendecomposition): keep it so, and the run
                // reports the divergence
                Err(_) => self.c.fill(f32::NAN),
            }
            return;
        }
        // C ← C − I, then W ← W − 4η (C − I) P
        for i in 0..self.c.nrows() {
            self.c[(i, i)] -= 1.0;
        }
        matmul(
            &mut self.w,
            Accum::Add,
            &self.c,
            &self.p,
            -4.0 * self.lr,
            Par::Seq,
        );
        self.refresh();
    }
}

fn row_major_mat(rows: usize, cols: usize, data: &[f32]) -> Mat<f32> {
    Mat::from_fn(rows, cols, |i, j| data[i * cols + j])
}

fn row_major(m: MatRef<'_, f32>) -> Vec<f32> {
    (0..m.nrows())
        .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
        .collect()
}

impl LinearBackend for CpuBackend {
    fn name(&self) -> String {
        let solver = match &self.op {
            Operator::Dense(_) => "cpu-f32",
            Operator::Diagonal { vectors, .. } if vectors.ncols() < vectors.nrows() => {
                "cpu-f32-truncated"
            }
            Operator::Diagonal { .. } => "cpu-f32-eigenbasis",
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
        Ok(row_major(self.c.as_ref()))
    }

    async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(match &self.op {
            Operator::Dense(_) => row_major(self.w.as_ref()),
            Operator::Diagonal { vectors, .. } => {
                row_major((&self.w * vectors.transpose()).as_ref())
            }
        })
    }
}
