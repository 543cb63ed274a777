//! What a comparison produces: one row per variant and η policy, the stable-η searches, and
//! the JSON schema shared by the CLI and the notebook.

use serde::{Deserialize, Serialize};

use super::config::AppgConfig;
use super::finder::Probe;
use crate::experiment::Record;
use crate::model::spectral::LossVariant;

/// Which η a row ran at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// The baseline's η.
    Equal,
    /// The variant's own largest stable η.
    Stable,
}

impl Policy {
    /// The name used in tables and JSON: `equal` or `stable`.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Equal => "equal",
            Policy::Stable => "stable",
        }
    }
}

/// One run of one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub variant: LossVariant,
    pub policy: Policy,
    /// η used.
    pub eta: f64,
    /// Steps run (the budget, or where it diverged).
    pub steps: u64,
    /// First recorded step at which every eigenvalue exceeds the threshold.
    pub steps_to_all: Option<u64>,
    /// The same in effective time t = η · step.
    pub t_to_all: Option<f64>,
    /// The baseline's `steps_to_all` under the same policy over this row's (> 1: faster).
    pub speedup: Option<f64>,
    /// The variant's own loss Σ ℓ(λ_j) at the last record (the baseline loss for
    /// preconditioning).
    pub final_loss: Option<f64>,
    /// Eigenvalues of C at the last record, descending.
    pub final_eigenvalues: Vec<f64>,
    pub diverged: bool,
    /// Why the row has no result (divergence, no stable η), for people.
    pub failure: Option<String>,
    /// Loss and eigenvalues as recorded (the loss is the variant's own).
    pub records: Vec<Record>,
}

/// A variant's stable-η search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StableEta {
    pub variant: LossVariant,
    /// The largest η found stable (`None`: not even the smallest probe was).
    pub eta: Option<f64>,
    /// Whether the search stopped at `finder.max_factor` without finding an unstable η.
    pub at_limit: bool,
    /// Steps per probe at the baseline η (fewer at larger η: probes end at the same t).
    pub probe_t: f64,
    pub probes: Vec<Probe>,
}

/// A finished comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppgResult {
    /// The configuration, with the baseline η and the step budget resolved.
    pub config: AppgConfig,
    pub backend: String,
    pub m: usize,
    /// γ_1, which sets the baseline's stability bound 1/(4γ_1).
    pub gamma_1: f64,
    /// η of the equal-η rows.
    pub eta_baseline: f64,
    /// Steps every row is given.
    pub steps: u64,
    pub stable: Vec<StableEta>,
    pub rows: Vec<ComparisonRow>,
    /// Only in the notebook, for a comparison on the visitor's own images: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_images: Option<usize>,
    /// Which backend ran the session and why (the notebook's runs; absent from the CLI's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_choice: Option<crate::experiment::session::BackendChoice>,
}

impl AppgResult {
    /// The row of `variant` under `policy`.
    pub fn row(&self, variant: LossVariant, policy: Policy) -> Option<&ComparisonRow> {
        self.rows
            .iter()
            .find(|r| r.variant == variant && r.policy == policy)
    }

    /// The result without the recorded curves: the table.
    pub fn table(&self) -> AppgResult {
        let mut out = self.clone();
        out.rows.iter_mut().for_each(|r| r.records.clear());
        out
    }
}

/// Fills in every row's speedup over the baseline row of the same policy.
pub fn fill_speedups(rows: &mut [ComparisonRow]) {
    let base = |p: Policy, rows: &[ComparisonRow]| {
        rows.iter()
            .find(|r| r.variant == LossVariant::Baseline && r.policy == p)
            .and_then(|r| r.steps_to_all)
    };
    let bases = [
        (Policy::Equal, base(Policy::Equal, rows)),
        (Policy::Stable, base(Policy::Stable, rows)),
    ];
    for r in rows.iter_mut() {
        let b = bases.iter().find(|(p, _)| *p == r.policy).and_then(|x| x.1);
        r.speedup = match (b, r.steps_to_all) {
            (Some(b), Some(s)) => Some(b as f64 / s.max(1) as f64),
            _ => None,
        };
    }
}

/// First record at which every eigenvalue exceeds `threshold`.
pub fn first_all_above(records: &[Record], threshold: f64) -> Option<&Record> {
    records
        .iter()
        .find(|r| !r.eigenvalues.is_empty() && r.eigenvalues.iter().all(|l| *l > threshold))
}
