//! Everything a deep-network run needs before its first step (docs/deep.md §2–§4): the base
//! images, the fixed evaluation views with their labels and probe split, the network's shape
//! and its initial parameters.

use super::config::{DeepConfig, DeepSource};
use super::cpu::CpuDeepBackend;
use crate::data::augment;
use crate::data::base_images::{self, BaseImages};
use crate::data::photos::{self, Photo};
use crate::data::rng::{stream, Rng};
use crate::experiment::RunError;
use crate::model::resnet::{self, InitScales, ResNetShape};
use crate::validate::ConfigError;

/// A deep-network run ready to start.
#[derive(Clone)]
pub struct DeepPrepared {
    pub config: DeepConfig,
    /// The base images every step crops from (at most `data.count`).
    pub base: BaseImages,
    pub shape: ResNetShape,
    /// The initial parameters in `model::resnet`'s flat layout.
    pub params: Vec<f32>,
    /// The fixed evaluation views, `[2E, crop, crop, 3]` (rows E..2E: the twins).
    pub eval_views: Vec<f32>,
    /// The class of each evaluation view (its base image's label).
    pub eval_labels: Vec<u16>,
    /// Evaluation rows the probes are fitted on (both views of every other base image) …
    pub probe_train: Vec<usize>,
    /// … and those they are scored on (the views of the remaining base images).
    pub probe_test: Vec<usize>,
    /// How many of your own images or dataset records the base images come from (`None`:
    /// the bundled photos).
    pub local_images: Option<usize>,
}

/// The base images of `cfg`'s photo sources: patches cut from `local` photos (your own
/// images, those smaller than `data.base` left out) or else the bundled photos.
pub fn photo_base(cfg: &DeepConfig, local: Option<&[Photo]>) -> Result<BaseImages, RunError> {
    let data = &cfg.data;
    match local {
        None => Ok(base_images::from_photos(
            photos::bundled()?,
            data.count,
            data.base,
            data.seed,
        )),
        Some(all) => Ok(base_images::from_own_photos(
            all, data.count, data.base, data.seed,
        )?),
    }
}

impl DeepPrepared {
    /// Prepares `cfg` on the bundled photos.
    pub fn new(cfg: &DeepConfig) -> Result<Self, RunError> {
        cfg.validate()?;
        let base = photo_base(cfg, None)?;
        Self::with_base(cfg, base, None)
    }

    /// Prepares `cfg` on `base` (from photos, or parsed from CIFAR-10 / STL-10 files: then
    /// only the first `data.count` are kept); `local_images` says how many of the visitor's
    /// images or records they come from.
    pub fn with_base(
        cfg: &DeepConfig,
        mut base: BaseImages,
        local_images: Option<usize>,
    ) -> Result<Self, RunError> {
        cfg.validate()?;
        check_base(cfg, &base)?;
        if base.count() > cfg.data.count {
            base.pixels.truncate(cfg.data.count * base.image_len());
            base.labels.truncate(cfg.data.count);
        }
        let shape = cfg.shape();
        let scales = InitScales {
            trunk: cfg.trunk_scale,
            projector: cfg.projector_scales.clone(),
        };
        let params = resnet::init(&shape, &scales, cfg.seed);
        let (eval_views, eval_labels, eval) = eval_set(cfg, &base);
        let train: Vec<usize> = (0..eval).step_by(2).collect();
        let test: Vec<usize> = (1..eval).step_by(2).collect();
        let twins = |rows: &[usize]| rows.iter().flat_map(|&i| [i, i + eval]).collect();
        Ok(Self {
            config: cfg.clone(),
            probe_train: twins(&train),
            probe_test: twins(&test),
            base,
            shape,
            params,
            eval_views,
            eval_labels,
            local_images,
        })
    }

    /// A CPU backend holding the initial parameters.
    pub fn cpu_backend(&self) -> CpuDeepBackend {
        let cfg = &self.config;
        CpuDeepBackend::new(
            self.shape.clone(),
            self.params.clone(),
            cfg.ssl_loss(),
            cfg.momentum as f32,
            cfg.weight_decay as f32,
        )
    }

    /// Number of evaluation views (2E).
    pub fn eval_count(&self) -> usize {
        self.eval_labels.len()
    }
}

/// Base images from files must fit the crop and hold enough images for a batch and the
/// evaluation set.
fn check_base(cfg: &DeepConfig, base: &BaseImages) -> Result<(), ConfigError> {
    if base.side < cfg.data.crop {
        return Err(ConfigError::new(
            "data.crop",
            format!(
                "{} px crops of {} px base images: use data.crop ≤ {}",
                cfg.data.crop, base.side, base.side
            ),
        ));
    }
    let needed = cfg.batch.max(cfg.data.eval);
    if base.count() < needed {
        return Err(ConfigError::new(
            "data.count",
            format!(
                "only {} base images, fewer than batch = {} or data.eval = {}",
                base.count(),
                cfg.batch,
                cfg.data.eval
            ),
        ));
    }
    if cfg.data.source == DeepSource::Cifar && base.side != 32 {
        return Err(ConfigError::new("data.source", "CIFAR-10 images are 32 px"));
    }
    Ok(())
}

/// The fixed evaluation set (docs/deep.md §3): `data.eval` distinct base images drawn with
/// the EVAL stream, two views of each; returns the views, their labels and E.
fn eval_set(cfg: &DeepConfig, base: &BaseImages) -> (Vec<f32>, Vec<u16>, usize) {
    let mut rng = Rng::new(cfg.data.seed, stream::EVAL);
    let indices = augment::batch_indices(base.count(), cfg.data.eval, &mut rng);
    let views = augment::views(base, &indices, cfg.data.crop, cfg.data.flip, &mut rng);
    let labels: Vec<u16> = indices.iter().map(|&i| base.labels[i]).collect();
    let labels = [labels.clone(), labels].concat();
    (views, labels, indices.len())
}
