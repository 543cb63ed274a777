//! Configurations for the page: share-link queries and JSON, in both directions; a thin
//! wasm-bindgen layer over `experiment::query` (the same for every configuration kind).

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::experiment::query;
use crate::experiment::RunConfig;

/// Where a session's configuration comes from: a JSON object (text starting with `{`) or a
/// share-link query (`?key=value&...`, never rejected: problems become notices).
pub fn config_from_source(source: &str) -> Result<(RunConfig, Vec<String>), JsValue> {
    query::from_source(source).map_err(js_error)
}

/// Reads a share-link query: `{"config": {...}, "notices": [...]}` as JSON text.
#[wasm_bindgen]
pub fn parse_query(query: &str) -> Result<String, JsValue> {
    serde_json::to_string(&query::parse::<RunConfig>(query)).map_err(js_error)
}

/// The share-link query (without `?`) of a JSON configuration; throws if it is invalid.
#[wasm_bindgen]
pub fn config_query(config_json: &str) -> Result<String, JsValue> {
    let cfg: RunConfig = query::from_json(config_json).map_err(js_error)?;
    Ok(query::full(&cfg))
}

/// The shortest share-link query (without `?`) that gives this configuration back:
/// `preset=<name>` for the preset closest to it, then every key that differs from that
/// preset. Throws if the configuration is invalid.
#[wasm_bindgen]
pub fn compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg: RunConfig = query::from_json(config_json).map_err(js_error)?;
    Ok(compact(&cfg))
}

/// [`compact_query`] of a valid configuration.
pub fn compact(cfg: &RunConfig) -> String {
    query::compact(cfg)
}

/// Checks a JSON configuration: the validation message, or an empty string if it is valid.
#[wasm_bindgen]
pub fn config_problem(config_json: &str) -> String {
    problem_text::<RunConfig>(config_json)
}

/// The validation message of a JSON configuration of kind `C`, or "" if it is valid.
pub fn problem_text<C: crate::experiment::Config>(config_json: &str) -> String {
    query::from_json::<C>(config_json)
        .err()
        .map_or_else(String::new, |e| e.to_string())
}

/// Every preset as JSON text: `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn presets_json() -> Result<String, JsValue> {
    serde_json::to_string(&query::described_presets::<RunConfig>()).map_err(js_error)
}
