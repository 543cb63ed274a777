//! `stepwise export-python` and its library half: the exported NumPy script, run by python3,
//! reproduces the CPU run of the same configuration in the schema of `stepwise run --out`.

use std::path::{Path, PathBuf};
use std::process::Command;

use stepwise::data::local::photo_from_rgba;
use stepwise::data::photos::Photo;
use stepwise::experiment::python_export::{python_bundle, SCRIPT_NAME};
use stepwise::experiment::{
    assemble, overrides, prepare, prepare_with_photos, preset, run_cpu, LinearRun, Prepared,
    Record, RunConfig, RunResult,
};

mod common;
use common::{assert_clean_failure, stepwise};

/// Largest |Δλ| allowed between the script's eigenbasis descent and ours.
const EIGEN_TOL: f64 = 1e-3;

fn dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether python3 with NumPy can run here (CI installs python3-numpy: then it must).
fn have_numpy() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    // scripts/test installs NumPy and sets this: there the script must run
    let required = std::env::var_os("STEPWISE_REQUIRE_NUMPY").is_some();
    assert!(
        ok || !required,
        "python3 with NumPy is not available (STEPWISE_REQUIRE_NUMPY is set)"
    );
    if !ok {
        eprintln!("SKIPPED: python3 with NumPy is not available, the exported script is not run");
    }
    ok
}

fn config(name: &str, sets: &[&str]) -> RunConfig {
    overrides::apply_all(preset(name).unwrap(), sets).unwrap()
}

/// Largest |λ_a − λ_b| over paired records.
fn max_gap(a: &[Record], b: &[Record]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.eigenvalues.iter().zip(&y.eigenvalues))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

/// Runs the script in `folder` with `args`; its result JSON parsed in our own schema.
fn run_script(folder: &Path, args: &[&str]) -> RunResult {
    let out = folder.join("result.json");
    let run = Command::new("python3")
        .arg(folder.join(SCRIPT_NAME))
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "the script failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Exports `cfg`, runs the script and checks it against `run_cpu` of the same configuration.
fn check_reproduces(name: &str, cfg: &RunConfig) -> f64 {
    check_against(name, &prepare(cfg).unwrap(), &run_cpu(cfg, false).unwrap())
}

/// Exports `prep`, runs the script and checks it against `ours`, the CPU run of `prep`.
fn check_against(name: &str, prep: &Prepared, ours: &RunResult) -> f64 {
    let folder = dir(name);
    for f in python_bundle(prep).unwrap() {
        std::fs::write(folder.join(f.name), &f.bytes).unwrap();
    }
    let py = run_script(&folder, &[]);
    assert_eq!(py.backend, "numpy-f32-eigenbasis");
    assert_eq!(py.config, ours.config);
    assert_eq!((py.m, &py.data_digest), (ours.m, &ours.data_digest));
    assert_eq!(py.local_images, ours.local_images);
    // steps exactly; t = η·step to the last bit or so (serde_json parses floats to ±1 ulp)
    let steps = |r: &RunResult| -> Vec<u64> { r.records.iter().map(|x| x.step).collect() };
    assert_eq!(steps(&py), steps(ours), "the step grids differ");
    for (a, b) in py.records.iter().zip(&ours.records) {
        assert!(
            (a.t - b.t).abs() <= 1e-14 * b.t.abs(),
            "t: {} vs {}",
            a.t,
            b.t
        );
    }
    // the truncated solver lists only the modes it kept
    assert!(py.gamma_top.len() >= ours.gamma_top.len());
    for (a, b) in py.gamma_top.iter().zip(&ours.gamma_top) {
        assert!((a - b).abs() <= 1e-9 * ours.gamma_top[0], "γ: {a} vs {b}");
    }
    assert_eq!(py.theory.tau.len(), ours.theory.tau.len());
    for (a, b) in py.theory.tau.iter().zip(&ours.theory.tau) {
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!((a / b - 1.0).abs() <= 1e-9, "τ: {a} vs {b}");
    }
    let theory_gap = max_gap(&py.theory.records, &ours.theory.records);
    assert!(theory_gap <= 1e-9, "theory λ differs by {theory_gap:e}");
    let gap = max_gap(&py.records, &ours.records);
    eprintln!(
        "{name}: max |λ_numpy − λ_stepwise| = {gap:.3e} over {} records",
        ours.records.len()
    );
    assert!(
        gap <= EIGEN_TOL,
        "{name}: eigenvalues differ by {gap:e} > {EIGEN_TOL}"
    );
    let loss_gap = py
        .records
        .iter()
        .zip(&ours.records)
        .map(|(a, b)| (a.loss - b.loss).abs())
        .fold(0.0, f64::max);
    assert!(loss_gap <= 1e-2, "{name}: losses differ by {loss_gap:e}");
    gap
}

#[test]
fn exported_script_reproduces_a_small_photo_run() {
    if !have_numpy() {
        return;
    }
    check_reproduces(
        "pyexport_small",
        &config("small", &["d=3", "dataset.n=120"]),
    );
}

#[test]
fn exported_script_follows_flow_theory_and_stands_in_for_the_truncated_solver() {
    if !have_numpy() {
        return;
    }
    let cfg = config(
        "planted",
        &["steps=1500", "theory_time=\"flow\"", "solver=\"truncated\""],
    );
    check_reproduces("pyexport_planted", &cfg);
}

/// A `width x height` photo of two waves per channel (a spread of Γ eigenvalues).
fn waves(name: &str, width: usize, height: usize, phase: f64) -> Photo {
    let rgba: Vec<u8> = (0..width * height)
        .flat_map(|k| {
            let (x, y) = ((k % width) as f64, (k / width) as f64);
            let w = |fx: f64, fy: f64, c: f64| {
                let v = 128.0
                    + 60.0 * (fx * x + fy * y + c + phase).sin()
                    + 30.0 * (fy * x - fx * y + 2.0 * c).sin();
                v.round() as u8
            };
            [w(0.9, 0.3, 0.0), w(0.4, 1.1, 2.0), w(0.7, -0.6, 4.0), 255]
        })
        .collect();
    photo_from_rgba(name, width, height, &rgba).unwrap()
}

#[test]
fn exported_data_are_the_local_photos_patches_as_used() {
    if !have_numpy() {
        return;
    }
    let cfg = config("small", &["d=3", "dataset.n=120"]);
    let photos = [waves("a", 64, 64, 0.0), waves("b", 80, 48, 2.0)];
    let prep = prepare_with_photos(&cfg, Some(&photos)).unwrap();
    let ours = pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), &prep).await.unwrap();
        run.finish().await.unwrap();
        assemble(&prep, &run, false)
    });
    assert_eq!(ours.local_images, Some(2));
    assert_ne!(ours.data_digest, run_cpu(&cfg, false).unwrap().data_digest);
    check_against("pyexport_local", &prep, &ours);
}

#[test]
fn literal_solver_in_float64_follows_the_same_trajectory() {
    if !have_numpy() {
        return;
    }
    let cfg = config("planted", &["steps=600"]);
    let folder = dir("pyexport_literal");
    for f in python_bundle(&prepare(&cfg).unwrap()).unwrap() {
        std::fs::write(folder.join(f.name), &f.bytes).unwrap();
    }
    let py = run_script(&folder, &["--solver", "literal", "--dtype", "float64"]);
    assert_eq!(py.backend, "numpy-f64-literal");
    let gap = max_gap(&py.records, &run_cpu(&cfg, false).unwrap().records);
    eprintln!("literal f64: max |Δλ| = {gap:.3e}");
    assert!(gap <= EIGEN_TOL);
}

// ---- the command line -----------------------------------------------------------------

#[test]
fn cli_writes_the_bundle_and_says_how_to_run_it() {
    let folder = dir("pyexport_cli");
    let out = stepwise(&[
        "export-python",
        "planted",
        "--set",
        "steps=300",
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        SCRIPT_NAME,
        "config.json",
        "export.json",
        "x.npy",
        "x_prime.npy",
        "w0.npy",
    ] {
        assert!(folder.join(name).is_file(), "{name} missing");
        assert!(text.contains(name), "{text}");
    }
    assert!(text.contains("python3"), "{text}");
    let written =
        RunConfig::from_json(&std::fs::read_to_string(folder.join("config.json")).unwrap())
            .unwrap();
    assert_eq!(written.steps, Some(300));
    assert_eq!(written.lr, Some(1e-3));
    // x.npy: 64 pairs of m = 24 float32 after a 128-byte header
    assert_eq!(
        std::fs::metadata(folder.join("x.npy")).unwrap().len(),
        128 + 64 * 24 * 4
    );
    if have_numpy() {
        let py = run_script(&folder, &[]);
        assert_eq!(py.records.last().unwrap().step, 300);
    }
}

#[test]
fn cli_rejects_bad_input_without_panicking() {
    let folder = dir("pyexport_bad");
    let target = folder.to_str().unwrap();
    assert_clean_failure(
        &stepwise(&["export-python", "no-such-preset", "--out", target]),
        "neither a preset",
    );
    assert_clean_failure(
        &stepwise(&["export-python", "mlp-small-bt", "--out", target]),
        "linear runs only",
    );
    let bad = folder.join("bad.json");
    std::fs::write(&bad, "{\"d\": ").unwrap();
    assert_clean_failure(
        &stepwise(&["export-python", bad.to_str().unwrap()]),
        "bad.json",
    );
    assert_clean_failure(
        &stepwise(&[
            "export-python",
            "fig1",
            "--set",
            "dataset.n=100000",
            "--out",
            target,
        ]),
        "dataset.n",
    );
    assert_clean_failure(
        &stepwise(&["export-python", "small", "--set", "nope=1", "--out", target]),
        "unknown key",
    );
    assert!(
        !folder.join(SCRIPT_NAME).exists(),
        "nothing is written on failure"
    );
}
