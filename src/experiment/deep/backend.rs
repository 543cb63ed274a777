//! The one trait every deep-network backend (CPU, GPU) implements (docs/deep.md §2).

use crate::experiment::BackendError;

/// The network's outputs on a set of views.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepSnapshot {
    /// Embeddings, count x d row-major.
    pub embeddings: Vec<f32>,
    /// Hidden representations (globally pooled trunk output), count x hidden_dim row-major.
    pub hidden: Vec<f32>,
}

/// Minibatch SGD with momentum and weight decay of the ResNet plus projector on one SSL loss.
/// The run draws every batch of views (`data::augment::views`), so that every backend trains
/// on identical batches. `async` so that the GPU backend can await readbacks in the browser.
#[allow(async_fn_in_trait)] // used through generics only, never as a trait object
pub trait DeepBackend {
    /// Short name written into results, e.g. `cpu-f32`.
    fn name(&self) -> String;

    /// One SGD step (PyTorch's: v ← μv + g + λw, w ← w − ηv) on this batch of 2B views
    /// (`[2B, S, S, 3]`; rows B..2B are the twins of rows 0..B) at learning rate `lr`.
    async fn train(&mut self, views: &[f32], lr: f32) -> Result<(), BackendError>;

    /// The network's outputs on `count` views (`[count, S, S, 3]`, batch-norm statistics over
    /// these `count` views), without changing any parameter.
    async fn evaluate(&mut self, views: &[f32], count: usize)
        -> Result<DeepSnapshot, BackendError>;

    /// The current parameters in `model::resnet`'s flat layout.
    async fn params(&mut self) -> Result<Vec<f32>, BackendError>;
}
