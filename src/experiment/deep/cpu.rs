//! The CPU backend of the deep network (docs/deep.md §2): `model::resnet`'s forward and
//! backward, the loss gradient in f64 from [`crate::model::ssl_loss`], SGD with momentum and
//! weight decay on the flat parameter vector.

use super::backend::{DeepBackend, DeepSnapshot};
use crate::experiment::BackendError;
use crate::model::resnet::{ResNetShape, Workspace};
use crate::model::ssl_loss::{self, SslLoss};

/// Minibatch SGD on the CPU.
pub struct CpuDeepBackend {
    shape: ResNetShape,
    params: Vec<f32>,
    velocity: Vec<f32>,
    loss: SslLoss,
    momentum: f32,
    weight_decay: f32,
    /// The fast path's scratch and activation buffers, reused across steps.
    workspace: Workspace,
    /// dL/dparams of the latest step.
    grad: Vec<f32>,
    /// Loss on the latest training batch.
    last_loss: f64,
}

impl CpuDeepBackend {
    /// A backend holding `params` (the initial parameters of `shape`).
    pub fn new(
        shape: ResNetShape,
        params: Vec<f32>,
        loss: SslLoss,
        momentum: f32,
        weight_decay: f32,
    ) -> Self {
        Self {
            velocity: vec![0.0; params.len()],
            grad: vec![0.0; params.len()],
            shape,
            params,
            loss,
            momentum,
            weight_decay,
            workspace: Workspace::default(),
            last_loss: f64::NAN,
        }
    }

    /// The loss on the latest training batch (NaN before the first step).
    pub fn last_loss(&self) -> f64 {
        self.last_loss
    }

    /// Floats per view: S·S·3.
    fn view_len(&self) -> usize {
        self.shape.side * self.shape.side * 3
    }
}

/// PyTorch's SGD: v ← μv + (g + λw), w ← w − ηv.
pub fn sgd_step(
    params: &mut [f32],
    velocity: &mut [f32],
    grad: &[f32],
    lr: f32,
    momentum: f32,
    weight_decay: f32,
) {
    for ((w, v), g) in params.iter_mut().zip(velocity.iter_mut()).zip(grad) {
        *v = momentum * *v + (g + weight_decay * *w);
        *w -= lr * *v;
    }
}

impl DeepBackend for CpuDeepBackend {
    fn name(&self) -> String {
        "cpu-f32".into()
    }

    async fn train(&mut self, views: &[f32], lr: f32) -> Result<(), BackendError> {
        // the forward pass checks that the views are exactly `count` whole views
        let count = views.len() / self.view_len();
        let tape = self
            .workspace
            .forward(&self.shape, &self.params, views, count);
        let d = self.shape.d;
        let f: Vec<f64> = tape.embeddings().iter().map(|&v| f64::from(v)).collect();
        let value = ssl_loss::loss_and_grad(self.loss, &f, count / 2, d);
        self.last_loss = value.loss;
        let grad_f: Vec<f32> = value.grad.iter().map(|&g| g as f32).collect();
        self.workspace
            .backward(&self.shape, &self.params, tape, &grad_f, &mut self.grad);
        sgd_step(
            &mut self.params,
            &mut self.velocity,
            &self.grad,
            lr,
            self.momentum,
            self.weight_decay,
        );
        Ok(())
    }

    async fn evaluate(
        &mut self,
        views: &[f32],
        count: usize,
    ) -> Result<DeepSnapshot, BackendError> {
        let (hidden, embeddings) = self
            .workspace
            .features(&self.shape, &self.params, views, count);
        Ok(DeepSnapshot { embeddings, hidden })
    }

    async fn params(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(self.params.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_matches_pytorch_by_hand() {
        let (mut w, mut v) = (vec![1.0f32, -2.0], vec![0.5f32, 0.0]);
        sgd_step(&mut w, &mut v, &[0.1, 0.2], 0.1, 0.9, 0.01);
        // v = 0.9·0.5 + 0.1 + 0.01·1 = 0.56; w = 1 − 0.056.
        assert!((v[0] - 0.56).abs() < 1e-6 && (w[0] - 0.944).abs() < 1e-6);
        // v = 0 + 0.2 − 0.02 = 0.18; w = −2 − 0.018.
        assert!((v[1] - 0.18).abs() < 1e-6 && (w[1] + 2.018).abs() < 1e-6);
    }
}
