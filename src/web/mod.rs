//! The browser layer: the only code that touches wasm-bindgen and web-sys. It runs in the
//! page's compute worker (www/worker.js): [`Host`] answers the page's requests (protocol.rs,
//! one enum each way) with the sessions of every cell, built on the core's generic `Session`
//! (src/experiment/session) through one [`cells::WebCell`] impl per cell. Figures are drawn
//! on offscreen canvases and handed to the page as bitmaps. docs/architecture.md, "The page
//! and its worker", describes the design.

mod bench;
mod canvas;
mod cells;
mod directions;
mod error;
mod export;
mod host;
mod mlp_summary;
mod offscreen;
mod page_session;
mod photos;
mod probe;
mod protocol;
mod queries;
mod readout;

pub use host::Host;
pub use protocol::PROTOCOL_VERSION;
