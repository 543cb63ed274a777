//! Positive pairs (x_i, x'_i): the bundled photo patches and a planted-spectrum dataset.
//! Everything is seeded and bit-identical across platforms.

pub mod augment;
pub mod base_images;
pub mod cifar;
mod config;
pub mod dataset_file;
#[cfg(test)]
mod dataset_fuzz_tests;
pub mod local;
mod patches;
pub mod photos;
mod planted;
pub mod stl;

pub mod rng;

pub use config::{DatasetConfig, DatasetKind, MAX_CROP, MAX_DIM, MAX_ENTRIES, MAX_N};

use crate::validate::ConfigError;

/// Errors while building a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    DatasetFile(#[from] dataset_file::DatasetFileError),
    #[error("cannot decode image `{name}`: {reason}")]
    Image { name: String, reason: String },
    #[error(
        "none of your {count} images is at least {base} px a side (dataset.base): use larger \
         images or a smaller base patch"
    )]
    NoUsablePhotos { count: usize, base: usize },
    #[error(
        "none of your {count} images is at least {side} px a side, the side of the base images \
         the deep network's crops are cut from: use larger images or a smaller base side"
    )]
    NoUsableOwnImages { count: usize, side: usize },
    #[error(
        "the bundled photos (www/data/*.png) were not loaded: the page's worker could not fetch \
         or decode them (see the browser console); reload the page"
    )]
    PhotosNotLoaded,
}

/// n positive pairs of m-dimensional views, row-major `n x m` f32.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    pub n: usize,
    pub m: usize,
    /// First views, row i is x_i.
    pub x: Vec<f32>,
    /// Second views, row i is x'_i.
    pub x_prime: Vec<f32>,
    /// For image data: the crop side; each row is a `crop x crop x 3` (row, column, RGB) image.
    pub crop: Option<usize>,
}

impl Pairs {
    /// Row i of the first views.
    pub fn x_row(&self, i: usize) -> &[f32] {
        &self.x[i * self.m..(i + 1) * self.m]
    }

    /// Row i of the second views.
    pub fn x_prime_row(&self, i: usize) -> &[f32] {
        &self.x_prime[i * self.m..(i + 1) * self.m]
    }
}

/// Builds the dataset described by `cfg` (validated first).
pub fn build(cfg: &DatasetConfig) -> Result<Pairs, DataError> {
    build_from(cfg, None)
}

/// [`build`], with the photo patches cut from `local` photos (the visitor's own images;
/// those smaller than the base patch are left out) instead of the bundled ones when given.
pub fn build_from(
    cfg: &DatasetConfig,
    local: Option<&[photos::Photo]>,
) -> Result<Pairs, DataError> {
    cfg.validate()?;
    let mut pairs = match (cfg.kind, local) {
        (DatasetKind::PhotoPatches, None) => patches::build(cfg, photos::bundled()?),
        (DatasetKind::PhotoPatches, Some(all)) => {
            let usable = local::usable(all, cfg.base);
            if usable.is_empty() {
                return Err(DataError::NoUsablePhotos {
                    count: all.len(),
                    base: cfg.base,
                });
            }
            patches::build(cfg, &usable)
        }
        (DatasetKind::Planted, _) => planted::build(cfg),
    };
    if cfg.center {
        center(&mut pairs);
    }
    Ok(pairs)
}

/// How many of the `local` photos a dataset of `cfg` cuts its patches from (`None`: the
/// bundled photos, or data that are not photo patches).
pub fn local_images(cfg: &DatasetConfig, local: Option<&[photos::Photo]>) -> Option<usize> {
    match (local, cfg.kind) {
        (Some(all), DatasetKind::PhotoPatches) => Some(local::usable(all, cfg.base).len()),
        _ => None,
    }
}

/// Subtracts from every feature its mean over all 2n views (accumulated in f64, in a fixed
/// order, so the result is the same on every platform).
pub fn center(p: &mut Pairs) {
    let mut mean = vec![0.0f64; p.m];
    for view in [&p.x, &p.x_prime] {
        for row in view.chunks_exact(p.m) {
            for (acc, v) in mean.iter_mut().zip(row) {
                *acc += *v as f64;
            }
        }
    }
    let count = (2 * p.n) as f64;
    for view in [&mut p.x, &mut p.x_prime] {
        for row in view.chunks_exact_mut(p.m) {
            for (v, mu) in row.iter_mut().zip(&mean) {
                *v = (*v as f64 - mu / count) as f32;
            }
        }
    }
}
