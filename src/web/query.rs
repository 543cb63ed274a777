//! Configurations for the page: share-link queries and JSON, in both directions.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::experiment::share::{self, config_from_query, config_to_query};
use crate::experiment::{RunConfig, PRESETS};

/// Where a session's configuration comes from: a JSON object (text starting with `{`) or a
/// share-link query (`?key=value&...`, never rejected: problems become notices).
pub fn config_from_source(source: &str) -> Result<(RunConfig, Vec<String>), JsValue> {
    if source.trim_start().starts_with('{') {
        let cfg = RunConfig::from_json(source).map_err(js_error)?;
        Ok((cfg, Vec::new()))
    } else {
        Ok(config_from_query(source))
    }
}

#[derive(Serialize)]
struct Parsed {
    config: RunConfig,
    notices: Vec<String>,
    query: String,
}

/// Reads a share-link query: `{"config": {...}, "notices": [...], "query": "..."}` as JSON
/// text, `query` being the canonical query of the configuration.
#[wasm_bindgen]
pub fn parse_query(query: &str) -> Result<String, JsValue> {
    let (config, notices) = config_from_query(query);
    let query = config_to_query(&config);
    let parsed = Parsed {
        config,
        notices,
        query,
    };
    serde_json::to_string(&parsed).map_err(js_error)
}

/// The share-link query (without `?`) of a JSON configuration; throws if it is invalid.
#[wasm_bindgen]
pub fn config_query(config_json: &str) -> Result<String, JsValue> {
    let cfg = RunConfig::from_json(config_json).map_err(js_error)?;
    Ok(config_to_query(&cfg))
}

/// The shortest share-link query (without `?`) that gives this configuration back:
/// `preset=<name>` for the preset closest to it, then every key that differs from that
/// preset. Throws if the configuration is invalid.
#[wasm_bindgen]
pub fn compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg = RunConfig::from_json(config_json).map_err(js_error)?;
    Ok(compact(&cfg))
}

/// [`compact_query`] of a valid configuration.
pub fn compact(cfg: &RunConfig) -> String {
    share::compact_query(cfg)
}

/// Checks a JSON configuration: the validation message, or an empty string if it is valid.
#[wasm_bindgen]
pub fn config_problem(config_json: &str) -> String {
    match RunConfig::from_json(config_json) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    description: &'static str,
    config: RunConfig,
}

/// Every preset as JSON text: `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn presets_json() -> Result<String, JsValue> {
    let list: Vec<PresetInfo> = PRESETS
        .iter()
        .map(|p| PresetInfo {
            name: p.name,
            description: p.description,
            config: (p.config)(),
        })
        .collect();
    serde_json::to_string(&list).map_err(js_error)
}
