//! `stepwise bench mlp --gpu` end to end on the small preset (3 timed steps) on lavapipe: the
//! JSON rows, the GPU row's dispatches per step and per-kernel profile, and an unknown preset
//! as a message. Timings are not asserted beyond being positive (a benchmark, not a timed
//! test).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[test]
fn bench_mlp_times_the_small_preset_on_cpu_and_gpu() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench_mlp_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("mlp.json");
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["bench", "mlp", "--gpu", "--preset", "mlp-small-bt"])
        .args(["--steps", "3", "--out", out.to_str().unwrap()])
        .output()
        .expect("run stepwise bench mlp");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stepwise bench mlp failed: {stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("time per kernel"), "{stdout}");
    let rows: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (cpu, gpu) = (&rows[0], &rows[1]);
    assert_eq!(cpu["backend"], "cpu-f32");
    assert!(cpu["dispatches_per_step"].is_null() && cpu["profile"].is_null());
    for row in rows {
        assert_eq!(row["preset"], "mlp-small-bt");
        assert_eq!(row["steps"], 3);
        assert!(row["seconds"].as_f64().unwrap() > 0.0);
    }
    // Barlow Twins without momentum: Z+relu, F, dL/dF, Δ, W2 step, W1 step
    assert_eq!(gpu["dispatches_per_step"], 6.0);
    assert!(gpu["embedding_gap"].as_f64().unwrap() < 1e-3, "{gpu}");
    let kernels = gpu["profile"]["kernels"].as_array().unwrap();
    let dispatches: f64 = kernels
        .iter()
        .map(|k| k["dispatches"].as_f64().unwrap())
        .sum();
    assert_eq!(dispatches, 6.0, "{kernels:?}");
    assert!(kernels.iter().all(|k| k["seconds"].as_f64().unwrap() > 0.0));
}

#[test]
fn bench_mlp_names_an_unknown_preset() {
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["bench", "mlp", "--preset", "mlp-nothing", "--steps", "1"])
        .output()
        .expect("run stepwise bench mlp");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("mlp-nothing") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
