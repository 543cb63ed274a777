//! Generated inputs for the deep-network configuration parsers (issue 17 §1):
//! `DeepConfig` (cells 8 and 9, `stepwise run resnet-…`) and `MethodsConfig` (cell 10;
//! `stepwise compare methods`, whose `--set` applies to the three runs of a preset family):
//! share-link queries, JSON configurations and `--set key=value` overrides. The other kinds
//! are `tests/fuzz_configs.rs`'s; the properties are the same (`fuzz_support::configs`).
//!
//! The page splits its query among the cells by key prefix (`deep.`, `probes.`, `methods.`:
//! `splitQuery` in www/share.js) and hands each cell its keys with the prefix removed, so
//! hostile prefixed keys (`deep.__proto__`, `methods.`, `deep..x`, `deep.deep.lr`) reach
//! these parsers as `__proto__`, ``, `.x`, `deep.lr`: the link keys below include them.

mod fuzz_support;

use fuzz_support::configs::{
    assert_accepted, assert_names_set_key, check_json, check_link, check_overrides,
    json_config_with, json_value, known_keys, link_with, sets,
};
use fuzz_support::{hostile_text, run};
use proptest::prelude::*;
use serde_json::Value;
use stepwise::experiment::deep::methods::check_comparable;
use stepwise::experiment::deep::methods_config::{MethodsConfig, MethodsFamily};
use stepwise::experiment::deep::{DeepConfig, DEEP_PRESETS};
use stepwise::experiment::share::config_from_query;
use stepwise::experiment::{overrides, query, Config};

/// What the page hands a cell for hostile prefixed keys (the prefix removed), and the keys
/// of the other deep kind.
fn routed_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "",
        ".",
        ".x",
        ".lr",
        ".data.count",
        "__proto__",
        "__proto__.steps",
        "data.__proto__",
        "data..count",
        "data.count.",
        "lr.",
        "deep.lr",
        "deep.",
        "probes.steps",
        "methods.steps",
        "methods.",
        "preset",
        "cell",
        "embed",
        "backend",
        "channels.0",
        "channels[0]",
        "projector_scales.1",
    ]
    .map(String::from)
    .to_vec();
    keys.extend(deep_keys());
    keys.extend(known_keys::<MethodsConfig>());
    keys
}

/// The deep network's keys, its lists and the keys that constrain each other twice more
/// often (their values are where the validation is).
fn deep_keys() -> Vec<String> {
    let mut keys = known_keys::<DeepConfig>();
    for _ in 0..2 {
        keys.extend(
            [
                "channels",
                "projector",
                "projector_scales",
                "batch",
                "data.count",
                "data.crop",
            ]
            .map(String::from),
        );
    }
    keys
}

/// Link and `--set` values: hostile texts, the lists and names these kinds take, near misses.
fn deep_value() -> BoxedStrategy<String> {
    let fixed: Vec<String> = [
        "[16,32,64]",
        "[4,8,16]",
        "[4,8]",
        "[32]",
        "[256]",
        "[1,0.001]",
        "[1,1]",
        "[0.001,1]",
        "[1,1,1]",
        "[0]",
        "[-1]",
        "[1.5]",
        "[1e400]",
        "[null]",
        "[1024,1024]",
        "[1025]",
        "[8,8,8,8,8,8,8]",
        "[1,2,3,4,5]",
        "[\"8\"]",
        "16,32,64",
        "barlow-twins",
        "simclr",
        "vicreg",
        "photos",
        "images",
        "cifar",
        "stl",
        "resnet",
        "small",
        "full",
        "small-standard",
        "standard",
        "table2",
        "resnet-bt-small",
        "96",
        "97",
        "2048",
        "60000",
        "60001",
        "0.999",
        "1000000",
    ]
    .map(String::from)
    .to_vec();
    prop_oneof![3 => hostile_text(), 2 => proptest::sample::select(fixed)].boxed()
}

/// JSON leaves: [`json_value`]'s and [`deep_value`]'s read as JSON (else as a string).
fn deep_json_value() -> BoxedStrategy<Value> {
    let parsed = deep_value().prop_map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)));
    prop_oneof![2 => json_value(), 1 => parsed].boxed()
}

// ---------------------------------------------------------------- share-link queries

#[test]
fn fuzz_deep_links() {
    let links = link_with::<DeepConfig>(routed_keys(), deep_value());
    run("deep links", 2500, links, |q| check_link::<DeepConfig>(&q));
}

#[test]
fn fuzz_methods_links() {
    let links = link_with::<MethodsConfig>(routed_keys(), deep_value());
    run("methods links", 2000, links, |q| {
        check_link::<MethodsConfig>(&q)
    });
}

// ---------------------------------------------------------------- JSON configurations

#[test]
fn fuzz_deep_json() {
    let texts = json_config_with::<DeepConfig>(deep_keys(), deep_json_value());
    run("deep json", 3000, texts, |t| {
        // the command line's reader of config files is the page's
        assert_eq!(
            DeepConfig::from_json(&t),
            query::from_json::<DeepConfig>(&t)
        );
        check_json::<DeepConfig>(&t, true)
    });
}

#[test]
fn fuzz_methods_json() {
    let keys = known_keys::<MethodsConfig>();
    let texts = json_config_with::<MethodsConfig>(keys, deep_json_value());
    run("methods json", 2000, texts, |t| {
        check_json::<MethodsConfig>(&t, true)
    });
}

// ---------------------------------------------------------------- --set overrides

/// A preset index and assignments, keys mostly from `keys`.
fn deep_sets<C: Config>(keys: Vec<String>) -> impl Strategy<Value = (usize, Vec<String>)> {
    (0..C::presets().len(), sets(keys, deep_value()))
}

#[test]
fn fuzz_deep_overrides() {
    run(
        "deep --set",
        3000,
        deep_sets::<DeepConfig>(deep_keys()),
        |(p, s)| check_overrides::<DeepConfig>(p, &s),
    );
}

#[test]
fn fuzz_methods_overrides() {
    run(
        "methods --set",
        2000,
        deep_sets::<MethodsConfig>(known_keys::<MethodsConfig>()),
        |(p, s)| check_overrides::<MethodsConfig>(p, &s),
    );
}

/// `stepwise compare methods PRESET --set …`: the family of a preset name (any deep preset,
/// or a hostile name), the same assignments on its three runs.
fn methods_cli() -> impl Strategy<Value = (String, Vec<String>)> {
    let mut names: Vec<String> = DEEP_PRESETS.iter().map(|p| p.name.to_string()).collect();
    names.extend(
        [
            "resnet-",
            "resnet-bt-",
            "resnet-btx",
            "resnet-bt-small-",
            "table2",
            "",
        ]
        .map(String::from),
    );
    let name = prop_oneof![4 => proptest::sample::select(names), 1 => hostile_text()];
    (name, sets(deep_keys(), deep_value()))
}

fn check_methods_cli(name: &str, set: &[String]) -> bool {
    let Some(family) = MethodsFamily::of_preset(name) else {
        // the command line refuses the name itself (a usage error)
        assert!(DEEP_PRESETS.iter().all(|p| p.name != name));
        return false;
    };
    match family.configs_with(set) {
        Ok(configs) => {
            check_comparable(&configs).expect("accepted runs are comparable");
            for cfg in &configs {
                assert_accepted(cfg);
            }
            let methods = MethodsConfig {
                family,
                ..MethodsConfig::default()
            };
            assert!(methods.validate().is_ok(), "{methods:?}");
            true
        }
        Err(e) => {
            assert_names_set_key::<DeepConfig>(&e, set);
            false
        }
    }
}

#[test]
fn fuzz_methods_cli_overrides() {
    run("compare methods --set", 2000, methods_cli(), |(n, s)| {
        check_methods_cli(&n, &s)
    });
}

// ---------------------------------------------------------------- what the runs above found

#[test]
fn a_bad_list_entry_names_its_list_and_the_rest_of_the_link_is_kept() {
    // the error named `channels[1]`, a key no link or `--set` can give: a link with it fell
    // back to the defaults whole, and the refusal named no key of the input
    let e = overrides::apply_all(DeepConfig::default(), &["projector=[1025]"]).unwrap_err();
    assert_eq!(e.key, "projector", "{e}");
    assert!(e.message.contains("projector[0] = 1025"), "{e}");
    let (cfg, notices) = config_from_query::<DeepConfig>("channels=[4,0]&lr=0.02");
    assert_eq!(cfg.lr, 0.02);
    assert_eq!(cfg.channels, DeepConfig::default().channels);
    assert_eq!(
        notices,
        ["channels = “[4,0]” is out of range (allowed 1 to 1024); using [16,32,64]"]
    );
    // a link's lists are JSON lists, and the notice for another spelling shows one
    let (_, notices) = config_from_query::<DeepConfig>("channels=4,8");
    assert_eq!(
        notices,
        ["channels = “4,8” is not a list of numbers like [4,2,1]; using [16,32,64]"]
    );
    let e = query::from_json::<DeepConfig>(r#"{"projector_scales": [1, 0]}"#).unwrap_err();
    assert_eq!(e.key, "projector_scales", "{e}");
}

#[test]
fn a_methods_key_names_itself_not_the_runs_key_it_sets() {
    let (cfg, notices) = config_from_query::<MethodsConfig>("data_seed=9007199254740992&steps=100");
    assert_eq!((cfg.data_seed, cfg.steps), (0, Some(100)));
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].starts_with("data_seed = “9007199254740992” is out of range"));
    let many = MethodsConfig {
        steps: Some(1_000_000),
        ..MethodsConfig::default()
    };
    let e = many.validate().unwrap_err();
    assert_eq!(e.key, "steps", "{e}");
    assert!(e.message.contains("record_every"), "{e}");
}

#[test]
fn the_command_lines_deep_config_files_name_the_key_at_fault() {
    // `stepwise run FILE.json` with `"experiment": "resnet"` named every error `config`
    let e = DeepConfig::from_json(r#"{"experiment": "resnet", "lr": "fast"}"#).unwrap_err();
    assert_eq!(e.key, "lr", "{e}");
    let e = DeepConfig::from_json(r#"{"data": {"count": 64, "count": 128}}"#).unwrap_err();
    assert_eq!(e.key, "data.count", "{e}");
    let e = DeepConfig::from_json(r#"{"data": {"cropp": 8}}"#).unwrap_err();
    assert_eq!(e.key, "data.cropp", "{e}");
}
