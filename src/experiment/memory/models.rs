//! The memory formulas of every configuration kind (docs/architecture.md §7).
//! Each term is an upper bound of what the run allocates, named by the key that sizes it;
//! GPU terms follow the buffers `gpu::*_resources` create (padded layout, `gpu::layout`).

use super::{f32s, f64s, gpu_matrix, peak, MemoryNeed, Tally};
use crate::data::{DatasetConfig, DatasetKind};
use crate::experiment::appg::{AppgConfig, AppgModel};
use crate::experiment::config::MAX_RECORDS;
use crate::experiment::deep::DeepConfig;
use crate::experiment::mlp::{LossKind, MlpConfig};
use crate::experiment::replay::{MAX_SNAPSHOTS, MAX_SNAPSHOT_FLOATS};
use crate::experiment::schedule::record_count;
use crate::experiment::session::SymmetryConfig;
use crate::experiment::{RunConfig, Solver, MAX_BATCH};
use crate::model::spectral::LossVariant;

/// Bytes of one record kept on the CPU: t, step, loss and the `Vec` of `values` f64.
fn record_bytes(values: usize) -> u64 {
    48 + f64s(values)
}

/// Records a run keeps: its schedule's, or [`MAX_RECORDS`] + 1 for an automatic step count.
fn records(steps: Option<u64>, every: u64) -> u64 {
    steps.map_or(MAX_RECORDS + 1, |s| record_count(s, every))
}

/// The key that sets a dataset's input dimension m.
fn dim_key(data: &DatasetConfig) -> &'static str {
    match data.kind {
        DatasetKind::PhotoPatches => "dataset.crop",
        DatasetKind::Planted => "dataset.dim",
    }
}

/// The positive pairs X, X′ (f32, 2 x n x m; photo crops are cut straight into them).
fn dataset_terms(t: &mut Tally, p: &str, data: &DatasetConfig) {
    t.cpu(&format!("{p}dataset.n"), f32s(2 * data.n * data.m()));
}

/// What a linear run adds up to: `copies` record series (run, theory, second run…), and on
/// the GPU Appendix G's spectral step with `spectral`.
fn linear_need(cfg: &RunConfig, p: &str, copies: u64, spectral: bool) -> MemoryNeed {
    let (m, d) = (cfg.dataset.m(), cfg.d);
    let key = |k: &str| format!("{p}{k}");
    let mk = key(dim_key(&cfg.dataset));
    let mut t = Tally::default();
    dataset_terms(&mut t, p, &cfg.dataset);
    // Γ, its eigenvectors and the eigensolver's workspace in f64, one f32 copy for a backend
    t.cpu(&mk, f64s(3 * m * m) + f32s(m * m));
    // W(0) in f32 and f64, the backend's W and P, the theory's projections
    t.cpu(&key("d"), f64s(4 * d * m));
    let kept = records(cfg.steps, cfg.record_every) * copies;
    t.cpu(&key("record_every"), kept * record_bytes(d));
    // the replay's snapshots of W (`experiment::replay`)
    let snapshots = (MAX_SNAPSHOTS * d * m).min(MAX_SNAPSHOT_FLOATS);
    t.cpu(&key("d"), f32s(snapshots));
    // the device: Γ (literal) or its eigenvalues, W, P, C, the C history and the stagings
    let gamma = match cfg.solver {
        Solver::Literal => gpu_matrix(m, m),
        Solver::Eigenbasis | Solver::Truncated => gpu_matrix(1, m),
    };
    t.gpu(&mk, gamma);
    t.gpus(&mk, 3, gpu_matrix(d, m)); // W, P, W staging
    t.gpus(&key("d"), 2, gpu_matrix(d, d)); // C and its staging
    t.gpus(&key("d"), 2, f32s(MAX_BATCH) * gpu_matrix(d, d) / 4);
    if spectral {
        // Σ = ΦᵀΦ/2n (m x m), R = WΣ (d x m), M and B (d x d)
        t.gpu(&mk, gpu_matrix(m, m)).gpu(&mk, gpu_matrix(d, m));
        t.gpus(&key("d"), 2, gpu_matrix(d, d));
    }
    t.finish()
}

/// The linear run, as every cell on [`RunConfig`] uses it: the run, its theory and the
/// init comparison's aligned run (three record series).
pub(crate) fn run_need(cfg: &RunConfig) -> MemoryNeed {
    linear_need(cfg, "", 3, false)
}

/// SimCLR's scratch for `rows` embeddings of `d`: the unit rows with their inverse norms,
/// and the log-sum-exps (`gpu::simclr_grad`).
fn simclr_scratch(t: &mut Tally, key: &str, rows: usize, d: usize) {
    let rows4 = rows.div_ceil(4) * 4;
    let unit = rows4 * (4 * d.div_ceil(4) + 1);
    t.gpu(key, f32s(unit.max(4))).gpu(key, f32s(rows4.max(4)));
}

/// Training an MLP on the CPU and on the device, or computing its NTK (the larger).
fn mlp_need(cfg: &MlpConfig, p: &str, copies: u64, gpu: bool) -> MemoryNeed {
    let key = |k: &str| format!("{p}{k}");
    let (rows, m1, hp, d) = (2 * cfg.dataset.n, cfg.dataset.m() + 1, cfg.width + 1, cfg.d);
    let momentum = usize::from(cfg.momentum > 0.0);
    let gram = cfg.hidden_top > 0;
    let mut t = Tally::default();
    dataset_terms(&mut t, p, &cfg.dataset);
    t.cpu(&key("dataset.n"), f32s(rows * m1));
    // W̃1 with its gradient (and velocity), H̃, Δ and Z (f32); the NTK's H and G (f64)
    t.cpu(
        &key("width"),
        f32s((2 + momentum) * hp * m1 + 3 * rows * hp),
    );
    t.cpu(&key("width"), f64s(2 * rows * hp));
    // the NTK, its eigenvectors and workspace, the hidden Gram matrix (f64, N x N)
    t.cpu(
        &key("dataset.n"),
        f64s((3 + usize::from(gram)) * rows * rows),
    );
    let kept = records(cfg.steps, cfg.record_every) * copies;
    t.cpu(
        &key("record_every"),
        kept * record_bytes(d + cfg.hidden_top),
    );
    if !gpu {
        return t.finish();
    }
    let (n_key, w_key) = (key("dataset.n"), key("width"));
    t.gpu(&n_key, gpu_matrix(rows, m1));
    // W̃1 and W̃2; with momentum their gradients and velocities (without, the update is
    // fused into the gradients' products: no gradient buffers)
    t.gpus(&w_key, 1 + 2 * momentum, gpu_matrix(hp, m1));
    t.gpus(&w_key, 1 + 2 * momentum, gpu_matrix(d, hp));
    t.gpus(&w_key, 2, gpu_matrix(rows, hp)); // H̃, Δ
    t.gpus(&n_key, 2, gpu_matrix(rows, d)); // F, dL/dF
    if gram {
        t.gpu(&n_key, gpu_matrix(rows, rows));
    }
    let snapshot = gpu_matrix(rows, d) + gpu_matrix(rows, rows);
    t.gpus(&n_key, 2, snapshot); // snapshot and its staging
    if cfg.loss == LossKind::Simclr {
        simclr_scratch(&mut t, &n_key, rows, d);
    }
    let train = t.finish();
    // the NTK on the device: X̃, W̃1, H, G, K, XXᵀ, GGᵀ and K's staging
    let mut ntk = Tally::default();
    ntk.gpu(&n_key, gpu_matrix(rows, m1));
    ntk.gpu(&w_key, gpu_matrix(hp, m1));
    ntk.gpus(&w_key, 2, gpu_matrix(rows, hp));
    ntk.gpus(&n_key, 4, gpu_matrix(rows, rows));
    let mut ntk = ntk.finish();
    ntk.cpu_bytes = train.cpu_bytes;
    ntk.cpu_key = train.cpu_key.clone();
    peak(train, ntk)
}

pub(crate) fn mlp_run_need(cfg: &MlpConfig) -> MemoryNeed {
    mlp_need(cfg, "", 3, true)
}

/// The comparison: the baseline and up to four variants, each at up to two learning rates,
/// one after the other (one set of buffers at a time, every run's records kept).
pub(crate) fn appg_need(cfg: &AppgConfig) -> MemoryNeed {
    let runs = 2 * LossVariant::ALL.len() as u64 + 1;
    match cfg.model {
        AppgModel::Linear => {
            let mut need = linear_need(&cfg.run, "run.", runs, true);
            // Σ on the CPU, for the variants' update matrices
            need.cpu_bytes += f64s(cfg.run.dataset.m().pow(2));
            need
        }
        AppgModel::Mlp => mlp_need(&cfg.mlp, "mlp.", runs, false),
    }
}

/// A deep-network run: the CPU's parameters, activations and images
/// (`deep::cost::memory_bytes`, docs/deep.md §1), the evaluation's hidden covariances and
/// the records; on the device the parameters with gradient and velocity, the activations
/// of the largest pass with their gradients, and the views.
pub(crate) fn deep_need(cfg: &DeepConfig) -> MemoryNeed {
    let shape = cfg.shape();
    let views = cfg.views_per_step().max(2 * cfg.data.eval);
    let params = shape.parameters();
    let activations = shape.activation_floats(views);
    let side = cfg.data.crop;
    let image = |s: usize| 3 * s * s;
    let mut t = Tally::default();
    t.cpu("channels", f32s(3 * params));
    t.cpu("channels", f32s(2 * activations));
    t.cpu(
        "data.count",
        f32s(cfg.data.count * image(cfg.data.base.max(side))),
    );
    t.cpu("data.eval", f32s(2 * cfg.data.eval * image(side)));
    let hidden = shape.hidden_dim();
    t.cpu("data.eval", f64s(3 * hidden * hidden));
    let rows = cfg.hidden_top + cfg.d + 8;
    t.cpu(
        "record_every",
        record_count(cfg.steps, cfg.record_every) * record_bytes(rows),
    );
    // parameters, gradient, velocity; the projector's padded weights and their gradients;
    // the learning rate and the unused bindings' dummy
    t.gpus("channels", 3, f32s(params));
    t.gpus("projector", 2, f32s(super::deep::projector_floats(&shape)));
    t.gpus("lr", 2, f32s(4));
    // the training graph (2B views, with gradients) and the evaluation's (2E views)
    let (train, eval) = (cfg.views_per_step(), 2 * cfg.data.eval);
    let floats = super::deep::graph_floats(&shape, train, true)
        + super::deep::graph_floats(&shape, eval, false);
    let largest = f32s(shape.largest_layer_floats(views));
    t.gpu_spread("channels", f32s(floats), largest);
    if cfg.loss == LossKind::Simclr {
        simclr_scratch(&mut t, "batch", train, cfg.d);
    }
    t.finish()
}

/// The symmetry cell: a few curves of 801 points per γ.
pub(crate) fn symmetry_need(cfg: &SymmetryConfig) -> MemoryNeed {
    let mut t = Tally::default();
    t.cpu("gammas", f64s(cfg.gammas.len() * 801 * 6));
    t.finish()
}
