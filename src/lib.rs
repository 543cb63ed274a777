//! stepwise: watch self-supervised learning learn its embedding one dimension at a time.
//!
//! Layers, each depending only on the ones above it in this list:
//! - [`linalg`], [`data`], [`model`], [`theory`]: pure math and data, no GPU, no DOM;
//! - [`experiment`]: run configuration, presets, backends behind one trait, runs and results;
//! - [`plot`]: figures drawn with plotters, generic over the drawing backend.
//!
//! The CLI (`src/bin/stepwise.rs`) sits on top of all of them.

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
