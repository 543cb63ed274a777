//! What a deep-network run produces (docs/deep.md §3): the MLP's records (loss, embedding
//! eigenvalues) and hidden eigenvalues, plus linear probes, RankMe and the step times.

use serde::{Deserialize, Serialize};

use super::config::DeepConfig;
pub use crate::experiment::mlp::HiddenRecord;
use crate::experiment::{crossing_times, Record};

/// Linear-probe accuracies at one time (docs/deep.md §3): closed-form ridge regression to the
/// class labels, fitted on one half of the evaluation set and scored on the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    pub t: f64,
    pub step: u64,
    /// Test accuracy of the probe on the d-dimensional embedding.
    pub embedding: f64,
    /// Test accuracy of the probe on the hidden representation (pooled trunk output).
    pub hidden: f64,
}

/// Effective ranks (RankMe, docs/deep.md §3) at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankRecord {
    pub t: f64,
    pub step: u64,
    /// RankMe of the evaluation embeddings (between 1 and d).
    pub embedding: f64,
    /// RankMe of the evaluation hidden representations (between 1 and hidden_dim).
    pub hidden: f64,
}

/// Wall-clock cost of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepTiming {
    /// Seconds of training and tracking together.
    pub seconds: f64,
    /// Training steps per second (tracking included).
    pub steps_per_second: f64,
    /// Forward floating-point operations per view (docs/deep.md §1).
    pub flops_per_view: u64,
}

/// A complete deep-network run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepResult {
    /// The resolved configuration.
    pub config: DeepConfig,
    /// Which backend trained, e.g. `cpu-f32`.
    pub backend: String,
    /// Trainable parameters.
    pub parameters: usize,
    /// Dimension of the hidden representation (the last stage's channels).
    pub hidden_dim: usize,
    /// Base images actually used (files may hold fewer than `data.count`).
    pub base_count: usize,
    /// Class names of the labels the probes predict (photo, image or dataset classes).
    pub classes: Vec<String>,
    /// Loss and embedding eigenvalues (of C for Barlow Twins, of the covariance of the
    /// embeddings for VICReg and of the normalized embeddings for SimCLR), descending.
    pub records: Vec<Record>,
    /// Top eigenvalues of the hidden representation's covariance.
    pub hidden: Vec<HiddenRecord>,
    /// Probe accuracies.
    pub probe: Vec<ProbeRecord>,
    /// Effective ranks.
    pub rank: Vec<RankRecord>,
    /// Per mode j: when λ_j first reached half its final value (t = η·step), None if never.
    pub crossings: Vec<Option<f64>>,
    pub timing: DeepTiming,
    /// FNV-1a 64 of the base images, the evaluation views and the initial parameters.
    pub data_digest: String,
    /// Only in the notebook and CLI for a run on your own images or dataset files: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_images: Option<usize>,
    /// Which backend ran the session and why (the notebook's runs; absent from the CLI's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_choice: Option<crate::experiment::session::BackendChoice>,
}

impl DeepResult {
    /// The final embedding eigenvalues, descending.
    pub fn final_eigenvalues(&self) -> &[f64] {
        self.records
            .last()
            .map(|r| r.eigenvalues.as_slice())
            .unwrap_or(&[])
    }
}

/// Modes whose final eigenvalue is below this fraction of the top one have no crossing time
/// (their "half final value" is noise).
pub const CROSSING_FLOOR: f64 = 0.05;

/// Per mode j: the time λ_j first reached half its final value (interpolated between
/// records as [`crossing_times`]); None for a mode whose final value is below
/// [`CROSSING_FLOOR`] of the top one (not learned).
pub fn half_final_crossings(records: &[Record], d: usize) -> Vec<Option<f64>> {
    let Some(last) = records.last() else {
        return vec![None; d];
    };
    let top = last.eigenvalues.first().copied().unwrap_or(f64::NAN);
    (0..d)
        .map(|j| {
            let value = last.eigenvalues.get(j).copied().unwrap_or(f64::NAN);
            if value.is_nan() || value <= 0.0 || value < CROSSING_FLOOR * top {
                return None;
            }
            let target = 0.5 * value;
            crossing_times(records, j + 1, target)[j]
        })
        .collect()
}

/// The modes learned: those whose final eigenvalue is at least `fraction` of the largest.
pub fn learned_modes(final_eigenvalues: &[f64], fraction: f64) -> usize {
    let top = final_eigenvalues.first().copied().unwrap_or(0.0);
    final_eigenvalues
        .iter()
        .filter(|&&v| top > 0.0 && v >= fraction * top)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossings_use_each_modes_own_half_final_value() {
        let records = vec![
            Record::at(0.0, vec![0.0, 0.0, 0.0]),
            Record::at(1.0, vec![2.0, 0.0, 0.0]),
            Record::at(2.0, vec![2.0, 0.5, 0.0]),
            Record::at(3.0, vec![2.0, 1.0, 0.01]),
        ];
        let got = half_final_crossings(&records, 3);
        assert_eq!(got[0], Some(0.5));
        assert_eq!(got[1], Some(2.0));
        assert_eq!(got[2], None);
        assert_eq!(learned_modes(&[2.0, 1.0, 0.1], 0.2), 2);
    }
}
