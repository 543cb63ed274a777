//! The CPU backend: f32 gradient descent with faer matmuls and no per-step allocation.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

use super::backend::{BackendError, LinearBackend};

/// Keeps P = W Γ and C = P Wᵀ consistent with the current W, so reading C is free.
pub struct CpuBackend {
    gamma: Mat<f32>,
    w: Mat<f32>,
    p: Mat<f32>,
    c: Mat<f32>,
    lr: f32,
}

impl CpuBackend {
    /// `gamma` row-major m x m (symmetric), `w0` row-major d x m.
    pub fn new(m: usize, d: usize, gamma: &[f32], w0: &[f32], lr: f32) -> Self {
        let gamma = Mat::from_fn(m, m, |i, j| gamma[i * m + j]);
        let w = Mat::from_fn(d, m, |i, j| w0[i * m + j]);
        let mut b = Self {
            gamma,
            w,
            p: Mat::zeros(d, m),
            c: Mat::zeros(d, d),
            lr,
        };
        b.refresh();
        b
    }

    fn refresh(&mut self) {
        matmul(&mut self.p, Accum::Replace, &self.w, &self.gamma, 1.0, Par::Seq);
        matmul(&mut self.c, Accum::Replace, &self.p, self.w.transpose(), 1.0, Par::Seq);
    }

    fn step(&mut self) {
        // C ← C − I, then W ← W − 4η (C − I) P
        for i in 0..self.c.nrows() {
            self.c[(i, i)] -= 1.0;
        }
        matmul(&mut self.w, Accum::Add, &self.c, &self.p, -4.0 * self.lr, Par::Seq);
        self.refresh();
    }

    fn row_major(m: &Mat<f32>) -> Vec<f32> {
        (0..m.nrows())
            .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
            .collect()
    }
}

impl LinearBackend for CpuBackend {
    fn name(&self) -> String {
        "cpu-f32".into()
    }

    async fn advance(&mut self, steps: u32) -> Result<Vec<f32>, BackendError> {
        for _ in 0..steps {
            self.step();
        }
        Ok(Self::row_major(&self.c))
    }

    async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(Self::row_major(&self.w))
    }
}
