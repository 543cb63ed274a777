//! The page's configuration requests: presets, share-link queries, and checks with the
//! cost before a run. The logic is `experiment::query`'s (one generic module for every
//! configuration kind); this picks the kind by cell.

use serde::Serialize;
use serde_json::Value;

use super::error::HostError;
use super::protocol::{CellId, Reply};
use crate::experiment::appg::AppgConfig;
use crate::experiment::deep::methods_config::MethodsConfig;
use crate::experiment::deep::DeepConfig;
use crate::experiment::estimate::{appg_cost, linear_cost, mlp_cost, Cost};
use crate::experiment::memory::PAGE_BUDGET;
use crate::experiment::mlp::{cpu_fallback, MlpConfig, TYPICAL_AUTO_STEPS};
use crate::experiment::query;
use crate::experiment::session::cost::{deep_cost, methods_cost};
use crate::experiment::{Config, RunConfig};

/// Every cell's presets with their descriptions (cells 1 and 3 list the linear ones).
pub fn presets() -> Result<Reply, HostError> {
    let linear = serde_json::to_value(query::described_presets::<RunConfig>())?;
    Ok(Reply::Presets {
        init: linear.clone(),
        linear,
        mlp: serde_json::to_value(query::described_presets::<MlpConfig>())?,
        appg: serde_json::to_value(query::described_presets::<AppgConfig>())?,
        deep: serde_json::to_value(query::described_presets::<DeepConfig>())?,
        methods: serde_json::to_value(query::described_presets::<MethodsConfig>())?,
    })
}

fn parsed<C: Config>(query: &str) -> Result<Reply, HostError> {
    let parsed = query::parse::<C>(query);
    Ok(Reply::Parsed {
        config: parsed.config,
        notices: parsed.notices,
    })
}

/// Reads a cell's part of a share link (never rejected: what is not used becomes a notice).
pub fn parse(cell: CellId, text: &str) -> Result<Reply, HostError> {
    match cell {
        CellId::Linear | CellId::Init => parsed::<RunConfig>(text),
        CellId::Mlp | CellId::Hidden => parsed::<MlpConfig>(text),
        CellId::Appg => parsed::<AppgConfig>(text),
        CellId::Deep | CellId::Probes => parsed::<DeepConfig>(text),
        CellId::Methods => parsed::<MethodsConfig>(text),
        CellId::Symmetry => Err(HostError::NotInCell {
            cell,
            what: "share-link configuration (its keys are read by the page)",
        }),
    }
}

/// A cost with the throughputs assumed for it (www/estimate.js reads it).
#[derive(Serialize)]
struct CostJson<T: Serialize> {
    #[serde(flatten)]
    cost: Cost,
    assumed_cpu_flops: f64,
    assumed_gpu_flops: f64,
    /// The MLP cells: the configuration the CPU would run (its fallback data) and the
    /// science cost model's estimate for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<T>,
}

/// The MLP's CPU run before it is prepared: the configuration it runs (with `auto_size`,
/// the CPU fallback's data) and its estimate.
#[derive(Serialize)]
struct MlpCpu {
    config: MlpConfig,
    steps_set: bool,
    estimate: crate::experiment::mlp::RunEstimate,
}

fn cost_json<T: Serialize>(cost: Cost, cpu: Option<T>) -> Option<Value> {
    serde_json::to_value(CostJson {
        cost,
        assumed_cpu_flops: cost.assumed_flops(false),
        assumed_gpu_flops: cost.assumed_flops(true),
        cpu,
    })
    .ok()
}

fn checked<C: Config>(config: &Value, cost: impl FnOnce(&C) -> Option<Value>) -> Reply {
    let checked = query::check_within::<C>(config, PAGE_BUDGET);
    let cost = if checked.problem.is_none() {
        query::from_value::<C>(config.clone())
            .ok()
            .and_then(|c| cost(&c))
    } else {
        None
    };
    Reply::Checked {
        problem: checked.problem,
        query: checked.query,
        cost,
    }
}

/// What is wrong with a configuration, else its shortest share query and its cost.
pub fn check(cell: CellId, config: &Value, auto_size: bool) -> Reply {
    match cell {
        CellId::Linear | CellId::Init => {
            checked::<RunConfig>(config, |c| cost_json::<()>(linear_cost(c), None))
        }
        CellId::Mlp | CellId::Hidden => checked::<MlpConfig>(config, |c| {
            let run = cpu_fallback(c)
                .filter(|_| auto_size)
                .unwrap_or_else(|| c.clone());
            let steps = run.steps.unwrap_or(TYPICAL_AUTO_STEPS);
            let cpu = MlpCpu {
                steps_set: run.steps.is_some(),
                estimate: run.cpu_estimate(steps, true),
                config: run,
            };
            cost_json(mlp_cost(c), Some(cpu))
        }),
        CellId::Appg => checked::<AppgConfig>(config, |c| cost_json::<()>(appg_cost(c), None)),
        CellId::Deep | CellId::Probes => {
            checked::<DeepConfig>(config, |c| cost_json::<()>(deep_cost(c), None))
        }
        CellId::Methods => checked::<MethodsConfig>(config, |c| {
            cost_json::<()>(methods_cost(&c.configs().ok()?), None)
        }),
        CellId::Symmetry => Reply::Checked {
            problem: None,
            query: None,
            cost: None,
        },
    }
}
