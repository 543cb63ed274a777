//! Every validation rule rejects what it should, naming the key; overrides work by dotted name.

use stepwise::experiment::{overrides, preset, run_cpu, RunConfig, RunError};

fn rejects(assignment: &str, key: &str) {
    let base = preset("small").unwrap();
    let err = overrides::apply(&base, assignment).expect_err(assignment);
    assert_eq!(err.key, key, "{assignment}: {err}");
    assert!(!err.message.is_empty());
}

#[test]
fn out_of_range_values_are_rejected_with_their_key() {
    for (a, key) in [
        ("dataset.n=1", "dataset.n"),
        ("dataset.n=5000", "dataset.n"),
        ("dataset.n=-3", "dataset.n"),
        ("dataset.crop=0", "dataset.crop"),
        ("dataset.crop=33", "dataset.crop"),
        ("dataset.base=5", "dataset.base"),
        ("dataset.base=65", "dataset.base"),
        ("dataset.seed=9007199254740992", "dataset.seed"),
        ("d=0", "d"),
        ("d=65", "d"),
        ("init_scale=0", "init_scale"),
        ("init_scale=-1", "init_scale"),
        ("init_scale=1e300", "init_scale"),
        ("lr=0", "lr"),
        ("lr=-0.1", "lr"),
        ("lr=1000", "lr"),
        ("steps=0", "steps"),
        ("steps=3000000", "steps"),
        ("record_every=0", "record_every"),
        ("seed=9007199254740992", "seed"),
        ("experiment=mlp", "experiment"),
        ("dataset.kind=cifar", "dataset.kind"),
        ("nonsense=1", "nonsense"),
        ("dataset.nonsense=1", "dataset.nonsense"),
        ("dataset=3", "dataset"),
        ("d=ten", "d"),
        ("d", "d"),
    ] {
        rejects(a, key);
    }
}

#[test]
fn non_finite_numbers_are_rejected() {
    // JSON has no NaN/inf literals: they arrive as strings and fail to parse as numbers
    for a in ["lr=NaN", "lr=inf", "init_scale=-inf"] {
        let key = a.split('=').next().unwrap();
        rejects(a, key);
    }
    let cfg = RunConfig {
        init_scale: f64::NAN,
        ..RunConfig::default()
    };
    assert_eq!(cfg.validate().unwrap_err().key, "init_scale");
    let cfg = RunConfig {
        lr: Some(f64::INFINITY),
        ..RunConfig::default()
    };
    assert_eq!(cfg.validate().unwrap_err().key, "lr");
}

#[test]
fn memory_bounds_hold() {
    // n·m too large for the data budget
    let err = overrides::apply(&preset("fig1").unwrap(), "dataset.n=4000").unwrap_err();
    assert_eq!(err.key, "dataset.n");
    // d larger than m
    let base = overrides::apply(&preset("small").unwrap(), "dataset.crop=2").unwrap();
    assert_eq!(overrides::apply(&base, "d=13").unwrap_err().key, "d");
    // too many records
    let base = preset("small").unwrap();
    let err = overrides::apply_all(base, &["steps=2000000", "record_every=1"]).unwrap_err();
    assert_eq!(err.key, "record_every");
}

#[test]
fn planted_rules() {
    let base = preset("planted").unwrap();
    for (a, key) in [
        ("dataset.spectrum=[]", "dataset.spectrum"),
        ("dataset.spectrum=[1, 1e9]", "dataset.spectrum"),
        ("dataset.dim=0", "dataset.dim"),
        ("dataset.dim=5000", "dataset.dim"),
        ("dataset.noise=-1", "dataset.noise"),
    ] {
        let err = overrides::apply(&base, a).expect_err(a);
        assert_eq!(err.key, key, "{a}: {err}");
    }
    // more planted eigenvalues than n − 1
    let err = overrides::apply_all(base, &["dataset.n=4"]).unwrap_err();
    assert_eq!(err.key, "dataset.spectrum");
}

#[test]
fn overrides_set_nested_keys_and_auto() {
    let cfg = overrides::apply_all(
        preset("fig1").unwrap(),
        &[
            "dataset.n=123",
            "dataset.center=false",
            "lr=0.01",
            "lr=auto",
            "d=3",
        ],
    )
    .unwrap();
    assert_eq!(cfg.dataset.n, 123);
    assert!(!cfg.dataset.center);
    assert_eq!(cfg.lr, None);
    assert_eq!(cfg.d, 3);
    assert!(overrides::keys(&cfg).contains(&"dataset.crop".to_string()));
}

#[test]
fn json_configs_take_defaults_and_reject_unknown_keys() {
    let cfg = RunConfig::from_json(r#"{"d": 5, "dataset": {"n": 100}}"#).unwrap();
    assert_eq!(cfg.d, 5);
    assert_eq!(cfg.dataset.n, 100);
    assert_eq!(cfg.dataset.crop, 20);
    assert!(RunConfig::from_json(r#"{"d": 5, "bogus": 1}"#).is_err());
    assert!(RunConfig::from_json("not json").is_err());
    assert!(RunConfig::from_json(r#"{"d": 1e400}"#).is_err());
}

#[test]
fn a_too_large_learning_rate_diverges_with_advice() {
    let cfg = overrides::apply_all(preset("planted").unwrap(), &["lr=1.0", "steps=200"]).unwrap();
    match run_cpu(&cfg, false) {
        Err(RunError::Diverged {
            step,
            lr,
            stable_lr,
        }) => {
            assert!(step <= 200);
            assert_eq!(lr, 1.0);
            assert!((stable_lr - 1.0 / 16.0).abs() < 1e-4, "bound {stable_lr}");
        }
        other => panic!(
            "expected divergence, got {:?}",
            other.map(|r| r.records.len())
        ),
    }
    let msg = run_cpu(&cfg, false).unwrap_err().to_string();
    assert!(msg.contains("diverged") && msg.contains("1/(4γ₁)"), "{msg}");
}
