//! The one trait every linear-model backend (CPU now, GPU next) implements.

use faer::{Mat, MatRef};

use crate::gpu::GpuError;
use crate::model::mlp::row_major;

/// Most intervals one [`LinearBackend::advance_many`] call may be given.
pub const MAX_BATCH: usize = 128;

/// Errors a backend can report: the CPU backends cannot fail, so only the GPU's.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Gpu(#[from] GpuError),
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

    /// The current weights in the backend's own coordinates, cheap to keep (replay
    /// snapshots): W itself by default.
    async fn coordinates(&mut self) -> Result<Coordinates, BackendError> {
        Ok(Coordinates::Weights(self.weights().await?))
    }
}

/// A backend's weights as it holds them.
#[derive(Debug, Clone, PartialEq)]
pub enum Coordinates {
    /// W, row-major d x m.
    Weights(Vec<f32>),
    /// A = W V in Γ's eigenbasis, row-major d x K: W = A Vᵀ for the run's K eigenvectors
    /// (mapping costs d·K·m, which the eigenbasis solver with K = m would otherwise pay
    /// at every snapshot).
    Eigenbasis(Vec<f32>),
}

impl Coordinates {
    /// W (row-major d x m), with `vectors` (m x K) the run's eigenvectors of Γ.
    pub fn weights(&self, vectors: MatRef<'_, f64>) -> Vec<f32> {
        match self {
            Self::Weights(w) => w.clone(),
            Self::Eigenbasis(a) => {
                let (m, k) = (vectors.nrows(), vectors.ncols());
                let d = a.len() / k.max(1);
                let a = MatRef::from_row_major_slice(a, d, k);
                let v = Mat::from_fn(m, k, |i, j| vectors[(i, j)] as f32);
                row_major((a * v.transpose()).as_ref())
            }
        }
    }
}
