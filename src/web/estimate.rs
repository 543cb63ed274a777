//! Run-time estimates for the page (see [`crate::experiment::estimate`]): the cost of a
//! configuration in flops, and the assumed throughput until the page has measured one.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::experiment::appg::AppgConfig;
use crate::experiment::estimate::{appg_cost, linear_cost, mlp_cost, Cost};
use crate::experiment::mlp::MlpConfig;
use crate::experiment::RunConfig;

/// A cost with the throughputs assumed for it.
#[derive(Serialize)]
struct CostJson {
    #[serde(flatten)]
    cost: Cost,
    assumed_cpu_flops: f64,
    assumed_gpu_flops: f64,
}

fn to_json(cost: Cost) -> Result<String, JsValue> {
    let out = CostJson {
        cost,
        assumed_cpu_flops: cost.assumed_flops(false),
        assumed_gpu_flops: cost.assumed_flops(true),
    };
    serde_json::to_string(&out).map_err(js_error)
}

/// The cost of cell 1's run of a JSON configuration, as JSON text `{prepare_flops,
/// step_flops, steps, runs, model, assumed_cpu_flops, assumed_gpu_flops}` (`steps` null when
/// automatic, `model` "linear" or "mlp"); throws if the configuration is invalid.
#[wasm_bindgen]
pub fn linear_cost_json(config_json: &str) -> Result<String, JsValue> {
    to_json(linear_cost(
        &RunConfig::from_json(config_json).map_err(js_error)?,
    ))
}

/// [`linear_cost_json`] of an MLP run.
#[wasm_bindgen]
pub fn mlp_cost_json(config_json: &str) -> Result<String, JsValue> {
    to_json(mlp_cost(
        &MlpConfig::from_json(config_json).map_err(js_error)?,
    ))
}

/// [`linear_cost_json`] of an App. G comparison (every run and stable-η probe).
#[wasm_bindgen]
pub fn appg_cost_json(config_json: &str) -> Result<String, JsValue> {
    to_json(appg_cost(
        &AppgConfig::from_json(config_json).map_err(js_error)?,
    ))
}
