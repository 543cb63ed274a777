//! Closed-form theory (docs/math.md §4–6): eigenvalue curves, step times, final weights, kernels.

pub mod kernel;
pub mod linear;
pub mod ntk;
pub mod spectral;

pub use linear::{LinearTheory, TheoryPoint};
