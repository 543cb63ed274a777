//! Share links restore the exact configuration; hostile links give notices and defaults.

use stepwise::experiment::share::{config_from_query, config_to_query, parse_query};
use stepwise::experiment::{overrides, preset, RunConfig, PRESETS};

#[test]
fn every_preset_round_trips_exactly() {
    for p in PRESETS {
        let cfg = (p.config)();
        let q = config_to_query(&cfg);
        let (back, notices) = config_from_query::<RunConfig>(&format!("?{q}"));
        assert!(notices.is_empty(), "{}: {notices:?}", p.name);
        assert_eq!(back, cfg, "{}: {q}", p.name);
    }
}

#[test]
fn edited_configs_round_trip_including_lists_and_floats() {
    let cfg = overrides::apply_all(
        preset("planted").unwrap(),
        &[
            "dataset.spectrum=[2.5, 1e-3, -0.25]",
            "lr=0.0123456789012345",
            "init_scale=3.3e-8",
            "dataset.seed=9007199254740991",
            "steps=777",
        ],
    )
    .unwrap();
    let (back, notices) = config_from_query::<RunConfig>(&config_to_query(&cfg));
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, cfg);
}

#[test]
fn presets_and_keys_combine() {
    let (cfg, notices) =
        config_from_query::<RunConfig>("?preset=small&d=2&log_time=true&embed=stepwise");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(cfg.d, 2);
    assert_eq!(cfg.dataset.crop, preset("small").unwrap().dataset.crop);
}

#[test]
fn hostile_values_become_notices_and_defaults() {
    let q = "?d=%3Cscript%3Ealert(1)%3C/script%3E&dataset.n=-5&lr=NaN&init_scale=1e999\
             &steps=99999999999&dataset.kind=%22%3Cimg%20src=x%20onerror=alert(1)%3E%22\
             &__proto__=1&preset=nope&dataset.crop=%zz";
    let (cfg, notices) = config_from_query::<RunConfig>(q);
    assert_eq!(cfg, RunConfig::default());
    // one notice per bad parameter (the unknown preset included)
    assert_eq!(notices.len(), 9, "{notices:#?}");
    for n in &notices {
        assert!(n.chars().count() < 320, "notice too long: {n}");
    }
    assert!(notices.iter().any(|n| n.contains("`d`")));
    assert!(notices.iter().any(|n| n.contains("unknown preset")));
}

#[test]
fn long_and_numerous_parameters_are_bounded() {
    let long = "x".repeat(10_000);
    let (_, notices) = config_from_query::<RunConfig>(&format!("?d={long}"));
    assert_eq!(notices.len(), 1);
    assert!(notices[0].len() < 400);
    let many: Vec<String> = (0..200).map(|i| format!("k{i}=1")).collect();
    let (cfg, notices) = config_from_query::<RunConfig>(&many.join("&"));
    assert_eq!(cfg, RunConfig::default());
    assert_eq!(notices.len(), 65, "one for the cap, one per read parameter");
}

#[test]
fn query_parsing_decodes_percent_and_plus() {
    let p = parse_query("?a=1+2&b=%41%42&c&d=%4");
    assert_eq!(p[0], ("a".into(), "1 2".into()));
    assert_eq!(p[1], ("b".into(), "AB".into()));
    assert_eq!(p[2], ("c".into(), "".into()));
    assert_eq!(p[3], ("d".into(), "%4".into()));
}

#[test]
fn related_keys_can_come_in_any_order() {
    let (cfg, notices) = config_from_query::<RunConfig>("?dataset.base=12&dataset.crop=6");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!((cfg.dataset.base, cfg.dataset.crop), (12, 6));
    let cfg = overrides::apply_all(RunConfig::default(), &["dataset.base=12", "dataset.crop=6"]);
    assert!(cfg.is_ok());
    // an out-of-range key is reset alone, the valid ones stay
    let (cfg, notices) = config_from_query::<RunConfig>("?d=3&dataset.n=100000");
    assert_eq!(cfg.d, 3);
    assert_eq!(cfg.dataset.n, RunConfig::default().dataset.n);
    assert_eq!(notices.len(), 1, "{notices:?}");
}

#[test]
fn comparison_links_round_trip_and_hostile_ones_give_notices() {
    use stepwise::experiment::appg::{AppgConfig, EtaPolicy};
    use stepwise::experiment::share::compact_query;
    use stepwise::experiment::Config;
    let mut cfg = AppgConfig::preset("small").unwrap();
    cfg.a = 0.5;
    cfg.variants.sharp = false;
    cfg.eta = EtaPolicy::Equal;
    cfg.run.steps = Some(1500);
    let q = compact_query(&cfg);
    assert_eq!(
        q,
        "preset=small&a=0.5&eta=equal&run.steps=1500&variants.sharp=false"
    );
    let (back, notices) = config_from_query::<AppgConfig>(&q);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, cfg);
    let full = config_to_query(&cfg);
    assert_eq!(config_from_query::<AppgConfig>(&full).0, cfg);

    let hostile = "?preset=planted&a=%3Cscript%3Ealert(1)%3C/script%3E&run.d=1e9\
                   &eta=%3Cimg%20src=x%3E&variants.sharp=maybe&finder.bisections=99&bogus=1";
    let (cfg, notices) = config_from_query::<AppgConfig>(hostile);
    assert_eq!(cfg, AppgConfig::preset("planted").unwrap());
    assert_eq!(notices.len(), 6, "{notices:#?}");
    assert!(notices.iter().any(|n| n.contains("`a` = `<script>")));
    assert!(notices.iter().any(|n| n.contains("`run.d` = `1e9`")));
}
