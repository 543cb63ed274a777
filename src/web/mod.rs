//! The browser layer: the only code that touches wasm-bindgen, web-sys and the DOM.
//!
//! [`LinearSession`] prepares a linear run from a share-link query or a JSON configuration,
//! picks a backend (WebGPU when an adapter is available, else the CPU), advances the run in
//! chunks that the page schedules per animation frame, and draws, exports and shares it.
//! The later cells are one call each: [`compute_init`] runs the random-vs-aligned init
//! comparison (Result 4.6) and [`symmetry_landscape`] the symmetry-breaking landscapes
//! (App. F). [`MlpSession`] does for the MLP runs (docs/math.md §7) what `LinearSession` does for
//! the linear one, and [`AppgSession`] for Appendix G's comparison of loss variants (cell
//! "Can SSL learn faster?"). Every failure reaches JavaScript as an exception carrying its own message.

mod appg_engine;
mod appg_query;
mod appg_session;
mod bench;
mod bundled_photos;
mod canvas;
mod directions;
mod engine;
mod estimate;
mod export;
mod init_cell;
mod local_photos;
mod mlp_engine;
mod mlp_figures;
mod mlp_query;
mod mlp_session;
mod mlp_summary;
mod probe;
mod python_export;
mod query;
mod replay;
mod session;
mod snapshots;
mod symmetry;

pub use appg_query::{
    appg_compact_query, appg_config_problem, appg_presets_json, parse_appg_query,
};
pub use appg_session::{create_appg_session, AppgSession};
pub use bench::bench_phases;
pub use canvas::{figure_css_height, figure_layout_json, mode_palette, set_plot_theme};
pub use estimate::{appg_cost_json, linear_cost_json, mlp_cost_json};
pub use init_cell::{compute_init, InitCell};
pub use local_photos::{clear_local_photos, local_photo_count, use_local_photos, LocalPhotoSet};
pub use mlp_query::{mlp_compact_query, mlp_config_problem, mlp_presets_json, parse_mlp_query};
pub use mlp_session::{create_mlp_session, MlpSession};
pub use session::{create_session, LinearSession};
pub use symmetry::{symmetry_landscape, SymmetryCell};

use wasm_bindgen::JsValue;

/// A JavaScript `Error` with `message`.
fn js_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}
