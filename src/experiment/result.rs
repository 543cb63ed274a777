//! What a run produces: the JSON schema shared by the CLI and the notebook.

use serde::{Deserialize, Serialize};

use super::config::RunConfig;
use super::truncation::TruncationReport;

/// The state recorded on the [`schedule`](super::schedule): every `record_every` steps,
/// early steps before the first of those, and the last step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Effective time t = η · step.
    pub t: f64,
    pub step: u64,
    /// L = ||C − I||_F².
    pub loss: f64,
    /// Eigenvalues of C, descending.
    pub eigenvalues: Vec<f64>,
}

#[cfg(test)]
impl Record {
    /// A record at time `t` (step ⌊t⌋, loss 0) with these eigenvalues: unit tests' input.
    pub(crate) fn at(t: f64, eigenvalues: Vec<f64>) -> Self {
        Self {
            t,
            step: t as u64,
            loss: 0.0,
            eigenvalues,
        }
    }
}

/// The closed-form prediction for the same run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheoryResult {
    /// Effective initial singular values s_j(0).
    pub s0: Vec<f64>,
    /// Step times τ_j (`null` for a mode with γ_j ≤ 0, never learned).
    pub tau: Vec<Option<f64>>,
    /// λ_j(t) and L(t) on the run's time grid.
    pub records: Vec<Record>,
}

/// The data exactly as used (after centering), with `--export-data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataExport {
    /// n rows of m.
    pub x: Vec<Vec<f32>>,
    /// n rows of m.
    pub x_prime: Vec<Vec<f32>>,
    /// d rows of m: W(0).
    pub w0: Vec<Vec<f32>>,
}

/// A complete run: configuration, experiment and theory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The resolved configuration (automatic `lr` and `steps` filled in).
    pub config: RunConfig,
    /// Which backend computed the records, e.g. `cpu-f32`.
    pub backend: String,
    /// Input dimension of each view.
    pub m: usize,
    /// Top eigenvalues of Γ, descending (at least d + 1 of them when m > d).
    pub gamma_top: Vec<f64>,
    /// FNV-1a 64 of the bits of x, x_prime and W(0), hex: equal on every platform for a
    /// configuration (the data are bit-identical natively and in wasm).
    pub data_digest: String,
    pub records: Vec<Record>,
    pub theory: TheoryResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataExport>,
    /// The truncated solver's modes kept and error bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation: Option<TruncationReport>,
    /// How many of the visitor's own images (the notebook's upload) the photo patches were
    /// cut from; absent for the bundled photos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_images: Option<usize>,
    /// Which backend ran the session and why (the notebook's runs; absent from the CLI's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_choice: Option<crate::experiment::session::BackendChoice>,
}

/// FNV-1a 64 over the bit patterns of several f32 slices, as 16 hex digits.
pub fn digest(parts: &[&[f32]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for v in *part {
            for b in v.to_bits().to_le_bytes() {
                h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    format!("{h:016x}")
}

impl RunResult {
    /// Largest |λ_sim − λ_th| over all records and modes.
    pub fn max_theory_gap(&self) -> f64 {
        max_gap(&self.records, &self.theory.records)
    }

    /// When each eigenvalue of C first reached `threshold`, interpolated between records
    /// (see [`crossing_times`]).
    pub fn crossing_times(&self, threshold: f64) -> Vec<Option<f64>> {
        crossing_times(&self.records, self.config.d, threshold)
    }
}

/// When eigenvalue j (descending) of the records first reached `threshold`, for j < d:
/// linear in t of λ_j between the last record below it and the first at or above it (the
/// record's own t when the first record already is); `None` if it never did.
pub fn crossing_times(records: &[Record], d: usize, threshold: f64) -> Vec<Option<f64>> {
    let value = |r: &Record, j: usize| r.eigenvalues.get(j).copied().unwrap_or(f64::NAN);
    (0..d)
        .map(|j| {
            let i = records.iter().position(|r| value(r, j) >= threshold)?;
            let Some(before) = i.checked_sub(1).map(|k| &records[k]) else {
                return Some(records[i].t);
            };
            let (after, a, b) = (&records[i], value(before, j), value(&records[i], j));
            if !(a < threshold && b > a) {
                return Some(after.t);
            }
            Some(before.t + (threshold - a) / (b - a) * (after.t - before.t))
        })
        .collect()
}

/// Largest |λ_sim − λ_th| over paired records and their modes.
pub fn max_gap(records: &[Record], theory: &[Record]) -> f64 {
    records
        .iter()
        .zip(theory)
        .flat_map(|(r, th)| r.eigenvalues.iter().zip(&th.eigenvalues))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}
