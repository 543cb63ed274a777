//! Generated inputs for every configuration parser that takes outside data (issue 17 §1):
//! share-link queries of the linear (cells 1-3), MLP (cells 5-6) and App. G (cell 7) kinds,
//! JSON configurations of those and of the symmetry cell, and `--set key=value` overrides.
//!
//! Properties: no input panics; what is accepted validates, is within the memory bound and
//! round-trips through its share link (full and compact) with no notice; every rejection is a
//! `ConfigError` naming a key (the one at fault, or `config` for JSON that is not an object);
//! every notice names the link key it is about and is short plain text (no control
//! characters).

mod fuzz_support;

use fuzz_support::{assert_readable, encode, hostile_key, hostile_text, run};
use proptest::prelude::*;
use serde_json::{Map, Value};
use stepwise::experiment::appg::AppgConfig;
use stepwise::experiment::memory::NATIVE_BUDGET;
use stepwise::experiment::mlp::MlpConfig;
use stepwise::experiment::session::{read_symmetry_config, SymmetryConfig};
use stepwise::experiment::share::{compact_query, config_from_query, config_to_query, unused_keys};
use stepwise::experiment::share_notice::quote;
use stepwise::experiment::{overrides, query, Config, RunConfig};
use stepwise::validate::ConfigError;

/// Every dotted key of the kind's defaults and presets.
fn known_keys<C: Config>() -> Vec<String> {
    let mut keys = overrides::keys(&C::default());
    for (_, p) in C::presets() {
        keys.extend(overrides::keys(&p));
    }
    keys.sort();
    keys.dedup();
    keys
}

fn preset_names<C: Config>() -> Vec<String> {
    let mut names: Vec<String> = C::presets().iter().map(|(n, _)| n.to_string()).collect();
    names.extend(["", "none", "__proto__", "fig1 ", "FIG1"].map(String::from));
    names
}

/// An accepted configuration needs at most the native budget on the CPU and in GPU buffers.
fn assert_within_bound<C: Config>(cfg: &C) {
    let need = cfg.memory_need();
    let budget = NATIVE_BUDGET.bytes;
    assert!(
        need.cpu_bytes <= budget && need.gpu_total_bytes <= budget,
        "accepted over the memory bound: {need:?}"
    );
}

/// An accepted configuration: it validates, is within the native memory bound
/// (docs/architecture.md §7), its full share link gives it back with no
/// notice, and so does its compact link up to the dataset keys its dataset kind ignores
/// (which the compact link leaves out, `share::unused_keys`).
fn assert_accepted<C: Config + std::fmt::Debug>(cfg: &C) {
    cfg.validate().expect("an accepted configuration validates");
    assert_within_bound(cfg);
    let full = config_to_query(cfg);
    let (back, notices) = config_from_query::<C>(&full);
    assert!(notices.is_empty(), "{full}: {notices:?}");
    assert_eq!(&back, cfg, "full link {full}");
    let compact = compact_query(cfg);
    let (mut back, notices) = config_from_query::<C>(&compact);
    assert!(notices.is_empty(), "{compact}: {notices:?}");
    for key in unused_keys(cfg) {
        let value = overrides::value_of(cfg, &key).expect("a key of cfg");
        back = overrides::apply_unchecked(&back, &format!("{key}={value}")).expect("its own value");
    }
    assert_eq!(&back, cfg, "compact link {compact}");
}

/// Every dotted path of the objects in `v` (inner nodes too).
fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = v {
        for (k, child) in map {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(key.clone());
            paths(child, &key, out);
        }
    }
}

/// The key a rejection names is a key of the kind (or a parent of one), `config`, or a path
/// the input itself spelled (an unknown one).
fn assert_names_key<C: Config>(e: &ConfigError, input: &str) {
    let key = e.key.as_str();
    let mut spelled = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(input) {
        paths(&v, "", &mut spelled);
    }
    let named = key == query::WHOLE_CONFIG
        || known_keys::<C>()
            .iter()
            .any(|k| k == key || k.starts_with(&format!("{key}.")))
        || spelled.iter().any(|k| k == key);
    assert!(named, "error names {key:?}: {e}");
    assert!(!e.message.is_empty());
}

// ---------------------------------------------------------------- share-link queries

/// A query: `preset=` sometimes, then key=value pairs, each percent-encoded or raw.
fn link<C: Config>() -> impl Strategy<Value = String> {
    let pair = || {
        (
            hostile_key(known_keys::<C>()),
            hostile_text(),
            any::<bool>(),
        )
    };
    let pairs = prop_oneof![
        10 => proptest::collection::vec(pair(), 0..8),
        1 => proptest::collection::vec(pair(), 60..70),
    ];
    let preset = proptest::option::of(proptest::sample::select(preset_names::<C>()));
    (preset, pairs, any::<bool>()).prop_map(|(preset, pairs, mark)| {
        let mut parts: Vec<String> = preset
            .iter()
            .map(|p| format!("preset={}", encode(p)))
            .collect();
        parts.extend(pairs.into_iter().map(|(k, v, enc)| match enc {
            true => format!("{}={}", encode(&k), encode(&v)),
            false => format!("{k}={v}"),
        }));
        let q = parts.join("&");
        if mark {
            format!("?{q}")
        } else {
            q
        }
    })
}

/// True when the link was used whole (no notice).
fn check_link<C: Config + std::fmt::Debug>(q: &str) -> bool {
    let (cfg, notices) = config_from_query::<C>(q);
    assert_accepted(&cfg);
    let keys: Vec<String> = stepwise::experiment::share::parse_query(q)
        .into_iter()
        .map(|(k, _)| quote(&k))
        .collect();
    for n in &notices {
        assert_readable(n, 600);
        // a notice starts with the key it is about (`key = “value” …` or `“key” …`), or is
        // about the whole link
        let general = ["the link has", "the link's settings do not fit"];
        let named = general.iter().any(|g| n.starts_with(g))
            || keys
                .iter()
                .any(|k| n.starts_with(&format!("{k} = “")) || n.starts_with(&format!("“{k}”")));
        assert!(named, "notice names no key of the link: {n}");
    }
    assert_eq!(query::parse::<C>(q).notices, notices);
    notices.is_empty()
}

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

/// A JSON value from a hostile text: itself when it parses as JSON, else the string.
fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_text().prop_map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t))),
        1 => hostile_text().prop_map(Value::String),
        1 => any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        1 => Just(serde_json::json!({"__proto__": {"polluted": true}, "a": [[{}]]})),
    ]
}

/// Sets the dotted `key` of `root` to `v`, creating objects on the way (where a non-object
/// is in the way it is replaced: a mutation too).
fn set_path(root: &mut Value, key: &str, v: Value) {
    let mut node = root;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let map = node.as_object_mut().expect("made an object above");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), v);
            return;
        }
        node = map.entry(part.to_string()).or_insert(Value::Null);
    }
}

/// Text edits JSON values cannot express: repeated keys, bare NaN, cut-off text, a non-object.
fn text_edit(text: String, edit: u8, key: &str, value: &str) -> String {
    let rest = text.strip_prefix('{').unwrap_or(&text);
    match edit % 16 {
        0 => format!("{{\"{key}\": {value}, {rest}"),
        1 => format!("{{\"{key}\": NaN, {rest}"),
        2 => text.chars().take(text.chars().count() / 2).collect(),
        3 => format!("[{text}]"),
        4 => format!("{text} {text}"),
        _ => text,
    }
}

/// A preset's JSON with mutated leaves and junk keys, sometimes edited as text.
fn json_config<C: Config>() -> impl Strategy<Value = String> {
    let presets: Vec<Value> = C::presets()
        .iter()
        .map(|(_, p)| serde_json::to_value(p).expect("plain data"))
        .collect();
    let edit = (hostile_key(known_keys::<C>()), json_value());
    (
        proptest::sample::select(presets),
        proptest::collection::vec(edit, 0..4),
        any::<u8>(),
        hostile_key(known_keys::<C>()),
        hostile_text(),
    )
        .prop_map(|(mut cfg, edits, text_op, key, value)| {
            for (k, v) in edits {
                set_path(&mut cfg, &k, v);
            }
            text_edit(
                cfg.to_string(),
                text_op,
                &key.replace(['"', '\\'], ""),
                &value,
            )
        })
}

fn check_json<C: Config + std::fmt::Debug>(text: &str, links: bool) -> bool {
    let cfg = match query::from_json::<C>(text) {
        Ok(cfg) => cfg,
        Err(e) => {
            assert_names_key::<C>(&e, text);
            return false;
        }
    };
    cfg.validate().expect("accepted configurations validate");
    assert_within_bound(&cfg);
    // the file a run saves with its result reads back as the same configuration
    let saved = serde_json::to_string(&cfg).expect("plain data");
    assert_eq!(query::from_json::<C>(&saved).as_ref(), Ok(&cfg), "{saved}");
    if links {
        assert_accepted(&cfg);
    }
    true
}

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

/// `key=value` assignments (some without `=`), on a random preset.
fn assignments<C: Config>() -> impl Strategy<Value = (usize, Vec<String>)> {
    let one = prop_oneof![
        6 => (hostile_key(known_keys::<C>()), hostile_text()).prop_map(|(k, v)| format!("{k}={v}")),
        1 => hostile_text(),
    ];
    (0..C::presets().len(), proptest::collection::vec(one, 0..6))
}

fn check_overrides<C: Config + std::fmt::Debug>(preset: usize, sets: &[String]) -> bool {
    let base = C::presets().swap_remove(preset).1;
    match overrides::apply_all(base, sets) {
        Ok(cfg) => {
            assert_accepted(&cfg);
            true
        }
        Err(e) => {
            let spelled = sets
                .iter()
                .any(|a| a.split_once('=').map_or(a.as_str(), |(k, _)| k.trim()) == e.key);
            let known = known_keys::<C>()
                .iter()
                .any(|k| *k == e.key || k.starts_with(&format!("{}.", e.key)));
            assert!(spelled || known, "error names {:?}: {e}", e.key);
            false
        }
    }
}

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
