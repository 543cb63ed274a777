//! The browser layer: the only code that touches wasm-bindgen, web-sys and the DOM.
//!
//! [`LinearSession`] prepares a linear run from a share-link query or a JSON configuration,
//! picks a backend (WebGPU when an adapter is available, else the CPU), advances the run in
//! chunks that the page schedules per animation frame, and draws, exports and shares it.
//! Every failure reaches JavaScript as an exception carrying the run's own message.

mod canvas;
mod directions;
mod engine;
mod export;
mod probe;
mod query;
mod session;

pub use session::{create_session, LinearSession};

use wasm_bindgen::JsValue;

/// A JavaScript `Error` with `message`.
fn js_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}
