//! The one trait every linear-model backend (CPU now, GPU next) implements.

/// Most intervals one [`LinearBackend::advance_many`] call may be given.
pub const MAX_BATCH: usize = 128;

/// Errors a backend can report.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("backend failure: {0}")]
    Failed(String),
}

/// Gradient descent on linear Barlow Twins, W ← W − 4η (C − I) W Γ.
///
/// The methods are `async` so that a GPU backend can await its readbacks in the browser;
/// the CPU backend's futures are ready at once.
#[allow(async_fn_in_trait)] // used through generics only, never as a trait object
pub trait LinearBackend {
    /// Short name written into results, e.g. `cpu-f32`.
    fn name(&self) -> String;

    /// Performs `steps` gradient steps (0 is allowed) and returns C = W Γ Wᵀ at the new W,
    /// row-major d x d.
    async fn advance(&mut self, steps: u32) -> Result<Vec<f32>, BackendError>;

    /// Runs the intervals one after the other (at most [`MAX_BATCH`] of them) and returns C
    /// after each. GPU backends read all of them back at once; this default calls `advance`.
    async fn advance_many(&mut self, intervals: &[u32]) -> Result<Vec<Vec<f32>>, BackendError> {
        let mut out = Vec::with_capacity(intervals.len());
        for &steps in intervals {
            out.push(self.advance(steps).await?);
        }
        Ok(out)
    }

    /// The current W, row-major d x m.
    async fn weights(&mut self) -> Result<Vec<f32>, BackendError>;
}
