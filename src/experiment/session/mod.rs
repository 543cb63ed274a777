//! One session design for every notebook cell, in plain Rust (no wasm-bindgen, no DOM), so
//! that it is tested natively (`tests/session_core.rs`):
//!
//! - [`Stepper`]: a computation advanced a budget of steps at a time ([`crate::experiment::LinearRun`],
//!   [`crate::experiment::mlp::MlpRun`], the App. G [`crate::experiment::appg::Comparison`],
//!   and [`OneShot`] for the cells computed in one call);
//! - [`Engine`]: a stepper on the CPU or on WebGPU, itself a stepper;
//! - [`Cell`]: what differs per cell (configuration, preparation, the two backends, what is
//!   drawn, the result), implemented by [`LinearCell`], [`MlpCell`], [`AppgCell`],
//!   [`InitCell`], [`SymmetryCell`], [`DeepCell`] and [`MethodsCell`];
//! - [`Session`]: the state machine over a cell ([`SessionState`]), with budget slicing
//!   ([`Session::advance_for`]) and the one GPU-loss policy (the run resumes on the CPU at
//!   the same step);
//! - [`choose_backend`] and the cost model ([`cost`]) behind `backend=auto`.

mod appg;
mod cell;
mod choice;
pub mod cost;
mod deep;
mod engine;
mod error;
mod linear;
mod machine;
mod methods;
mod mlp;
mod oneshot;
mod opening;
mod snapshots;
mod stepper;
mod symmetry_input;

pub use appg::{AppgCell, AppgCpu, AppgLive, AppgPrepared};
pub use cell::Cell;
pub use choice::{
    choose_backend, fit_buffers, AdapterInfo, BackendChoice, BackendKind, BackendWant, Why,
};
pub use deep::DeepCell;
pub use engine::Engine;
pub use error::{ErrorKind, SessionError};
pub use linear::LinearCell;
pub use machine::{Clock, Failure, Progress, Session, SessionState};
pub use methods::{GpuBackends, MethodsCell, MethodsLive, MethodsPrepared};
pub use mlp::{MlpCell, MlpPlan, MlpStepper};
pub use oneshot::{InitCell, SymmetryCell, SymmetryConfig, SymmetryLive, MAX_GAMMAS};
pub use opening::Opening;
pub use snapshots::{Snapshot, Snapshots};
pub use stepper::{OneShot, Stepper};
pub use symmetry_input::read_symmetry_config;
