//! The one trait every MLP backend (CPU, GPU) implements.

use crate::experiment::BackendError;

/// What a backend reports after advancing: the embeddings and, when asked, the hidden
/// representation's Gram matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// F at the current weights, N x d row-major (rows 0..n: first views).
    pub embeddings: Vec<f32>,
    /// H̃ H̃ᵀ (N x N row-major, H̃ with its constant bias unit), if requested.
    pub hidden_gram: Option<Vec<f32>>,
}

/// Full-batch gradient descent (with optional momentum) of the one-hidden-layer network on
/// one SSL loss. `async` so that the GPU backend can await readbacks in the browser.
#[allow(async_fn_in_trait)] // used through generics only, never as a trait object
pub trait MlpBackend {
    /// Short name written into results, e.g. `cpu-f32`.
    fn name(&self) -> String;

    /// Performs `steps` steps (0 is allowed) and reports the state at the new weights.
    async fn advance(&mut self, steps: u32, hidden: bool) -> Result<Snapshot, BackendError>;

    /// The current W̃1 ((h+1) x (m+1)) and W̃2 (d x (h+1)), row-major.
    async fn weights(&mut self) -> Result<(Vec<f32>, Vec<f32>), BackendError>;
}
