//! Which dataset to build, and the bounds that keep it within memory.

use serde::{Deserialize, Serialize};

use crate::validate::{self, ConfigError};

/// Largest number of positive pairs.
pub const MAX_N: usize = 4096;
/// Largest crop side for photo patches (m = 3·crop²).
pub const MAX_CROP: usize = 32;
/// Largest base-patch side for photo patches.
pub const MAX_BASE: usize = 64;
/// Largest input dimension of the planted dataset.
pub const MAX_DIM: usize = 3072;
/// Largest n·m: both views together take 8·n·m bytes as f32.
pub const MAX_ENTRIES: usize = 4_000_000;
/// Largest |γ| accepted in a planted spectrum.
pub const MAX_GAMMA: f64 = 1.0e4;

/// The kind of positive pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// Two random crops of patches cut from the bundled photos (the default).
    PhotoPatches,
    /// Synthetic pairs whose Γ has exactly the spectrum `spectrum`.
    Planted,
}

impl DatasetKind {
    /// The `dataset.*` fields this kind ignores (share links leave them out).
    pub fn unused_fields(self) -> &'static [&'static str] {
        match self {
            DatasetKind::PhotoPatches => &["dim", "spectrum", "noise"],
            DatasetKind::Planted => &["crop", "base"],
        }
    }
}

/// Dataset part of the run configuration (`dataset.*` keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatasetConfig {
    pub kind: DatasetKind,
    /// Number of positive pairs.
    pub n: usize,
    /// Side of each RGB crop (photo patches): m = 3·crop².
    pub crop: usize,
    /// Side of the base patch the two crops are taken from (photo patches).
    pub base: usize,
    /// Subtract the per-feature mean over all 2n views.
    pub center: bool,
    /// Seed of patch positions (photo patches) or latents (planted).
    pub seed: u64,
    /// Input dimension m (planted).
    pub dim: usize,
    /// Eigenvalues of Γ (planted); the rest of the spectrum is zero, plus noise.
    pub spectrum: Vec<f64>,
    /// Standard deviation of independent per-view noise (planted).
    pub noise: f64,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        Self {
            kind: DatasetKind::PhotoPatches,
            n: 500,
            crop: 20,
            base: 32,
            center: true,
            seed: 0,
            dim: 24,
            spectrum: vec![4.0, 3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3],
            noise: 0.0,
        }
    }
}

impl DatasetConfig {
    /// Input dimension m of each view.
    pub fn m(&self) -> usize {
        match self.kind {
            DatasetKind::PhotoPatches => 3 * self.crop * self.crop,
            DatasetKind::Planted => self.dim,
        }
    }

    /// Checks every bound; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::int_in("dataset.n", self.n, 2, MAX_N)?;
        validate::seed("dataset.seed", self.seed)?;
        match self.kind {
            DatasetKind::PhotoPatches => {
                validate::int_in("dataset.crop", self.crop, 1, MAX_CROP)?;
                validate::int_in("dataset.base", self.base, self.crop, MAX_BASE)?;
            }
            DatasetKind::Planted => self.validate_planted()?,
        }
        if self.n * self.m() > MAX_ENTRIES {
            return Err(ConfigError::new(
                "dataset.n",
                format!(
                    "n·m = {}·{} exceeds {MAX_ENTRIES}: use fewer pairs or a smaller crop",
                    self.n,
                    self.m()
                ),
            ));
        }
        Ok(())
    }

    fn validate_planted(&self) -> Result<(), ConfigError> {
        validate::int_in("dataset.dim", self.dim, 1, MAX_DIM)?;
        let k_max = self.dim.min(self.n - 1);
        validate::int_in("dataset.spectrum", self.spectrum.len(), 1, k_max).map_err(|_| {
            ConfigError::new(
                "dataset.spectrum",
                format!("needs 1 to min(dim, n − 1) = {k_max} eigenvalues"),
            )
        })?;
        for g in &self.spectrum {
            validate::real_in("dataset.spectrum", *g, -MAX_GAMMA, MAX_GAMMA, false)?;
        }
        validate::real_in("dataset.noise", self.noise, 0.0, 100.0, false)
    }
}
