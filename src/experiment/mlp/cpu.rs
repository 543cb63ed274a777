//! The CPU backend of the MLP: f32 faer matmuls, preallocated buffers, the loss gradient in
//! f64 from [`crate::model::ssl_loss`].

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

use super::backend::{MlpBackend, Snapshot};
use crate::experiment::BackendError;
use crate::model::mlp::{self, MlpGrads, MlpWeights};
use crate::model::ssl_loss::{self, SslLoss};

/// Full-batch (momentum) gradient descent on the CPU.
pub struct CpuMlpBackend {
    x: Mat<f32>,
    w: MlpWeights,
    velocity: MlpGrads,
    grads: MlpGrads,
    hidden: Mat<f32>,
    f: Mat<f32>,
    grad_f: Mat<f32>,
    delta: Mat<f32>,
    loss: SslLoss,
    lr: f32,
    momentum: f32,
}

impl CpuMlpBackend {
    /// `x` is X̃ (N x (m+1)), `w` the initial weights.
    pub fn new(x: Mat<f32>, w: MlpWeights, loss: SslLoss, lr: f32, momentum: f32) -> Self {
        let rows = x.nrows();
        let zeros_like = |m: &Mat<f32>| Mat::zeros(m.nrows(), m.ncols());
        let grads = MlpGrads {
            w1: zeros_like(&w.w1),
            w2: zeros_like(&w.w2),
        };
        Self {
            hidden: Mat::zeros(rows, w.shape.hidden_aug()),
            f: Mat::zeros(rows, w.shape.outputs),
            grad_f: Mat::zeros(rows, w.shape.outputs),
            delta: Mat::zeros(rows, w.shape.hidden_aug()),
            velocity: grads.clone(),
            grads,
            x,
            w,
            loss,
            lr,
            momentum,
        }
    }

    fn step(&mut self) {
        self.w
            .forward_into(self.x.as_ref(), &mut self.hidden, &mut self.f);
        let (n, d) = (self.f.nrows() / 2, self.f.ncols());
        let f64s: Vec<f64> = mlp::row_major(self.f.as_ref())
            .into_iter()
            .map(f64::from)
            .collect();
        let grad = ssl_loss::loss_and_grad(self.loss, &f64s, n, d).grad;
        for i in 0..2 * n {
            for j in 0..d {
                self.grad_f[(i, j)] = grad[i * d + j] as f32;
            }
        }
        self.w.backward_into(
            self.x.as_ref(),
            self.hidden.as_ref(),
            self.grad_f.as_ref(),
            &mut self.delta,
            &mut self.grads,
        );
        descend(
            &mut self.w.w1,
            &mut self.velocity.w1,
            &self.grads.w1,
            self.lr,
            self.momentum,
        );
        descend(
            &mut self.w.w2,
            &mut self.velocity.w2,
            &self.grads.w2,
            self.lr,
            self.momentum,
        );
    }
}

/// v ← μ v + g; w ← w − η v (with μ = 0: w ← w − η g).
fn descend(w: &mut Mat<f32>, v: &mut Mat<f32>, g: &Mat<f32>, lr: f32, momentum: f32) {
    for j in 0..w.ncols() {
        for i in 0..w.nrows() {
            let vel = momentum * v[(i, j)] + g[(i, j)];
            v[(i, j)] = vel;
            w[(i, j)] -= lr * vel;
        }
    }
}

impl MlpBackend for CpuMlpBackend {
    fn name(&self) -> String {
        "cpu-f32".into()
    }

    async fn advance(&mut self, steps: u32, hidden: bool) -> Result<Snapshot, BackendError> {
        for _ in 0..steps {
            self.step();
        }
        self.w
            .forward_into(self.x.as_ref(), &mut self.hidden, &mut self.f);
        let hidden_gram = hidden.then(|| {
            let rows = self.hidden.nrows();
            let mut gram = Mat::<f32>::zeros(rows, rows);
            let h = self.hidden.as_ref();
            matmul(
                gram.as_mut(),
                Accum::Replace,
                h,
                h.transpose(),
                1.0,
                Par::Seq,
            );
            mlp::row_major(gram.as_ref())
        });
        Ok(Snapshot {
            embeddings: mlp::row_major(self.f.as_ref()),
            hidden_gram,
        })
    }

    async fn weights(&mut self) -> Result<(Vec<f32>, Vec<f32>), BackendError> {
        Ok((
            mlp::row_major(self.w.w1.as_ref()),
            mlp::row_major(self.w.w2.as_ref()),
        ))
    }
}
