//! The generic query/preset module (src/experiment/query.rs) over every configuration kind:
//! round trips of every preset, notices, typed errors naming the key, shortest share queries.

use serde_json::{json, Value};
use stepwise::experiment::appg::{AppgConfig, AppgModel};
use stepwise::experiment::mlp::{MlpConfig, MLP_PRESETS};
use stepwise::experiment::query::{self, Described, WHOLE_CONFIG};
use stepwise::experiment::{overrides, Config, RunConfig, Solver, PRESETS};

fn value<C: Config>(cfg: &C) -> Value {
    serde_json::to_value(cfg).unwrap()
}

/// Every preset survives its compact query, its full query, its JSON text and its JSON value.
fn presets_round_trip<C: Config + std::fmt::Debug>() -> usize {
    let presets = C::presets();
    for (name, cfg) in &presets {
        let compact = query::compact(cfg);
        assert_eq!(compact, format!("preset={name}"), "{name}");
        for q in [compact, query::full(cfg)] {
            let parsed = query::parse::<C>(&q);
            assert!(parsed.notices.is_empty(), "{name}: {:?}", parsed.notices);
            assert_eq!(parsed.config, value(cfg), "{name} from {q}");
            let (back, notices) = query::from_source::<C>(&q).unwrap();
            assert_eq!(&back, cfg, "{name} from {q}");
            assert!(notices.is_empty());
        }
        let text = serde_json::to_string(cfg).unwrap();
        let (back, notices) = query::from_source::<C>(&text).unwrap();
        assert_eq!(&back, cfg, "{name} from JSON");
        assert!(notices.is_empty());
        assert_eq!(&query::from_value::<C>(value(cfg)).unwrap(), cfg, "{name}");
        assert_eq!(query::problem::<C>(&value(cfg)), None, "{name}");
    }
    presets.len()
}

#[test]
fn every_preset_of_every_kind_round_trips() {
    assert_eq!(presets_round_trip::<RunConfig>(), PRESETS.len());
    assert_eq!(presets_round_trip::<MlpConfig>(), MLP_PRESETS.len());
    // cell 7: the linear presets, then two Barlow Twins MLP presets
    assert_eq!(presets_round_trip::<AppgConfig>(), PRESETS.len() + 2);
}

#[test]
fn described_presets_are_the_menus_of_today() {
    let linear = query::described_presets::<RunConfig>();
    assert_eq!(linear.len(), PRESETS.len());
    for (d, p) in linear.iter().zip(PRESETS) {
        assert_eq!((d.name, d.description), (p.name, p.description));
        assert_eq!(d.config, value(&(p.config)()));
    }
    let mlp = query::described_presets::<MlpConfig>();
    let names: Vec<_> = mlp.iter().map(|p| p.name).collect();
    let expected: Vec<_> = MLP_PRESETS.iter().map(|p| p.name).collect();
    assert_eq!(names, expected);
    assert_eq!(mlp[0].config, value(&MlpConfig::default()));
    // cell 7 lists the linear presets (their descriptions) with its own defaults around them
    let appg = query::described_presets::<AppgConfig>();
    assert_eq!(appg.len(), PRESETS.len());
    for (d, p) in appg.iter().zip(PRESETS) {
        assert_eq!((d.name, d.description), (p.name, p.description));
        let cfg: AppgConfig = query::from_value(d.config.clone()).unwrap();
        assert_eq!(cfg.model, AppgModel::Linear);
        // on the eigenbasis solver: the truncated one's bound is for plain Barlow Twins
        let run = RunConfig {
            solver: Solver::Eigenbasis,
            ..(p.config)()
        };
        assert_eq!(cfg.run, run);
    }
    // the menus serialize as the page reads them: name, description, config
    let text = serde_json::to_value(&linear[0]).unwrap();
    assert_eq!(text["name"], "fig1");
    assert_eq!(text["config"]["d"], json!(RunConfig::default().d));
}

#[test]
fn every_kind_lists_only_presets_it_has() {
    fn listed_exist<C: Described>() {
        let names: Vec<_> = C::presets().into_iter().map(|(n, _)| n).collect();
        for (name, _) in C::descriptions() {
            assert!(names.contains(&name), "{name}");
        }
    }
    listed_exist::<RunConfig>();
    listed_exist::<MlpConfig>();
    listed_exist::<AppgConfig>();
}

fn unknown_key_is_a_notice<C: Config>() {
    let parsed = query::parse::<C>("bogus=1&preset=nope");
    assert_eq!(parsed.config, value(&C::default()));
    assert_eq!(parsed.notices.len(), 2, "{:?}", parsed.notices);
    assert!(parsed.notices[0].starts_with("preset = “nope” is not one of "));
    assert_eq!(
        parsed.notices[1],
        "“bogus” is not a setting of this cell; ignored it"
    );
}

#[test]
fn unknown_keys_and_presets_become_notices_in_every_kind() {
    unknown_key_is_a_notice::<RunConfig>();
    unknown_key_is_a_notice::<MlpConfig>();
    unknown_key_is_a_notice::<AppgConfig>();
}

#[test]
fn bad_values_in_a_link_keep_the_value_used_and_say_so() {
    let parsed = query::parse::<RunConfig>("preset=small&d=abc&dataset.n=7");
    let small = value(&RunConfig::preset("small").unwrap());
    assert_eq!(parsed.config["d"], small["d"]);
    assert_eq!(parsed.config["dataset"]["n"], json!(7));
    assert_eq!(
        parsed.notices,
        vec![format!("d = “abc” is not a number; using {}", small["d"])]
    );
    let (cfg, notices) = query::from_source::<MlpConfig>("width=0").unwrap();
    assert_eq!(cfg, MlpConfig::default());
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].starts_with("width = “0” is out of range"),
        "{notices:?}"
    );
}

fn key_of<C: Config + std::fmt::Debug>(text: &str) -> String {
    let err = query::from_json::<C>(text).unwrap_err();
    assert!(err.to_string().contains(&format!("`{}`", err.key)), "{err}");
    err.key
}

#[test]
fn json_errors_name_the_key() {
    // wrong types and unknown keys, nested: the dotted key, not the whole config
    assert_eq!(
        key_of::<RunConfig>(r#"{"dataset": {"n": "abc"}}"#),
        "dataset.n"
    );
    assert_eq!(key_of::<RunConfig>(r#"{"d": 4, "bogus": 1}"#), "bogus");
    assert_eq!(
        key_of::<RunConfig>(r#"{"dataset": {"bogus": 1}}"#),
        "dataset.bogus"
    );
    assert_eq!(key_of::<MlpConfig>(r#"{"loss": "nope"}"#), "loss");
    assert_eq!(
        key_of::<AppgConfig>(r#"{"mlp": {"width": -3}}"#),
        "mlp.width"
    );
    // out of range: the validator's key
    assert_eq!(key_of::<RunConfig>(r#"{"d": 0}"#), "d");
    assert_eq!(key_of::<AppgConfig>(r#"{"run": {"d": 0}}"#), "run.d");
    assert_eq!(key_of::<AppgConfig>(r#"{"threshold": 2}"#), "threshold");
    // no single key at fault
    assert_eq!(key_of::<RunConfig>("{\"d\": "), WHOLE_CONFIG);
    assert_eq!(
        query::from_value::<MlpConfig>(json!([1, 2]))
            .unwrap_err()
            .key,
        WHOLE_CONFIG
    );
    // a JSON source is rejected, a query source never is
    assert_eq!(
        query::from_source::<RunConfig>(r#" {"d": 0}"#)
            .unwrap_err()
            .key,
        "d"
    );
    assert!(query::from_source::<RunConfig>("d=0").is_ok());
}

#[test]
fn absent_json_keys_take_the_kinds_defaults() {
    let run: RunConfig = query::from_json(r#"{"d": 3}"#).unwrap();
    assert_eq!(run, overrides::apply(&RunConfig::default(), "d=3").unwrap());
    let appg: AppgConfig = query::from_json("{}").unwrap();
    assert_eq!(appg, AppgConfig::default());
    // the generic parser agrees with each kind's own
    let text = r#"{"width": 64, "dataset": {"n": 40}}"#;
    assert_eq!(
        query::from_json::<MlpConfig>(text).unwrap(),
        MlpConfig::from_json(text).unwrap()
    );
}

#[test]
fn problem_and_check_agree() {
    let bad = json!({"d": 0});
    let problem = query::problem::<RunConfig>(&bad).unwrap();
    assert!(
        problem.starts_with("invalid `d`: 0 is out of range"),
        "{problem}"
    );
    let checked = query::check::<RunConfig>(&bad);
    assert_eq!(checked.problem, Some(problem));
    assert_eq!(checked.query, None);
    let good = json!({"d": 3});
    let checked = query::check::<RunConfig>(&good);
    assert_eq!(checked.problem, None);
    assert_eq!(checked.query.as_deref(), Some("preset=fig1&d=3"));
}

/// Every one-key edit of every preset: the compact query is `preset=<name>` plus that one key
/// (or a closer preset with at most as many keys), and it reproduces the edit.
fn compact_is_shortest<C: Config + std::fmt::Debug>(edits: &[&str]) {
    for (name, base) in C::presets() {
        for edit in edits {
            let Ok(cfg) = overrides::apply(&base, edit) else {
                continue;
            };
            let q = query::compact(&cfg);
            let params = q.split('&').count();
            let expected = if cfg == base { 1 } else { 2 };
            assert!(params <= expected, "{name} + {edit}: {q}");
            assert!(q.len() < query::full(&cfg).len(), "{name} + {edit}: {q}");
            let (back, notices) = query::from_source::<C>(&q).unwrap();
            assert_eq!(back, cfg, "{name} + {edit}: {q}");
            assert!(notices.is_empty(), "{notices:?}");
        }
    }
}

#[test]
fn compact_queries_omit_what_the_preset_gives() {
    compact_is_shortest::<RunConfig>(&["d=3", "seed=9", "lr=0.001", "steps=77"]);
    compact_is_shortest::<MlpConfig>(&["width=64", "seed=9", "d=3"]);
    compact_is_shortest::<AppgConfig>(&["a=0.2", "threshold=0.3", "run.d=3", "mlp.seed=4"]);
    assert_eq!(query::compact(&RunConfig::default()), "preset=fig1");
    assert_eq!(query::compact(&MlpConfig::default()), "preset=fig2-bt");
    let small = RunConfig::preset("small").unwrap();
    let edited = overrides::apply(&small, "seed=5").unwrap();
    assert_eq!(query::compact(&edited), "preset=small&seed=5");
}

#[test]
fn a_kind_chosen_at_run_time_dispatches_to_its_config() {
    use stepwise::experiment::query::ConfigKind;
    let kinds: Vec<ConfigKind> = serde_json::from_str(r#"["linear", "mlp", "appg"]"#).unwrap();
    assert_eq!(
        kinds,
        [ConfigKind::Linear, ConfigKind::Mlp, ConfigKind::Appg]
    );
    assert_eq!(
        ConfigKind::Mlp.parse("width=64"),
        query::parse::<MlpConfig>("width=64")
    );
    assert_eq!(ConfigKind::Mlp.parse("width=64").config["width"], json!(64));
    assert_eq!(
        ConfigKind::Appg.check(&json!({"a": 0.2})).query.as_deref(),
        Some("preset=fig1&a=0.2")
    );
    assert_eq!(
        ConfigKind::Linear.check(&json!({"width": 64})).problem,
        query::problem::<RunConfig>(&json!({"width": 64}))
    );
    assert!(ConfigKind::Linear
        .check(&json!({"width": 64}))
        .problem
        .is_some());
    let counts: Vec<usize> = kinds.iter().map(|k| k.presets().len()).collect();
    assert_eq!(counts, [PRESETS.len(), MLP_PRESETS.len(), PRESETS.len()]);
}
