//! `stepwise bench fig1` end to end on a tiny run: it exports the data, runs the NumPy
//! reference (bench/reference_linear.py: needs python3 with NumPy, which scripts/setup
//! installs) in float32 and float64, times our solvers and compares the trajectories.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[test]
fn bench_runs_the_numpy_reference_and_our_solvers_agree_with_it() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("bench.json");
    let sets = ["init_scale=1e-3", "steps=200"];
    let mut args = vec!["bench", "fig1", "--config", "small", "--repeat", "1"];
    args.extend(["--reference-repeat", "1", "--out", out.to_str().unwrap()]);
    args.extend(sets.iter().flat_map(|s| ["--set", s]));
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run stepwise bench");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stepwise bench failed: {stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("numpy-f32 literal"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let rows = report["rows"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].starts_with("numpy-f32 literal"), "{names:?}");
    assert!(names[1].contains("truncated") && names[2].contains("eigenbasis"));
    for row in rows {
        assert!(row["totals"][0].as_f64().unwrap() > 0.0);
        assert!(row["steps_s"].as_f64().unwrap() > 0.0);
        // α = 1e-3: no mode at the f32 rounding floor, so float32 and float64 agree too
        for key in ["gap_f32", "gap_f64"] {
            let gap = row[key].as_f64().unwrap();
            assert!(gap < 1e-3, "{}: {key} = {gap:.2e}", row["name"]);
        }
    }
    assert!(rows[1]["truncation"]["kept"].as_u64().unwrap() >= 5);
}

#[test]
fn bench_reports_a_missing_reference_cleanly() {
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["bench", "fig1", "--config", "planted", "--repeat", "1"])
        .args(["--reference", "bench/no-such-script.py"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run stepwise bench");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("failed") && !stderr.contains("panicked"),
        "{stderr}"
    );
    let run = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["bench", "nothing"])
        .output()
        .expect("run stepwise bench");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown benchmark"));
}
