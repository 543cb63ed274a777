//! Generated inputs for every configuration parser that takes outside data (issue 17 §1):
//! share-link queries of the linear (cells 1-3), MLP (cells 5-6) and App. G (cell 7) kinds,
//! JSON configurations of those and of the symmetry cell, and `--set key=value` overrides.
//!
//! The deep-network kinds (cells 8-10) are `tests/fuzz_deep_configs.rs`'s.
//!
//! Properties (`fuzz_support::configs`, shared with it): no input panics; what is accepted
//! validates, is within the memory bound and round-trips through its share link (full and
//! compact) with no notice; every rejection is a `ConfigError` naming a key (the one at
//! fault, or `config` for JSON that is not an object); every notice names the link key it is
//! about and is short plain text (no control characters).

mod fuzz_support;

use fuzz_support::configs::{
    assert_within_bound, assignments, check_json, check_link, check_overrides, json_config,
    json_value, link,
};
use fuzz_support::{assert_readable, hostile_text, run};
use proptest::prelude::*;
use serde_json::{Map, Value};
use stepwise::experiment::appg::AppgConfig;
use stepwise::experiment::mlp::MlpConfig;
use stepwise::experiment::session::{read_symmetry_config, SymmetryConfig};
use stepwise::experiment::share::{config_from_query, config_to_query};
use stepwise::experiment::{overrides, query, Config, RunConfig};

// ---------------------------------------------------------------- share-link queries

#[test]
fn fuzz_linear_links() {
    run("linear links", 2000, link::<RunConfig>(), |q| {
        check_link::<RunConfig>(&q)
    });
}

#[test]
fn fuzz_mlp_links() {
    run("mlp links", 1500, link::<MlpConfig>(), |q| {
        check_link::<MlpConfig>(&q)
    });
}

#[test]
fn fuzz_appg_links() {
    run("appg links", 1500, link::<AppgConfig>(), |q| {
        check_link::<AppgConfig>(&q)
    });
}

// ---------------------------------------------------------------- JSON configurations

#[test]
fn fuzz_linear_json() {
    run("linear json", 3000, json_config::<RunConfig>(), |t| {
        check_json::<RunConfig>(&t, true)
    });
}

#[test]
fn fuzz_mlp_json() {
    run("mlp json", 2000, json_config::<MlpConfig>(), |t| {
        check_json::<MlpConfig>(&t, true)
    });
}

#[test]
fn fuzz_appg_json() {
    run("appg json", 2000, json_config::<AppgConfig>(), |t| {
        check_json::<AppgConfig>(&t, true)
    });
}

#[test]
fn fuzz_symmetry_json() {
    run(
        "symmetry json",
        3000,
        json_config::<SymmetryConfig>(),
        |t| check_json::<SymmetryConfig>(&t, false),
    );
}

// ---------------------------------------------------------------- --set overrides

#[test]
fn fuzz_linear_overrides() {
    run(
        "linear --set",
        3000,
        assignments::<RunConfig>(),
        |(p, s)| check_overrides::<RunConfig>(p, &s),
    );
}

#[test]
fn fuzz_mlp_overrides() {
    run("mlp --set", 2000, assignments::<MlpConfig>(), |(p, s)| {
        check_overrides::<MlpConfig>(p, &s)
    });
}

#[test]
fn fuzz_appg_overrides() {
    run("appg --set", 2000, assignments::<AppgConfig>(), |(p, s)| {
        check_overrides::<AppgConfig>(p, &s)
    });
}

// ---------------------------------------------------------------- what the runs above found

#[test]
fn a_repeated_json_key_is_refused_by_its_dotted_key_everywhere() {
    // the first repetition in the text is named
    let text = r#"{"d": 3, "dataset": {"n": 100, "n": 200}, "d": 4}"#;
    let e = query::from_json::<RunConfig>(text).unwrap_err();
    assert_eq!(e.key, "dataset.n", "{e}");
    let e = query::from_json::<RunConfig>(r#"{"d": 3, "seed": 1, "d": 4}"#).unwrap_err();
    assert_eq!(e.key, "d", "{e}");
    let e = RunConfig::from_json(r#"{"dataset": {"n": 100, "n": 200}}"#).unwrap_err();
    assert_eq!(e.key, "dataset.n", "{e}");
    let e = MlpConfig::from_json(r#"{"width": 8, "width": 16}"#).unwrap_err();
    assert_eq!(e.key, "width", "{e}");
    // the command line's reader and the page's agree, and still read a plain file
    assert_eq!(RunConfig::from_json(r#"{"d": 4}"#).unwrap().d, 4);
}

#[test]
fn long_mantissas_survive_a_share_link_exactly() {
    for value in [
        "915256991917179840",
        "-5.225275126697945e+69",
        "15460284248584733697",
    ] {
        // the default dataset (photo patches) ignores the noise: any finite value validates
        let cfg = overrides::apply(&RunConfig::default(), &format!("dataset.noise={value}"));
        let cfg = cfg.unwrap();
        let (back, notices) = config_from_query::<RunConfig>(&config_to_query(&cfg));
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(
            back.dataset.noise.to_bits(),
            cfg.dataset.noise.to_bits(),
            "{value}"
        );
    }
}

// ---------------------------------------------------------------- the symmetry cell's reader

/// The page's message for cell 4: `gammas` as typed text or as JSON, `init` likewise.
fn symmetry_message() -> impl Strategy<Value = Value> {
    let gammas = prop_oneof![
        3 => proptest::collection::vec(
            prop_oneof![3 => Just("0.5".to_string()), 1 => hostile_text()], 0..10
        ).prop_map(|v| Value::String(v.join(", "))),
        1 => json_value(),
    ];
    let init = prop_oneof![2 => Just(Value::String("1e-3".into())), 1 => json_value()];
    (
        proptest::option::of(gammas),
        proptest::option::of(init),
        any::<bool>(),
    )
        .prop_map(|(g, i, junk)| {
            let mut m = Map::new();
            g.map(|g| m.insert("gammas".into(), g));
            i.map(|i| m.insert("init".into(), i));
            if junk {
                m.insert("__proto__".into(), serde_json::json!({"polluted": 1}));
            }
            Value::Object(m)
        })
}

#[test]
fn fuzz_symmetry_reader() {
    run(
        "symmetry reader",
        3000,
        symmetry_message(),
        |m| match read_symmetry_config(&m) {
            Ok(cfg) => {
                cfg.validate().expect("accepted configurations validate");
                assert_within_bound(&cfg);
                true
            }
            Err(e) => {
                assert!(["gammas", "init"].contains(&e.key.as_str()), "{e}");
                assert_readable(&e.to_string(), 400);
                false
            }
        },
    );
}
