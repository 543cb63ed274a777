//! The three conv products the network is made of, behind one trait: the naive reference
//! ops ([`Naive`], any float type) or the fast f32 path ([`super::Fast`]). A bias-free linear
//! layer is the conv with side 1 and K = 1 ([`ConvShape::linear`]), so these are all the
//! matmul-like work of a step (docs/deep.md §1).

use super::ops::{self, ConvShape, Real};

/// Conv forward and backward products; every call overwrites its output slice.
pub trait ConvKernels<T: Real> {
    /// y = conv(x, w) (see [`ops::conv2d_forward`]).
    fn forward(&mut self, s: &ConvShape, x: &[T], w: &[T], y: &mut [T]);
    /// dx from dy (see [`ops::conv2d_backward_input`]).
    fn backward_input(&mut self, s: &ConvShape, dy: &[T], w: &[T], dx: &mut [T]);
    /// dw from x and dy (see [`ops::conv2d_backward_weights`]).
    fn backward_weights(&mut self, s: &ConvShape, x: &[T], dy: &[T], dw: &mut [T]);
}

/// The naive reference ops (slow; for tests and finite-difference checks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Naive;

impl<T: Real> ConvKernels<T> for Naive {
    fn forward(&mut self, s: &ConvShape, x: &[T], w: &[T], y: &mut [T]) {
        y.copy_from_slice(&ops::conv2d_forward(s, x, w));
    }

    fn backward_input(&mut self, s: &ConvShape, dy: &[T], w: &[T], dx: &mut [T]) {
        dx.copy_from_slice(&ops::conv2d_backward_input(s, dy, w));
    }

    fn backward_weights(&mut self, s: &ConvShape, x: &[T], dy: &[T], dw: &mut [T]) {
        dw.copy_from_slice(&ops::conv2d_backward_weights(s, x, dy));
    }
}
