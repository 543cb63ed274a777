//! Validation of [`DeepConfig`]: absurd sizes, NaN and inconsistent keys are errors naming
//! the key.

use super::config::*;

fn key_of(edit: impl FnOnce(&mut DeepConfig)) -> String {
    let mut cfg = DeepConfig::default();
    edit(&mut cfg);
    cfg.validate().expect_err("should be refused").key
}

#[test]
fn absurd_values_name_their_key() {
    // an entry of a list names the list (the key a link or `--set` gives)
    assert_eq!(key_of(|c| c.channels[1] = 100_000), "channels");
    assert_eq!(key_of(|c| c.channels = vec![8; 40]), "channels");
    assert_eq!(key_of(|c| c.channels = vec![]), "channels");
    assert_eq!(key_of(|c| c.blocks = 0), "blocks");
    assert_eq!(key_of(|c| c.blocks = 1000), "blocks");
    assert_eq!(key_of(|c| c.projector[0] = 0), "projector");
    assert_eq!(key_of(|c| c.d = 0), "d");
    assert_eq!(key_of(|c| c.lr = f64::NAN), "lr");
    assert_eq!(key_of(|c| c.momentum = f64::INFINITY), "momentum");
    assert_eq!(
        key_of(|c| c.projector_scales[1] = f64::NAN),
        "projector_scales"
    );
    assert_eq!(
        key_of(|c| c.projector_scales = vec![1.0]),
        "projector_scales"
    );
    assert_eq!(key_of(|c| c.trunk_scale = 0.0), "trunk_scale");
    assert_eq!(key_of(|c| c.data.crop = 40), "data.base");
    assert_eq!(key_of(|c| c.data.eval = 1), "data.eval");
    assert_eq!(key_of(|c| c.batch = 5000), "batch");
    assert_eq!(key_of(|c| c.probe_ridge = f64::NAN), "probe_ridge");
}

#[test]
fn the_memory_budget_refuses_wide_networks_within_every_bound() {
    // every width is within MAX_CHANNELS, but the activations of 256 views at 96 px are not
    let err = DeepConfig {
        channels: vec![1024, 1024],
        data: DeepDataConfig {
            base: 96,
            crop: 96,
            ..DeepDataConfig::default()
        },
        ..DeepConfig::default()
    }
    .validate()
    .expect_err("over budget");
    assert_eq!(err.key, "channels");
    assert!(err.message.contains("MiB"), "{}", err.message);
    assert!(super::cost::memory_bytes(&DeepConfig::default()) < MEMORY_BUDGET_BYTES as u128);
}

#[test]
fn json_round_trips_and_rejects_unknown_keys() {
    let cfg = DeepConfig::default();
    let text = serde_json::to_string(&cfg).expect("serializes");
    assert!(text.contains("\"experiment\":\"resnet\""));
    assert_eq!(DeepConfig::from_json(&text).expect("parses"), cfg);
    let err = DeepConfig::from_json(r#"{"widht": 3}"#).expect_err("unknown key");
    assert!(err.message.contains("widht"), "{}", err.message);
}
