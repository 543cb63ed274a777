//! stepwise: watch self-supervised learning learn its embedding one dimension at a time.
//!
//! Layers, each using only the ones before it in this list (docs/architecture.md §1):
//! - [`linalg`], [`data`], [`model`], [`theory`], [`validate`]: pure math, data and
//!   configuration checks, no GPU, no DOM (the formulas: docs/math.md);
//! - [`experiment`]: run configuration, presets, share links, the backend traits
//!   ([`experiment::LinearBackend`], [`experiment::mlp::MlpBackend`],
//!   [`experiment::appg::Trials`]) with their CPU implementations, runs and results;
//! - [`gpu`]: the wgpu implementations of those traits and the WGSL kernels they dispatch;
//!   [`plot`]: figures drawn with plotters, generic over the drawing backend;
//! - `web` (wasm32 only): the wasm-bindgen API of the browser notebook, and the CLI
//!   (`src/bin/stepwise/main.rs`), on top of all of them.

pub mod data;
pub mod experiment;
pub mod gpu;
pub mod linalg;
pub mod model;
pub mod plot;
pub mod theory;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod web;
