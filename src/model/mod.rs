//! The models themselves, as plain math on the CPU (no GPU, no DOM).

pub mod linear;
pub mod mlp;
pub mod resnet;
pub mod spectral;
pub mod ssl_loss;
