//! A small ResNet encoder plus a bias-free MLP projector, as plain CPU math (docs/deep.md §1):
//! the model of the paper's deep-network experiments, the CPU backend's network and the
//! reference of the GPU kernels.
//!
//! Parameters live in one flat `Vec<f32>` ([`ResNetShape::layout`]); [`forward`] records a
//! [`Tape`] of activations, [`backward`] turns dL/d(embeddings) into dL/dparams. [`ops`] holds
//! the naive reference ops (generic over f32/f64, the reference of the WGSL kernels);
//! [`Fast`] is the im2col + portable-matmul path (`gemm`) the CPU trains with, and a [`Workspace`] keeps its
//! buffers across steps.
//!
//! Inputs are used as given (pixels in [0, 1], NHWC): no mean subtraction or scaling — with
//! batchnorm on, the stem's BN removes the offset.
//!
//! Measured (one core of this machine, 2B = 128 views, forward + backward through a
//! [`Workspace`], `fast_tests::bench_training_step`): the `resnet-*` default shape (side 24,
//! channels `[16, 32, 64]`, projector `[256]`, d 8; 14.1 MFLOP per view forward) ≈ 100–140 ms
//! per step, 40–54 GFLOP/s; side 12, channels `[8, 16, 32]`, projector `[64]`, d 6 ≈ 12–19 ms
//! — with faer's matmul. The portable `gemm` that replaced it measured 1.18x slower on
//! `resnet-bt` and faster on `resnet-bt-small` (`stepwise bench deep`, README).

mod backward;
mod fast;
#[cfg(test)]
mod fast_tests;
mod forward;
mod gemm;
mod init;
mod kernels;
pub mod ops;
mod pool;
mod shape;
#[cfg(test)]
mod tests;

pub use backward::{backward_pooled, backward_with};
pub use fast::Fast;
pub use forward::{features_pooled, forward_pooled, forward_with, BlockTape, Tape, UnitTape};
pub use init::{init, InitScales};
pub use kernels::{ConvKernels, Naive};
pub use pool::Pool;
pub(crate) use shape::ConvUnit;
pub(crate) use shape::Plan;
pub use shape::{ParamEntry, ParamKind, ParamLayout, ResNetShape, ResNetShapeError};

/// The forward pass of `count` views (`[count, S, S, 3]` NHWC, f32) on the fast CPU path
/// ([`Fast`]); a training loop keeps a [`Workspace`] instead, which reuses every buffer.
///
/// # Panics
/// When `params` or `views` do not have the sizes `shape` implies.
pub fn forward(shape: &ResNetShape, params: &[f32], views: &[f32], count: usize) -> Tape {
    forward_with(shape, params, views, count, &mut Fast::default())
}

/// dL/dparams (same flat layout) from a forward tape and dL/d(embeddings) (count x d), on the
/// fast CPU path.
///
/// # Panics
/// When the sizes do not match `shape`.
pub fn backward(
    shape: &ResNetShape,
    params: &[f32],
    tape: &Tape,
    grad_embeddings: &[f32],
) -> Vec<f32> {
    backward_with(shape, params, tape, grad_embeddings, &mut Fast::default())
}

/// What a training loop keeps across steps on the CPU: the fast kernels' scratch and a pool of
/// activation and gradient buffers, so that steps after the first do not allocate.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    fast: Fast,
    pool: Pool<f32>,
}

impl Workspace {
    /// [`forward`] with reused buffers; give the tape back with [`Workspace::backward`] or
    /// [`Workspace::recycle`].
    pub fn forward(
        &mut self,
        shape: &ResNetShape,
        params: &[f32],
        views: &[f32],
        count: usize,
    ) -> Tape {
        forward_pooled(shape, params, views, count, &mut self.fast, &mut self.pool)
    }

    /// [`backward`] into `grads` (overwritten), recycling the tape.
    pub fn backward(
        &mut self,
        shape: &ResNetShape,
        params: &[f32],
        tape: Tape,
        grad_embeddings: &[f32],
        grads: &mut [f32],
    ) {
        let (fast, pool) = (&mut self.fast, &mut self.pool);
        backward_pooled(shape, params, &tape, grad_embeddings, fast, pool, grads);
        tape.recycle(&mut self.pool);
    }

    /// The hidden representation (count x hidden_dim) and the embeddings (count x d) of
    /// `count` views, equal to [`forward`]'s, without keeping a tape (for evaluation sets).
    pub fn features(
        &mut self,
        shape: &ResNetShape,
        params: &[f32],
        views: &[f32],
        count: usize,
    ) -> (Vec<f32>, Vec<f32>) {
        features_pooled(shape, params, views, count, &mut self.fast, &mut self.pool)
    }

    /// Returns a tape's buffers to the pool (e.g. after an evaluation pass).
    pub fn recycle(&mut self, tape: Tape) {
        tape.recycle(&mut self.pool);
    }

    /// Buffers allocated so far (constant once the steps repeat).
    pub fn allocations(&self) -> usize {
        self.pool.allocations()
    }

    /// Floats held between steps (the recycled tape's and the backward pass's buffers).
    pub fn held_floats(&self) -> usize {
        self.pool.held()
    }
}
