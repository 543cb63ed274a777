//! MLP configurations for the page (cells "A wide network" and "Hidden representations"):
//! a thin wasm-bindgen layer over `experiment::query`, and the cost before a run.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use super::query::problem_text;
use crate::experiment::mlp::{cpu_fallback, MlpConfig, RunEstimate, TYPICAL_AUTO_STEPS};
use crate::experiment::query;

/// Where an MLP session's configuration comes from: a JSON object (text starting with `{`)
/// or a share-link query (never rejected: problems become notices).
pub fn mlp_config_from_source(source: &str) -> Result<(MlpConfig, Vec<String>), JsValue> {
    query::from_source(source).map_err(js_error)
}

/// Reads an MLP share-link query (cell prefix removed): `{"config": {...}, "notices": [...]}`
/// as JSON text. Unknown, malformed or out-of-range values become notices.
#[wasm_bindgen]
pub fn parse_mlp_query(query: &str) -> Result<String, JsValue> {
    serde_json::to_string(&query::parse::<MlpConfig>(query)).map_err(js_error)
}

/// Checks an MLP JSON configuration: the validation message, or "" if it is valid.
#[wasm_bindgen]
pub fn mlp_config_problem(config_json: &str) -> String {
    problem_text::<MlpConfig>(config_json)
}

/// The shortest share-link query (without `?`) that gives this MLP configuration back:
/// `preset=<name>` for the closest preset, then every key that differs from it. Throws if
/// the configuration is invalid.
#[wasm_bindgen]
pub fn mlp_compact_query(config_json: &str) -> Result<String, JsValue> {
    let cfg: MlpConfig = query::from_json(config_json).map_err(js_error)?;
    Ok(compact_mlp(&cfg))
}

/// [`mlp_compact_query`] of a valid configuration.
pub fn compact_mlp(cfg: &MlpConfig) -> String {
    query::compact(cfg)
}

/// Every MLP preset as JSON text: `[{"name", "description", "config"}]`.
#[wasm_bindgen]
pub fn mlp_presets_json() -> Result<String, JsValue> {
    serde_json::to_string(&query::described_presets::<MlpConfig>()).map_err(js_error)
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
    let cfg: MlpConfig = query::from_json(config_json).map_err(js_error)?;
    let config = cpu_fallback(&cfg).filter(|_| auto_size).unwrap_or(cfg);
    let steps = config.steps.unwrap_or(TYPICAL_AUTO_STEPS);
    let out = CostBeforeRun {
        steps_set: config.steps.is_some(),
        estimate: config.cpu_estimate(steps, true),
        config,
    };
    serde_json::to_string(&out).map_err(js_error)
}
