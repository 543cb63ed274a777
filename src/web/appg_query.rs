//! Comparison configurations for the page (cell "Can SSL learn faster?"): share-link
//! queries, JSON, presets and validation, as `mlp_query.rs` does for the MLP cells.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::experiment::appg::AppgConfig;
use crate::experiment::share::{self, config_from_query};
use crate::experiment::{Config, PRESETS};

/// Where a comparison's configuration comes from: a JSON object (text starting with `{`)
/// or a share-link query (never rejected: problems become notices).
pub fn appg_config_from_source(source: &str) -> Result<(AppgConfig, Vec<String>), JsValue> {
    if source.trim_start().starts_with('{') {
        let cfg = AppgConfig::from_json(source).map_err(js_error)?;
        Ok((cfg, Vec::new()))
    } else {
        Ok(config_from_query(source))
    }
}

#[derive(Serialize)]
struct Parsed {
    config: AppgConfig,
    notices: Vec<String>,
}

/// Reads a comparison's share-link query (cell prefix removed): `{"config": {...},
/// "notices": [...]}` as JSON text. Unknown, malformed or out-of-range values become
/// notices and keep their defaults.
#[wasm_bindgen]
pub fn parse_appg_query(query: &str) -> Result<String, JsValue> {
    let (config, notices): (AppgConfig, _) = config_from_query(query);
    serde_json::to_string(&Parsed { config, notices }).map_err(js_error)
}

/// Checks a comparison's JSON configuration: the validation message, or "" if valid.
#[wasm_bindgen]
pub fn appg_config_problem(config_json: &str) -> String {
    match AppgConfig::from_json(config_json) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// The shortest share-link query (without `?`, no cell prefix) that gives this comparison
/// back: `preset=<name>` for the closest preset, then every key that differs from it.
/// Throws if the configuration is invalid.
#[wasm_bindgen]
pub fn appg_compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg = AppgConfig::from_json(config_json).map_err(js_error)?;
    Ok(compact_appg(&cfg))
}

/// [`appg_compact_query`] of a valid configuration.
pub fn compact_appg(cfg: &AppgConfig) -> String {
    share::compact_query(cfg)
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    description: &'static str,
    config: AppgConfig,
}

/// Every comparison preset (the linear presets' data and runs) as JSON text:
/// `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn appg_presets_json() -> Result<String, JsValue> {
    let list: Vec<PresetInfo> = AppgConfig::presets()
        .into_iter()
        .filter_map(|(name, config)| {
            let p = PRESETS.iter().find(|p| p.name == name)?;
            Some(PresetInfo {
                name,
                description: p.description,
                config,
            })
        })
        .collect();
    serde_json::to_string(&list).map_err(js_error)
}
