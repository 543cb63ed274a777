//! The configuration parsers' strategies and properties, generic over the kind
//! (`tests/fuzz_configs.rs`, `tests/fuzz_deep_configs.rs`): share-link queries, JSON
//! configurations and `--set` overrides.
//!
//! Properties: no input panics; what is accepted validates, is within the native memory
//! bound and round-trips through its share link (full and compact) with no notice; every
//! rejection is a `ConfigError` naming a key (the one at fault, or `config` for JSON that is
//! not an object); every notice names the link key it is about and is short plain text (no
//! control characters).

use proptest::prelude::*;
use serde_json::{Map, Value};
use stepwise::experiment::memory::NATIVE_BUDGET;
use stepwise::experiment::share::{
    compact_query, config_from_query, config_to_query, parse_query, unused_keys,
};
use stepwise::experiment::share_notice::quote;
use stepwise::experiment::{overrides, query, Config};
use stepwise::validate::ConfigError;

use super::{assert_readable, encode, hostile_key, hostile_text};

/// Every dotted key of the kind's defaults and presets.
pub fn known_keys<C: Config>() -> Vec<String> {
    let mut keys = overrides::keys(&C::default());
    for (_, p) in C::presets() {
        keys.extend(overrides::keys(&p));
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `key` is a key of the kind or a parent of one (`dataset` of `dataset.n`).
pub fn is_known<C: Config>(key: &str) -> bool {
    known_keys::<C>()
        .iter()
        .any(|k| k == key || k.starts_with(&format!("{key}.")))
}

fn preset_names<C: Config>() -> Vec<String> {
    let mut names: Vec<String> = C::presets().iter().map(|(n, _)| n.to_string()).collect();
    names.extend(["", "none", "__proto__", "fig1 ", "FIG1"].map(String::from));
    names
}

/// An accepted configuration needs at most the native budget on the CPU and in GPU buffers.
pub fn assert_within_bound<C: Config>(cfg: &C) {
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
pub fn assert_accepted<C: Config + std::fmt::Debug>(cfg: &C) {
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
pub fn assert_names_key<C: Config>(e: &ConfigError, input: &str) {
    let key = e.key.as_str();
    let mut spelled = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(input) {
        paths(&v, "", &mut spelled);
    }
    let named =
        key == query::WHOLE_CONFIG || is_known::<C>(key) || spelled.iter().any(|k| k == key);
    assert!(named, "error names {key:?}: {e}");
    assert!(!e.message.is_empty());
}

// ---------------------------------------------------------------- share-link queries

/// A query of the kind's own keys and hostile values ([`link_with`]).
pub fn link<C: Config>() -> impl Strategy<Value = String> {
    link_with::<C>(known_keys::<C>(), hostile_text().boxed())
}

/// A query: `preset=` sometimes, then key=value pairs (keys mostly from `keys`, values from
/// `values`), each percent-encoded or raw.
pub fn link_with<C: Config>(
    keys: Vec<String>,
    values: BoxedStrategy<String>,
) -> impl Strategy<Value = String> {
    let pair = move || (hostile_key(keys.clone()), values.clone(), any::<bool>());
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

/// Checks that every notice is short plain text naming a key of `q` (or the whole link).
pub fn assert_notices_name_keys(q: &str, notices: &[String]) {
    let keys: Vec<String> = parse_query(q).into_iter().map(|(k, _)| quote(&k)).collect();
    for n in notices {
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
}

/// True when the link was used whole (no notice).
pub fn check_link<C: Config + std::fmt::Debug>(q: &str) -> bool {
    let (cfg, notices) = config_from_query::<C>(q);
    assert_accepted(&cfg);
    assert_notices_name_keys(q, &notices);
    assert_eq!(query::parse::<C>(q).notices, notices);
    notices.is_empty()
}

// ---------------------------------------------------------------- JSON configurations

/// A JSON value from a hostile text: itself when it parses as JSON, else the string.
pub fn json_value() -> impl Strategy<Value = Value> {
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
pub fn json_config<C: Config>() -> impl Strategy<Value = String> {
    json_config_with::<C>(known_keys::<C>(), json_value().boxed())
}

/// [`json_config`] with keys mostly from `keys` and leaves from `values`.
pub fn json_config_with<C: Config>(
    keys: Vec<String>,
    values: BoxedStrategy<Value>,
) -> impl Strategy<Value = String> {
    let presets: Vec<Value> = C::presets()
        .iter()
        .map(|(_, p)| serde_json::to_value(p).expect("plain data"))
        .collect();
    let edit = (hostile_key(keys), values);
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

/// [`query::from_json`] of `text`: a rejection names a key; what is accepted validates, is
/// within the bound, reads back from its saved JSON and (with `links`) from its share links.
/// True when accepted.
pub fn check_json<C: Config + std::fmt::Debug>(text: &str, links: bool) -> bool {
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

// ---------------------------------------------------------------- --set overrides

/// `key=value` assignments (some without `=`), on a random preset.
pub fn assignments<C: Config>() -> impl Strategy<Value = (usize, Vec<String>)> {
    (
        0..C::presets().len(),
        sets(known_keys::<C>(), hostile_text().boxed()),
    )
}

/// Up to 5 `key=value` assignments, keys mostly from `keys` and values from `values`, and
/// some hostile texts without `=`.
pub fn sets(
    keys: Vec<String>,
    values: BoxedStrategy<String>,
) -> impl Strategy<Value = Vec<String>> {
    let one = prop_oneof![
        6 => (hostile_key(keys), values).prop_map(|(k, v)| format!("{k}={v}")),
        1 => hostile_text(),
    ];
    proptest::collection::vec(one, 0..6)
}

/// Checks that a refusal of `sets` names a key one of them spelled or a key of the kind.
pub fn assert_names_set_key<C: Config>(e: &ConfigError, sets: &[String]) {
    let spelled = sets
        .iter()
        .any(|a| a.split_once('=').map_or(a.as_str(), |(k, _)| k.trim()) == e.key);
    assert!(
        spelled || is_known::<C>(&e.key),
        "error names {:?}: {e}",
        e.key
    );
    assert!(!e.message.is_empty());
}

/// `--set` of `sets` on preset number `preset`; true when accepted.
pub fn check_overrides<C: Config + std::fmt::Debug>(preset: usize, sets: &[String]) -> bool {
    let base = C::presets().swap_remove(preset).1;
    match overrides::apply_all(base, sets) {
        Ok(cfg) => {
            assert_accepted(&cfg);
            true
        }
        Err(e) => {
            assert_names_set_key::<C>(&e, sets);
            false
        }
    }
}
