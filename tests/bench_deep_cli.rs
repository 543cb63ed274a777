//! `stepwise bench deep` end to end on the CPU-sized preset (2 timed steps): the JSON rows
//! and their derived numbers, and an unknown preset as a message. Timings are not asserted
//! beyond being positive (a benchmark, not a timed test).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[test]
fn bench_deep_times_the_small_preset_on_the_cpu() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench_deep_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("deep.json");
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args([
            "bench",
            "deep",
            "--preset",
            "resnet-bt-small",
            "--steps",
            "2",
        ])
        .args(["--out", out.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run stepwise bench deep");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stepwise bench deep failed: {stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("GFLOP/s") && stdout.contains("cpu-f32"),
        "{stdout}"
    );
    let rows: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["preset"], "resnet-bt-small");
    assert_eq!(row["backend"], "cpu-f32");
    assert_eq!(row["steps"], 2);
    // batch 64 → 128 views per step
    assert_eq!(row["views"], 128);
    assert!(row["flops_per_view"].as_u64().unwrap() > 0);
    assert!(row["seconds"].as_f64().unwrap() > 0.0);
    assert!(row["max_param_gap"].is_null());
}

#[test]
fn bench_deep_names_an_unknown_preset() {
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args([
            "bench",
            "deep",
            "--preset",
            "resnet-nothing",
            "--steps",
            "1",
        ])
        .output()
        .expect("run stepwise bench deep");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("resnet-nothing") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
