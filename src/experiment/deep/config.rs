//! The deep-network run's configuration (docs/deep.md §1–§4): data source, ResNet shape, loss,
//! init scales, optimizer and recording, with bounds that keep a run within memory.

use serde::{Deserialize, Serialize};

use crate::experiment::config::{check_record_count, MAX_SCALE, MAX_STEPS};
pub use crate::experiment::mlp::LossKind;
use crate::model::resnet::ResNetShape;
use crate::model::ssl_loss::SslLoss;
use crate::validate::{self, ConfigError};

/// Largest crop side (pixels).
pub const MAX_CROP: usize = 96;
/// Largest number of base images kept in memory.
pub const MAX_BASE_COUNT: usize = 60_000;
/// Most stages of the trunk.
pub const MAX_STAGES: usize = 6;
/// Most basic blocks per stage.
pub const MAX_BLOCKS: usize = 8;
/// Widest trunk stage or projector layer.
pub const MAX_CHANNELS: usize = 1024;
/// Most projector hidden layers.
pub const MAX_PROJECTOR_LAYERS: usize = 4;
/// Largest embedding dimension (the loss kernels keep d x d in workgroup memory).
pub const MAX_DEEP_D: usize = 32;
/// Largest batch of base images per step (2B views).
pub const MAX_BATCH: usize = 1024;
/// Most base images in the fixed evaluation set (2 views each; the tracking decomposes
/// hidden_dim x hidden_dim covariances and fits probes on them).
pub const MAX_EVAL: usize = 2048;
/// Most hidden-covariance eigenvalues recorded.
pub const MAX_HIDDEN_TOP: usize = 64;
/// Memory budget of one run in bytes (f32 parameters with their gradient and momentum, the
/// training batch's activations with their gradients, the base images): 1 GiB, the native
/// budget of every experiment (`experiment::memory::NATIVE_BUDGET`).
pub const MEMORY_BUDGET_BYTES: usize = crate::experiment::memory::NATIVE_BUDGET.bytes as usize;

/// Marks a configuration as a deep-network run in JSON files (`"experiment": "resnet"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeepExperiment {
    Resnet,
}

/// Where the base images come from (docs/deep.md §4). The files themselves (your images, a
/// CIFAR-10 or STL-10 binary) are given to the CLI or dropped on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeepSource {
    /// Patches cut from the bundled photos, labelled by photo (the default).
    Photos,
    /// Patches cut from your own PNG images, labelled by image.
    Images,
    /// CIFAR-10 binary batches (32 x 32, ten classes).
    Cifar,
    /// STL-10 binaries (96 x 96, labelled when a label file comes along).
    Stl,
}

/// The data part (`data.*` keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeepDataConfig {
    pub source: DeepSource,
    /// Base images to train on (photo patches: how many to cut; files: at most this many).
    pub count: usize,
    /// Side of the base patches cut from photos (CIFAR-10: 32, STL-10: 96, fixed by the file).
    pub base: usize,
    /// Side of each random crop (the network's input side).
    pub crop: usize,
    /// Flip each view left-right with probability ½.
    pub flip: bool,
    /// Base images in the fixed evaluation set (two views each), taken from the training set.
    pub eval: usize,
    /// Seed of the patch positions, the evaluation set and its views.
    pub seed: u64,
}

impl Default for DeepDataConfig {
    fn default() -> Self {
        Self {
            source: DeepSource::Photos,
            count: 2048,
            base: 32,
            crop: 24,
            flip: true,
            eval: 256,
            seed: 0,
        }
    }
}

/// Everything that determines a deep-network run. Absent keys take the defaults (`resnet-bt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeepConfig {
    pub experiment: DeepExperiment,
    pub data: DeepDataConfig,
    pub loss: LossKind,
    /// SimCLR's temperature τ.
    pub temperature: f64,
    /// Channels of each trunk stage (stride 2 between stages).
    pub channels: Vec<usize>,
    /// Basic residual blocks per stage.
    pub blocks: usize,
    /// Widths of the projector's hidden layers (bias-free linear layers, ReLU between).
    pub projector: Vec<usize>,
    /// Embedding dimension d.
    pub d: usize,
    /// Batch normalization (batch statistics over all 2B views) in the trunk.
    pub batchnorm: bool,
    /// Factor on the standard init of every trunk convolution.
    pub trunk_scale: f64,
    /// Factor on the standard init of each projector layer (projector.len() + 1 entries).
    pub projector_scales: Vec<f64>,
    /// η of SGD.
    pub lr: f64,
    /// SGD momentum μ (PyTorch's: v = μv + g + λw, w −= ηv).
    pub momentum: f64,
    /// Weight decay λ.
    pub weight_decay: f64,
    /// Base images per step (2·batch views).
    pub batch: usize,
    pub steps: u64,
    /// Record every this many steps (plus the early records of the schedule).
    pub record_every: u64,
    /// Seed of the initial weights, the batches and their crops.
    pub seed: u64,
    /// How many eigenvalues of the hidden representation's covariance to record.
    pub hidden_top: usize,
    /// Ridge of the closed-form linear probes (on standardized features).
    pub probe_ridge: f64,
}

impl Default for DeepConfig {
    fn default() -> Self {
        Self {
            experiment: DeepExperiment::Resnet,
            data: DeepDataConfig::default(),
            loss: LossKind::BarlowTwins,
            temperature: 0.2,
            channels: vec![16, 32, 64],
            blocks: 1,
            projector: vec![256],
            d: 8,
            batchnorm: true,
            trunk_scale: 1.0,
            projector_scales: vec![1.0, 1e-3],
            lr: 0.01,
            momentum: 0.9,
            weight_decay: 0.0,
            batch: 128,
            steps: 800,
            record_every: 10,
            seed: 0,
            hidden_top: 12,
            probe_ridge: 1e-3,
        }
    }
}

impl DeepConfig {
    /// Parses a JSON configuration (absent keys take defaults) and validates it: the
    /// page's parser ([`crate::experiment::query::from_json`]), whose errors name the key.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        crate::experiment::query::from_json(text)
    }

    /// The loss with its parameters.
    pub fn ssl_loss(&self) -> SslLoss {
        match self.loss {
            LossKind::BarlowTwins => SslLoss::BarlowTwins,
            LossKind::Simclr => SslLoss::SimClr {
                temperature: self.temperature,
            },
            LossKind::Vicreg => SslLoss::VicReg,
        }
    }

    /// The network this configuration describes (docs/deep.md §1).
    pub fn shape(&self) -> ResNetShape {
        ResNetShape {
            side: self.data.crop,
            channels: self.channels.clone(),
            blocks: self.blocks,
            projector: self.projector.clone(),
            d: self.d,
            batchnorm: self.batchnorm,
        }
    }

    /// Views per training step: 2·batch.
    pub fn views_per_step(&self) -> usize {
        2 * self.batch
    }

    /// Checks every bound; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_data()?;
        self.validate_network()?;
        validate::real_in("temperature", self.temperature, 0.01, 10.0, false)?;
        validate::real_in("lr", self.lr, 0.0, MAX_SCALE, true)?;
        validate::real_in("momentum", self.momentum, 0.0, 0.999, false)?;
        validate::real_in("weight_decay", self.weight_decay, 0.0, 1.0, false)?;
        validate::int_in("batch", self.batch, 2, MAX_BATCH)?;
        if self.batch > self.data.count {
            return Err(ConfigError::new(
                "batch",
                format!(
                    "{} base images per step but only data.count = {}",
                    self.batch, self.data.count
                ),
            ));
        }
        validate::int_in("steps", self.steps, 1, MAX_STEPS)?;
        validate::int_in("record_every", self.record_every, 1, MAX_STEPS)?;
        check_record_count(self.steps, self.record_every)?;
        validate::seed("seed", self.seed)?;
        validate::int_in("hidden_top", self.hidden_top, 0, MAX_HIDDEN_TOP)?;
        validate::real_in("probe_ridge", self.probe_ridge, 0.0, 1e6, true)?;
        self.check_memory()
    }

    fn validate_data(&self) -> Result<(), ConfigError> {
        let data = &self.data;
        validate::int_in("data.count", data.count, 4, MAX_BASE_COUNT)?;
        validate::int_in("data.crop", data.crop, 4, MAX_CROP)?;
        validate::int_in("data.base", data.base, data.crop, MAX_CROP)?;
        validate::int_in("data.eval", data.eval, 4, MAX_EVAL.min(data.count))?;
        validate::seed("data.seed", data.seed)
    }

    fn validate_network(&self) -> Result<(), ConfigError> {
        validate::int_in("channels", self.channels.len(), 1, MAX_STAGES).map_err(|e| {
            ConfigError::new("channels", format!("number of stages: {}", e.message))
        })?;
        each("channels", &self.channels, |k, c| {
            validate::int_in(k, c, 1, MAX_CHANNELS)
        })?;
        validate::int_in("blocks", self.blocks, 1, MAX_BLOCKS)?;
        validate::int_in("projector", self.projector.len(), 0, MAX_PROJECTOR_LAYERS).map_err(
            |e| ConfigError::new("projector", format!("number of layers: {}", e.message)),
        )?;
        each("projector", &self.projector, |k, w| {
            validate::int_in(k, w, 1, MAX_CHANNELS)
        })?;
        validate::int_in("d", self.d, 1, MAX_DEEP_D)?;
        validate::real_in("trunk_scale", self.trunk_scale, 0.0, MAX_SCALE, true)?;
        if self.projector_scales.len() != self.projector.len() + 1 {
            return Err(ConfigError::new(
                "projector_scales",
                format!(
                    "{} entries for {} projector layers (one per layer: projector.len() + 1)",
                    self.projector_scales.len(),
                    self.projector.len() + 1
                ),
            ));
        }
        each("projector_scales", &self.projector_scales, |k, s| {
            validate::real_in(k, s, 0.0, MAX_SCALE, true)
        })
    }

    /// Refuses a run whose memory (docs/architecture.md §7) exceeds
    /// [`MEMORY_BUDGET_BYTES`], naming the key of its largest term.
    fn check_memory(&self) -> Result<(), ConfigError> {
        let need = crate::experiment::memory::deep_need(self);
        Ok(need.check(crate::experiment::memory::NATIVE_BUDGET)?)
    }
}

/// Checks every entry of the list `key`; the error names the list (the key a link or `--set`
/// gives) and the entry in its message: `channels[1] = 0 is out of range (allowed 1 to 1024)`.
fn each<T: Copy>(
    key: &str,
    list: &[T],
    check: impl Fn(&str, T) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    for (i, &v) in list.iter().enumerate() {
        check(key, v).map_err(|e| ConfigError::new(key, format!("{key}[{i}] = {}", e.message)))?;
    }
    Ok(())
}
