//! The numbers the MLP cells print under their figures: loss, when each embedding
//! eigenvalue stepped against the NTK's τ_j, the subspace alignment, and how much of the
//! hidden representation's change happens while the embedding steps (the paper's Fig. 5).

use serde::Serialize;

use crate::experiment::mlp::hidden_steps::{
    hidden_timing, step_alignment, HiddenTiming, StepAlignment,
};
use crate::experiment::mlp::{LossKind, MlpResult};

/// Eigenvalue level whose first crossing marks a step.
const CROSSING: f64 = 0.5;

#[derive(Serialize)]
pub struct MlpSummary {
    pub loss_first: Option<f64>,
    pub loss_last: Option<f64>,
    /// When each embedding eigenvalue first reached 0.5, interpolated between records
    /// (null: not yet).
    pub crossings: Vec<Option<f64>>,
    /// The NTK theory's step times (Barlow Twins in the NTK regime only; empty otherwise).
    pub tau: Vec<Option<f64>>,
    /// Whether the NTK theory describes the run (width ≥ 20·n).
    pub ntk_regime: bool,
    pub alignment: f64,
    pub alignment_chance: f64,
    pub hidden: Option<HiddenTiming>,
    /// Each embedding step next to the hidden spectrum's fastest change around it.
    pub steps: Vec<StepAlignment>,
}

/// The summary of `result` (a finished run or the records so far).
pub fn summarize(result: &MlpResult) -> MlpSummary {
    let barlow = result.config.loss == LossKind::BarlowTwins;
    let ntk_regime = result.config.ntk_regime();
    let d = result.config.d;
    MlpSummary {
        loss_first: result.records.first().map(|r| r.loss),
        loss_last: result.records.last().map(|r| r.loss),
        crossings: result.crossing_times(CROSSING),
        tau: if barlow && ntk_regime {
            result.theory.tau.clone()
        } else {
            Vec::new()
        },
        alignment: result.ntk.alignment,
        alignment_chance: result.ntk.alignment_chance,
        ntk_regime,
        hidden: hidden_timing(&result.records, &result.hidden, d),
        steps: step_alignment(&result.records, &result.hidden, d),
    }
}
