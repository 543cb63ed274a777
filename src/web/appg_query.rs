//! Comparison configurations for the page (cell "Can SSL learn faster?"): a thin
//! wasm-bindgen layer over `experiment::query`, as `query.rs` is for the linear run.

use wasm_bindgen::prelude::*;

use super::js_error;
use super::query::problem_text;
use crate::experiment::appg::AppgConfig;
use crate::experiment::query;

/// Where a comparison's configuration comes from: a JSON object (text starting with `{`)
/// or a share-link query (never rejected: problems become notices).
pub fn appg_config_from_source(source: &str) -> Result<(AppgConfig, Vec<String>), JsValue> {
    query::from_source(source).map_err(js_error)
}

/// Reads a comparison's share-link query (cell prefix removed): `{"config": {...},
/// "notices": [...]}` as JSON text.
#[wasm_bindgen]
pub fn parse_appg_query(query: &str) -> Result<String, JsValue> {
    serde_json::to_string(&query::parse::<AppgConfig>(query)).map_err(js_error)
}

/// Checks a comparison's JSON configuration: the validation message, or "" if valid.
#[wasm_bindgen]
pub fn appg_config_problem(config_json: &str) -> String {
    problem_text::<AppgConfig>(config_json)
}

/// The shortest share-link query (without `?`, no cell prefix) that gives this comparison
/// back. Throws if the configuration is invalid.
#[wasm_bindgen]
pub fn appg_compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg: AppgConfig = query::from_json(config_json).map_err(js_error)?;
    Ok(compact_appg(&cfg))
}

/// [`appg_compact_query`] of a valid configuration.
pub fn compact_appg(cfg: &AppgConfig) -> String {
    query::compact(cfg)
}

/// The comparison's listed presets (the linear presets' data and runs) as JSON text:
/// `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn appg_presets_json() -> Result<String, JsValue> {
    serde_json::to_string(&query::described_presets::<AppgConfig>()).map_err(js_error)
}
