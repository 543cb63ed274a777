//! MLP configurations for the page (cells "A wide network" and "Hidden representations"):
//! share-link queries, JSON, presets and validation, as `query.rs` does for the linear run.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::experiment::mlp::{
    cpu_fallback, MlpConfig, RunEstimate, MLP_PRESETS, TYPICAL_AUTO_STEPS,
};
use crate::experiment::share::{self, config_from_query};

/// Where an MLP session's configuration comes from: a JSON object (text starting with `{`)
/// or a share-link query (never rejected: problems become notices).
pub fn mlp_config_from_source(source: &str) -> Result<(MlpConfig, Vec<String>), JsValue> {
    if source.trim_start().starts_with('{') {
        let cfg = MlpConfig::from_json(source).map_err(js_error)?;
        Ok((cfg, Vec::new()))
    } else {
        Ok(config_from_query(source))
    }
}

#[derive(Serialize)]
struct Parsed {
    config: MlpConfig,
    notices: Vec<String>,
}

/// Reads an MLP share-link query (cell prefix removed): `{"config": {...}, "notices": [...]}`
/// as JSON text. Unknown, malformed or out-of-range values become notices.
#[wasm_bindgen]
pub fn parse_mlp_query(query: &str) -> Result<String, JsValue> {
    let (config, notices): (MlpConfig, _) = config_from_query(query);
    serde_json::to_string(&Parsed { config, notices }).map_err(js_error)
}

/// Checks an MLP JSON configuration: the validation message, or "" if it is valid.
#[wasm_bindgen]
pub fn mlp_config_problem(config_json: &str) -> String {
    match MlpConfig::from_json(config_json) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// The shortest share-link query (without `?`) that gives this MLP configuration back:
/// `preset=<name>` for the closest preset, then every key that differs from it. Throws if
/// the configuration is invalid.
#[wasm_bindgen]
pub fn mlp_compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg = MlpConfig::from_json(config_json).map_err(js_error)?;
    Ok(compact_mlp(&cfg))
}

/// [`mlp_compact_query`] of a valid configuration.
pub fn compact_mlp(cfg: &MlpConfig) -> String {
    share::compact_query(cfg)
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    description: &'static str,
    config: MlpConfig,
}

/// Every MLP preset as JSON text: `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn mlp_presets_json() -> Result<String, JsValue> {
    let list: Vec<PresetInfo> = MLP_PRESETS
        .iter()
        .map(|p| PresetInfo {
            name: p.name,
            description: p.description,
            config: (p.config)(),
        })
        .collect();
    serde_json::to_string(&list).map_err(js_error)
}

#[derive(Serialize)]
struct CostBeforeRun {
    /// The configuration the CPU would run (the CPU fallback's smaller data, or the same).
    config: MlpConfig,
    /// Whether `steps` is the configuration's own (false: automatic, estimated).
    steps_set: bool,
    /// On the CPU in wasm.
    #[serde(flatten)]
    estimate: RunEstimate,
}

/// What an MLP configuration will cost on the CPU in wasm before it is prepared, as JSON
/// text `{config, steps_set, steps, step_macs, record_macs, macs_per_second, seconds}`: the
/// configuration the CPU runs (with `auto_size`, the CPU fallback's smaller data when
/// `config_json` is too large; see `experiment::mlp::cpu_fallback`), its step count (the
/// configuration's, or a typical automatic count when `steps` is automatic: the NTK that
/// fixes it is computed only when the run is prepared) and seconds from the cost model.
/// Throws if the configuration is invalid.
#[wasm_bindgen]
pub fn mlp_cost_estimate(config_json: &str, auto_size: bool) -> Result<String, JsValue> {
    let cfg = MlpConfig::from_json(config_json).map_err(js_error)?;
    let config = cpu_fallback(&cfg).filter(|_| auto_size).unwrap_or(cfg);
    let steps = config.steps.unwrap_or(TYPICAL_AUTO_STEPS);
    let out = CostBeforeRun {
        steps_set: config.steps.is_some(),
        estimate: config.cpu_estimate(steps, true),
        config,
    };
    serde_json::to_string(&out).map_err(js_error)
}
