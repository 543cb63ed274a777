//! The memory bounds at their edges: each kind accepted at its need and refused a byte
//! below, the real budgets reached where the case-by-case limits allow, and the formulas
//! against the buffers a prepared run really holds.

use super::*;
use crate::experiment::appg::{AppgConfig, AppgModel};
use crate::experiment::deep::{DeepConfig, DeepDataConfig};
use crate::experiment::mlp::{mlp_preset, MlpConfig};
use crate::experiment::session::SymmetryConfig;
use crate::experiment::{prepare, Config, RunConfig, Solver};

fn budget(bytes: u64) -> Budget {
    Budget {
        bytes,
        place: "in this test",
    }
}

/// `cfg` is accepted with a budget of exactly its need and refused one byte below, naming
/// the key of its larger side.
fn at_the_edge<C: Config>(cfg: &C) -> String {
    let need = cfg.memory_need();
    let top = need.cpu_bytes.max(need.gpu_total_bytes);
    assert!(top > 0);
    cfg.validate_within(budget(top))
        .expect("accepted at its need");
    let err = cfg.validate_within(budget(top - 1)).expect_err("over");
    let key = if need.cpu_bytes >= need.gpu_total_bytes {
        &need.cpu_key
    } else {
        &need.gpu_key
    };
    assert_eq!(&err.key, key);
    assert!(err.message.contains(&top.to_string()), "{}", err.message);
    err.key
}

#[test]
fn every_kind_is_accepted_at_its_need_and_refused_a_byte_below() {
    assert_eq!(at_the_edge(&RunConfig::default()), "dataset.crop");
    let mut planted = RunConfig::default();
    planted.dataset.kind = crate::data::DatasetKind::Planted;
    assert_eq!(at_the_edge(&planted), "record_every");
    let literal = RunConfig {
        solver: Solver::Literal,
        steps: Some(100),
        ..RunConfig::default()
    };
    assert_eq!(at_the_edge(&literal), "dataset.crop");
    at_the_edge(&MlpConfig::default());
    at_the_edge(&AppgConfig::default());
    let mlp_appg = AppgConfig {
        model: AppgModel::Mlp,
        ..AppgConfig::default()
    };
    assert!(at_the_edge(&mlp_appg).starts_with("mlp."));
    assert_eq!(at_the_edge(&DeepConfig::default()), "channels");
    assert_eq!(at_the_edge(&SymmetryConfig::default()), "gammas");
}

/// Every preset of every kind fits the page's budget (and so the CLI's).
#[test]
fn every_preset_fits_the_page() {
    fn all<C: Config>() {
        for (name, cfg) in C::presets() {
            let need = cfg.memory_need();
            cfg.validate_within(PAGE_BUDGET)
                .unwrap_or_else(|e| panic!("{name}: {e} ({need:?})"));
        }
    }
    all::<RunConfig>();
    all::<MlpConfig>();
    all::<AppgConfig>();
    all::<DeepConfig>();
}

/// The smallest `x` in `lo..=hi` that `budget` refuses (validation otherwise passing), with
/// `x − 1` accepted; the refusal's key.
fn flip<C: Config>(make: impl Fn(usize) -> C, (lo, hi): (usize, usize), b: Budget) -> String {
    make(lo).validate_within(b).expect("the low end fits");
    make(hi)
        .validate_within(b)
        .expect_err("the high end does not");
    let (mut ok, mut over) = (lo, hi);
    while over - ok > 1 {
        let mid = (ok + over) / 2;
        match make(mid).validate_within(b) {
            Ok(()) => ok = mid,
            Err(_) => over = mid,
        }
    }
    make(ok).validate().expect("valid just under");
    let err_at = make(over).validate_within(b).expect_err("just over");
    let need = make(over).memory_need();
    assert!(need.cpu_bytes.max(need.gpu_total_bytes) > b.bytes);
    let under = make(ok).memory_need();
    assert!(under.cpu_bytes.max(under.gpu_total_bytes) <= b.bytes);
    err_at.key
}

#[test]
fn the_mlp_reaches_the_page_budget_by_its_width() {
    let wide = |width| MlpConfig {
        width,
        dataset: crate::data::DatasetConfig {
            n: 1024,
            crop: 4,
            base: 8,
            ..MlpConfig::default().dataset
        },
        ..MlpConfig::default()
    };
    assert_eq!(flip(wide, (16, 8192), PAGE_BUDGET), "width");
    wide(8192)
        .validate()
        .expect("the CLI's budget holds the widest");
}

#[test]
fn the_deep_network_reaches_the_native_budget_by_its_channels() {
    let wide = |c| DeepConfig {
        channels: vec![c],
        data: DeepDataConfig {
            base: 32,
            crop: 32,
            ..DeepDataConfig::default()
        },
        ..DeepConfig::default()
    };
    assert_eq!(flip(wide, (1, 1024), NATIVE_BUDGET), "channels");
}

#[test]
fn the_comparison_reaches_the_page_budget_by_its_records() {
    let long = |steps| {
        let mut cfg = AppgConfig::default();
        cfg.run.dataset.crop = 32;
        cfg.run.d = 32;
        cfg.run.steps = Some(steps as u64);
        cfg.run.record_every = 1;
        cfg
    };
    // the largest term is Γ's (m = 3072), though the record count tips it over
    assert_eq!(flip(long, (100, 99_000), PAGE_BUDGET), "run.dataset.crop");
}

/// The linear run's case-by-case limits (n·m, d, the record count) already keep it within
/// the page's budget: its largest configuration fits.
#[test]
fn the_largest_linear_run_fits_the_page() {
    let mut cfg = RunConfig::default();
    cfg.dataset.crop = 32;
    cfg.dataset.base = 32;
    cfg.dataset.n = crate::data::MAX_ENTRIES / cfg.dataset.m();
    cfg.d = 64;
    cfg.validate_within(PAGE_BUDGET).expect("fits");
}

/// The formulas bound what a prepared run holds, within a small factor for the eigenbasis
/// solver (all m eigenvectors); the truncated solver keeps K ≤ m of them, K known only once
/// the data's spectrum is (the formula counts m: an upper bound).
#[test]
fn the_linear_formula_bounds_a_prepared_run() {
    for solver in [Solver::Eigenbasis, Solver::Truncated] {
        let cfg = RunConfig {
            steps: Some(200),
            solver,
            ..RunConfig::default()
        };
        let prep = prepare(&cfg).expect("prepares");
        let m = prep.pairs.m;
        let held = f32s(prep.pairs.x.len() + prep.pairs.x_prime.len() + prep.w0.len())
            + f64s(prep.gamma.nrows() * prep.gamma.ncols())
            + f64s(prep.eigen.vectors.nrows() * prep.eigen.vectors.ncols())
            + f32s(m * prep.eigen.vectors.ncols()); // the backend's f32 eigenvectors
        let need = cfg.memory_need();
        assert!(
            need.cpu_bytes >= held,
            "{solver:?}: {} < {held}",
            need.cpu_bytes
        );
        if solver == Solver::Eigenbasis {
            assert!(need.cpu_bytes < 2 * held, "{} vs {held}", need.cpu_bytes);
        }
    }
}

#[test]
fn the_mlp_formula_bounds_a_prepared_run() {
    let cfg = mlp_preset("mlp-small-bt").expect("preset");
    let prep = crate::experiment::mlp::MlpPrepared::new(&cfg).expect("prepares");
    let (w1, w2) = (&prep.weights.w1, &prep.weights.w2);
    let held = f32s(prep.pairs.x.len() + prep.pairs.x_prime.len())
        + f32s(prep.inputs.nrows() * prep.inputs.ncols())
        + f32s(w1.nrows() * w1.ncols() + w2.nrows() * w2.ncols());
    let need = cfg.memory_need();
    assert!(need.cpu_bytes >= held, "{} < {held}", need.cpu_bytes);
}

#[test]
fn buffer_limits_admit_the_largest_buffer_or_say_which() {
    let need = MlpConfig::default().memory_need();
    let fits = BufferLimits {
        max_storage_buffer_binding_size: need.gpu_largest_buffer_bytes,
        max_buffer_size: u64::MAX,
    };
    fits.admit(&need).expect("fits exactly");
    let small = BufferLimits {
        max_buffer_size: need.gpu_largest_buffer_bytes - 1,
        ..fits
    };
    let err = small.admit(&need).expect_err("one byte short");
    assert_eq!(err.limit, need.gpu_largest_buffer_bytes - 1);
    assert_eq!(err.key, need.gpu_key);
}

/// The backend choice moves a WebGPU run whose largest buffer is over the adapter's limits
/// to the CPU, with the key and bytes in its notice; the CPU choice and a fitting run stay.
#[test]
fn a_webgpu_choice_over_the_limits_moves_to_the_cpu() {
    use crate::experiment::session::{
        choose_backend, fit_buffers, AdapterInfo, BackendKind, BackendWant, Why,
    };
    let cfg = RunConfig {
        solver: Solver::Literal,
        ..RunConfig::default()
    };
    let need = cfg.memory_need();
    let limits = |bytes| BufferLimits {
        max_storage_buffer_binding_size: bytes,
        max_buffer_size: u64::MAX,
    };
    let adapter = Ok(AdapterInfo::classify("test adapter", false));
    let choose = |want, limit| {
        let mut choice = choose_backend(want, None, None, &adapter);
        fit_buffers(&mut choice, &need, Some(&limits(limit)));
        choice
    };
    let top = need.gpu_largest_buffer_bytes;
    assert_eq!(choose(BackendWant::Gpu, top).kind, BackendKind::WebGpu);
    let over = choose(BackendWant::Gpu, top - 1);
    assert_eq!(over.kind, BackendKind::Cpu);
    let why = Why::GpuBufferTooLarge {
        key: "dataset.crop".into(),
        bytes: top,
        limit: top - 1,
    };
    assert_eq!(over.why, why);
    assert!(over.to_string().contains("`dataset.crop`"), "{over}");
    assert_eq!(choose(BackendWant::Auto, top - 1).kind, BackendKind::Cpu);
    assert_eq!(choose(BackendWant::Cpu, 0).why, Why::Requested);
}
