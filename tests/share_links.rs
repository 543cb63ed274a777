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
    assert!(notices
        .iter()
        .any(|n| n == "d = “<script>alert(1)</script>” is not a number; using 10"));
    assert!(notices
        .iter()
        .any(|n| n == "dataset.n = “-5” is not a whole number (0, 1, 2, …); using 500"));
    assert!(
        notices.iter().any(
            |n| n == "steps = “99999999999” is out of range (allowed 1 to 2000000); using auto"
        ),
        "{notices:#?}"
    );
    assert!(notices.iter().any(|n| n.starts_with("dataset.kind = “\"<img src=x onerror=alert(1)>\"” is not one of photo-patches, planted; using photo-patches")), "{notices:#?}");
    assert!(notices
        .iter()
        .any(|n| n == "“__proto__” is not a setting of this cell; ignored it"));
    assert!(notices
        .iter()
        .any(|n| n.starts_with("preset = “nope” is not one of fig1")));
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

/// A key given twice: the last value is read (the first for `preset`), whatever the others
/// were, and a notice names the key; a bad last value falls back to the preset's value, not
/// to an earlier one.
#[test]
fn repeated_keys_read_one_value_and_say_so() {
    let (cfg, notices) =
        config_from_query::<RunConfig>("?preset=planted&preset=fig1&d=3&d=2&seed=7&seed=x");
    let planted = preset("planted").unwrap();
    assert_eq!(cfg.d, 2);
    assert_eq!(cfg.seed, planted.seed, "a bad last seed keeps the preset's");
    assert_eq!(notices.len(), 4, "{notices:#?}");
    assert!(notices.contains(&"“preset” is given 2 times; read only the first (“planted”)".into()));
    assert!(notices.contains(&"“d” is given 2 times; read only the last (“2”)".into()));
    assert!(notices.contains(&"“seed” is given 2 times; read only the last (“x”)".into()));
    assert!(
        notices.iter().any(|n| n.starts_with("seed = “x”")),
        "{notices:#?}"
    );
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
    assert!(notices.iter().any(|n| n.starts_with("a = “<script>")));
    assert!(notices
        .iter()
        .any(|n| n.starts_with("run.d = “1e9” is too large; using ")));
}

#[test]
fn a_bad_value_is_named_in_plain_words_with_the_value_used() {
    let (cfg, notices) =
        config_from_query::<RunConfig>("?d=abc&log_time=true&solver=fast&dataset.center=yes");
    assert_eq!(cfg, RunConfig::default());
    assert_eq!(
        notices,
        [
            "d = “abc” is not a number; using 10",
            "solver = “fast” is not one of eigenbasis, literal, truncated; using truncated",
            "dataset.center = “yes” is not true or false; using true",
        ]
    );
    let (_, notices) = config_from_query::<RunConfig>("?d=2.5");
    assert_eq!(
        notices,
        ["d = “2.5” is not a whole number (0, 1, 2, …); using 10"]
    );
    let (_, notices) = config_from_query::<RunConfig>("?d=-0");
    assert_eq!(
        notices,
        ["d = “-0” is not a whole number (0, 1, 2, …); using 10"]
    );
    let (_, notices) = config_from_query::<RunConfig>("?d=500");
    assert_eq!(
        notices,
        ["d = “500” is out of range (allowed 1 to 64); using 10"]
    );
}

/// `cfg` with the dataset fields its kind ignores set to the defaults': the same run.
fn same_run(cfg: &RunConfig) -> RunConfig {
    let mut out = cfg.clone();
    for f in cfg.dataset.kind.unused_fields() {
        let v = overrides::value_of(&RunConfig::default(), &format!("dataset.{f}")).unwrap();
        out = overrides::apply_unchecked(&out, &format!("dataset.{f}={v}")).unwrap();
    }
    out
}

#[test]
fn minimal_links_reproduce_every_preset_and_random_edits() {
    use stepwise::experiment::share::compact_query;
    for p in PRESETS {
        let cfg = (p.config)();
        let q = compact_query(&cfg);
        assert_eq!(
            q,
            format!("preset={}", p.name),
            "a preset's link is its name alone"
        );
        let (back, notices) = config_from_query::<RunConfig>(&q);
        assert!(notices.is_empty(), "{}: {notices:?}", p.name);
        assert_eq!(back, cfg);
    }
    // a deterministic pseudo-random walk of edits from every preset
    let edits: [&[&str]; 6] = [
        &["d=4", "d=7", "d=12"],
        &["seed=1", "seed=99", "seed=12345"],
        &["dataset.n=300", "dataset.n=64"],
        &["lr=0.02", "lr=auto", "steps=900", "steps=auto"],
        &[
            "solver=literal",
            "solver=truncated",
            "theory_time=flow",
            "record_every=7",
        ],
        &[
            "dataset.kind=planted",
            "dataset.kind=photo-patches",
            "dataset.noise=0.1",
            "dataset.spectrum=[3,1]",
            "dataset.crop=8",
        ],
    ];
    let mut state = 0x2545f491u64;
    for p in PRESETS {
        let mut cfg = (p.config)();
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let group = edits[(state % 6) as usize];
            let edit = group[((state >> 8) % group.len() as u64) as usize];
            let Ok(next) = overrides::apply(&cfg, edit) else {
                continue;
            };
            cfg = next;
            let q = compact_query(&cfg);
            let (back, notices) = config_from_query::<RunConfig>(&q);
            assert!(notices.is_empty(), "{q}: {notices:?}");
            assert_eq!(same_run(&back), same_run(&cfg), "{q}");
            assert!(q.len() <= config_to_query(&cfg).len());
        }
    }
}

#[test]
fn a_photo_runs_link_has_no_planted_keys() {
    use stepwise::experiment::share::compact_query;
    let cfg = overrides::apply_all(
        preset("planted").unwrap(),
        &[
            "dataset.kind=photo-patches",
            "dataset.crop=8",
            "dataset.base=16",
            "d=5",
        ],
    )
    .unwrap();
    let q = compact_query(&cfg);
    for key in ["dataset.dim", "dataset.spectrum", "dataset.noise"] {
        assert!(!q.contains(key), "{q}");
    }
    let (back, _) = config_from_query::<RunConfig>(&q);
    assert_eq!(same_run(&back), same_run(&cfg));
    println!(
        "default link {} chars (full {}), edited photo link: {q}",
        compact_query(&RunConfig::default()).len(),
        config_to_query(&RunConfig::default()).len()
    );
}
