//! `stepwise run resnet-…` and `stepwise compare methods` end to end (docs/deep.md): the run
//! JSON's schema, CIFAR-10 files (good, truncated), and refusals with messages, never panics.

use std::path::PathBuf;

use serde_json::Value;

mod common;
use common::{assert_clean_failure, stepwise};

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A CIFAR-10 binary batch of `count` records (label byte, then 3072 pixel bytes).
fn cifar_bytes(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| {
            let label = (i % 10) as u8;
            std::iter::once(label).chain((0..3072).map(move |p| ((p * 7 + i * 13) % 251) as u8))
        })
        .collect()
}

fn run_json(args: &[&str], name: &str) -> Value {
    let json = out_dir(name).join("r.json");
    let mut all = args.to_vec();
    all.extend(["--out", json.to_str().unwrap()]);
    let out = stepwise(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

#[test]
fn a_small_run_writes_records_hidden_probe_and_rank() {
    let v = run_json(
        &["run", "resnet-bt-small", "--set", "steps=6"],
        "deep_small",
    );
    assert_eq!(v["config"]["experiment"], "resnet");
    let records = v["records"].as_array().unwrap();
    assert_eq!(records.last().unwrap()["step"], 6);
    assert_eq!(records[0]["eigenvalues"].as_array().unwrap().len(), 4);
    for key in ["hidden", "probe", "rank"] {
        assert_eq!(v[key].as_array().unwrap().len(), records.len(), "{key}");
    }
    let probe = v["probe"][0]["embedding"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&probe));
    assert_eq!(v["classes"].as_array().unwrap().len(), 6);
    assert_eq!(v["crossings"].as_array().unwrap().len(), 4);
}

#[test]
fn cifar_files_train_with_their_labels() {
    let file = out_dir("deep_cifar").join("data_batch_1.bin");
    std::fs::write(&file, cifar_bytes(160)).unwrap();
    let v = run_json(
        &[
            "run",
            "resnet-vicreg-small",
            "--cifar",
            file.to_str().unwrap(),
            "--set",
            "steps=3",
            "--set",
            "data.eval=64",
        ],
        "deep_cifar",
    );
    assert_eq!(v["config"]["data"]["source"], "cifar");
    assert_eq!(v["base_count"], 160);
    assert_eq!(v["local_images"], 160);
    assert_eq!(v["classes"][0], "airplane");
}

#[test]
fn a_truncated_cifar_file_is_a_message() {
    let file = out_dir("deep_cifar_bad").join("data_batch_2.bin");
    let mut bytes = cifar_bytes(100);
    bytes.truncate(3073 * 99 + 17);
    std::fs::write(&file, bytes).unwrap();
    let out = stepwise(&["run", "resnet-bt-small", "--cifar", file.to_str().unwrap()]);
    assert_clean_failure(&out, "data_batch_2.bin");
}

#[test]
fn absurd_settings_and_conflicting_sources_are_refused() {
    let out = stepwise(&["run", "resnet-bt-small", "--set", "channels=[4,100000]"]);
    assert_clean_failure(&out, "channels[1]");
    let out = stepwise(&["run", "resnet-bt-small", "--set", "lr=NaN"]);
    assert_clean_failure(&out, "lr");
    let out = stepwise(&["run", "resnet-bt-small", "--set", "data.source=\"cifar\""]);
    assert_clean_failure(&out, "--cifar");
    let out = stepwise(&["run", "resnet-bt-small", "--cifar", "a", "--stl", "b"]);
    assert_clean_failure(&out, "one data source");
    let out = stepwise(&["compare", "methods", "fig1"]);
    assert_clean_failure(&out, "fig1");
}

#[test]
fn compare_methods_writes_table_2_and_its_figure() {
    let dir = out_dir("methods");
    let (json, svg) = (dir.join("m.json"), dir.join("m.svg"));
    let out = stepwise(&[
        "compare",
        "methods",
        "resnet-simclr-small",
        "--set",
        "steps=3",
        "--out",
        json.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let alignment = v["alignment"].as_array().unwrap();
    assert_eq!(alignment.len(), 3);
    let svg = std::fs::read_to_string(svg).unwrap();
    let bt_simclr = alignment[0][1].as_f64().unwrap();
    assert!(
        svg.contains(&format!("{bt_simclr:.3}")),
        "the SVG writes BT–SimCLR"
    );
    let chance = v["chance"].as_f64().unwrap();
    assert!(
        svg.contains(&format!("chance {chance:.4}")),
        "the SVG states chance"
    );
}
