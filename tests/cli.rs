//! The `stepwise` binary end to end.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{assert_clean_failure, stepwise};

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn presets_are_listed() {
    let out = stepwise(&["presets"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["fig1", "small", "planted"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
    }
}

#[test]
fn run_writes_json_with_the_documented_schema_and_an_svg() {
    let dir = out_dir("cli_small");
    let (json, svg) = (dir.join("r.json"), dir.join("f.svg"));
    let out = stepwise(&[
        "run",
        "small",
        "--set",
        "d=3",
        "--set",
        "dataset.n=120",
        "--out",
        json.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
        "--export-data",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let cfg = &r["config"];
    assert_eq!(cfg["d"], 3);
    assert_eq!(cfg["dataset"]["n"], 120);
    assert_eq!(cfg["dataset"]["kind"], "photo-patches");
    let lr = cfg["lr"].as_f64().unwrap();
    let steps = cfg["steps"].as_u64().unwrap();
    assert!(lr > 0.0 && steps > 0);
    // the default solver: truncated, with its kept modes and error bound reported
    assert_eq!(r["backend"], "cpu-f32-truncated");
    assert!(
        r["truncation"]["bound"].as_f64().unwrap() <= 1e-6,
        "{}",
        r["truncation"]
    );
    let m = r["m"].as_u64().unwrap() as usize;
    assert_eq!(m, 108);

    let gamma: Vec<f64> = serde_json::from_value(r["gamma_top"].clone()).unwrap();
    assert!(gamma.len() >= 4);
    assert!(gamma.windows(2).all(|w| w[0] >= w[1]));
    // the automatic η is 0.4 / (4 γ₁)
    assert!((lr - 0.1 / gamma[0]).abs() < 1e-12 * lr.max(1.0));

    let records = r["records"].as_array().unwrap();
    let theory = r["theory"]["records"].as_array().unwrap();
    assert_eq!(records.len(), theory.len());
    assert_eq!(records.last().unwrap()["step"].as_u64().unwrap(), steps);
    for (rec, th) in records.iter().zip(theory) {
        assert_eq!(rec["t"], th["t"]);
        let t = rec["t"].as_f64().unwrap();
        let step = rec["step"].as_u64().unwrap();
        assert!((t - lr * step as f64).abs() < 1e-12);
        assert_eq!(rec["eigenvalues"].as_array().unwrap().len(), 3);
        assert!(rec["loss"].as_f64().unwrap().is_finite());
    }
    // starts near loss d, ends with every mode learned
    assert!((records[0]["loss"].as_f64().unwrap() - 3.0).abs() < 1e-3);
    assert!(records.last().unwrap()["loss"].as_f64().unwrap() < 0.1);
    assert_eq!(r["theory"]["s0"].as_array().unwrap().len(), 3);
    assert_eq!(r["theory"]["tau"].as_array().unwrap().len(), 3);

    let data = &r["data"];
    assert_eq!(data["x"].as_array().unwrap().len(), 120);
    assert_eq!(data["x_prime"][0].as_array().unwrap().len(), m);
    assert_eq!(data["w0"].as_array().unwrap().len(), 3);
    assert_eq!(data["w0"][2].as_array().unwrap().len(), m);

    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("eigenvalues"));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("max |λ_sim − λ_theory|"), "{summary}");
}

#[test]
fn json_to_stdout_is_pure_json() {
    let out = stepwise(&["run", "planted", "--set", "steps=50", "--out", "-"]);
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(r["config"]["dataset"]["kind"], "planted");
    assert!(r.get("data").is_none());
}

/// `stepwise run small --out - | head -c 100`: the reader goes away after 100 bytes and the
/// CLI ends quietly with status 0 (no panic). The JSON (~260 kB) is larger than a pipe's
/// buffer, so the CLI is still writing when the pipe closes.
#[test]
fn a_closed_stdout_pipe_ends_the_run_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["run", "small", "--out", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap(); // dropped: pipe closed
    assert!(head.starts_with(b"{\"config\""));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn config_files_are_read_and_bad_ones_rejected() {
    let dir = out_dir("cli_files");
    let good = dir.join("good.json");
    std::fs::write(&good, r#"{"dataset": {"kind": "planted", "n": 40, "dim": 10, "spectrum": [2, 1]}, "d": 2, "init_scale": 1e-4, "steps": 30}"#).unwrap();
    let out = stepwise(&["run", good.to_str().unwrap(), "--out", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["records"].as_array().unwrap().last().unwrap()["step"], 30);

    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"d": "<script>alert(1)</script>"}"#).unwrap();
    assert_clean_failure(&stepwise(&["run", bad.to_str().unwrap()]), "invalid");
}

#[test]
fn errors_are_messages_not_panics() {
    assert_clean_failure(&stepwise(&["run", "no-such-preset"]), "neither a preset");
    assert_clean_failure(&stepwise(&["run", "small", "--set", "d=0"]), "invalid `d`");
    assert_clean_failure(
        &stepwise(&["run", "small", "--set", "bogus=1"]),
        "unknown key",
    );
    assert_clean_failure(
        &stepwise(&["run", "planted", "--set", "lr=1", "--set", "steps=100"]),
        "diverged",
    );
    assert_clean_failure(
        &stepwise(&[
            "run",
            "small",
            "--set",
            "steps=10",
            "--out",
            "/nonexistent/dir/r.json",
        ]),
        "cannot write",
    );
}

#[test]
fn mlp_presets_run_on_cpu_and_gpu_with_the_same_schema() {
    let dir = out_dir("cli_mlp");
    let text = String::from_utf8_lossy(&stepwise(&["presets"]).stdout).to_string();
    for name in ["fig2-bt", "fig2-simclr", "fig2-vicreg", "mlp-small-bt"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
    }
    let mut finals = Vec::new();
    for gpu in [false, true] {
        let (json, svg) = (
            dir.join(format!("m{gpu}.json")),
            dir.join(format!("m{gpu}.svg")),
        );
        let mut args = vec![
            "run",
            "mlp-small-bt",
            "--set",
            "steps=60",
            "--out",
            json.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ];
        if gpu {
            args.push("--gpu");
        }
        let out = stepwise(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        for key in [
            "config",
            "backend",
            "m",
            "parameters",
            "data_digest",
            "records",
            "hidden",
        ] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
        // steps 0, 1, 2, 3, 4 (the early records below record_every = 5), 5, 10, …, 60
        assert_eq!(r["records"].as_array().unwrap().len(), 17);
        assert_eq!(r["hidden"][0]["eigenvalues"].as_array().unwrap().len(), 6);
        assert_eq!(r["theory"]["tau"].as_array().unwrap().len(), 3);
        assert!(r["ntk"]["alignment_chance"].as_f64().unwrap() > 0.0);
        let svg = std::fs::read_to_string(&svg).unwrap();
        assert!(svg.contains("hidden covariance eigenvalues"));
        finals.push(r["records"][12]["eigenvalues"][0].as_f64().unwrap());
    }
    assert!(
        (finals[0] - finals[1]).abs() < 1e-3,
        "cpu vs gpu: {finals:?}"
    );
    let bad = stepwise(&["run", "mlp-small-bt", "--set", "width=100000"]);
    assert_clean_failure(&bad, "width");
}

#[test]
fn compare_appg_writes_the_table_json_and_the_figure() {
    let dir = out_dir("cli_appg");
    let (json, svg) = (dir.join("appg.json"), dir.join("appg.svg"));
    let out = stepwise(&[
        "compare",
        "appg",
        "planted",
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
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in [
        "config",
        "backend",
        "m",
        "gamma_1",
        "eta_baseline",
        "steps",
        "stable",
    ] {
        assert!(r.get(key).is_some(), "no `{key}`");
    }
    assert_eq!(r["config"]["experiment"], "appg");
    assert_eq!(r["config"]["run"]["dataset"]["kind"], "planted");
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    for row in rows {
        for key in [
            "variant",
            "policy",
            "eta",
            "steps",
            "steps_to_all",
            "t_to_all",
            "speedup",
            "final_loss",
            "final_eigenvalues",
            "diverged",
            "failure",
            "records",
        ] {
            assert!(row.get(key).is_some(), "a row lacks `{key}`: {row}");
        }
        // the table without --curves
        assert!(row["records"].as_array().unwrap().is_empty());
        if row["variant"] == "baseline" {
            assert_eq!(row["speedup"].as_f64(), Some(1.0), "{row}");
        }
    }
    let policies: Vec<&str> = rows.iter().filter_map(|x| x["policy"].as_str()).collect();
    assert_eq!(policies.iter().filter(|p| **p == "equal").count(), 5);
    assert_eq!(policies.iter().filter(|p| **p == "stable").count(), 5);
    assert_eq!(r["stable"].as_array().unwrap().len(), 5);
    let figure = std::fs::read_to_string(&svg).unwrap();
    assert!(figure.starts_with("<svg") && figure.contains("precondition"));
    // the table goes to stdout
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("speedup") && table.contains("stable eta sharp"),
        "{table}"
    );
}

#[test]
fn compare_fails_cleanly() {
    assert_clean_failure(&stepwise(&["compare", "nope"]), "unknown comparison `nope`");
    let bad = stepwise(&["compare", "appg", "planted", "--set", "a=-1"]);
    assert_clean_failure(&bad, "`a`");
    let unknown = stepwise(&["compare", "appg", "planted", "--set", "bogus=1"]);
    assert_clean_failure(&unknown, "bogus");
    let deep = stepwise(&["compare", "appg", "planted", "--set", "run.d=1000"]);
    assert_clean_failure(&deep, "run.d");
}
