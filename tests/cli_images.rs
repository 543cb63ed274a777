//! `stepwise run --images`: your own PNG photos from the command line, checked like the
//! notebook's upload and cut into exactly the patches the library cuts from them.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stepwise::data::photos::decode_png;
use stepwise::experiment::{overrides, preset, run_cpu, run_cpu_with_photos};

mod common;
use common::{assert_clean_failure, stepwise};

/// A fresh folder under the test's temporary directory.
fn folder(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An RGB PNG of waves (a spread of Γ eigenvalues), `width x height`.
fn waves_png(width: usize, height: usize, phase: f64) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            let (x, y) = (x as f64, y as f64);
            for (fx, fy) in [(0.9, 0.3), (0.4, 1.1), (0.7, -0.7)] {
                rgb.push((128.0 + 90.0 * (fx * x + fy * y + phase).sin()).round() as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&rgb).unwrap();
    writer.finish().unwrap();
    out
}

/// Two usable PNGs, a text file and a PNG too small for a 12 px base patch.
fn images(name: &str) -> PathBuf {
    let dir = folder(name);
    std::fs::write(dir.join("a.png"), waves_png(64, 64, 0.0)).unwrap();
    std::fs::write(dir.join("b.png"), waves_png(80, 48, 2.0)).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an image\n").unwrap();
    std::fs::write(dir.join("tiny.png"), waves_png(5, 5, 1.0)).unwrap();
    dir
}

/// Arguments of `command` (run, export-python) on the small preset with 120 pairs cut from
/// the images of `dir`, writing to `out`.
fn small_on<'a>(dir: &'a Path, command: &'a str, out: &'a Path) -> [&'a str; 8] {
    let path = |p: &'a Path| p.to_str().expect("a UTF-8 path");
    [
        command,
        "small",
        "--set",
        "dataset.n=120",
        "--images",
        path(dir),
        "--out",
        path(out),
    ]
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_run_on_a_folder_of_pngs_uses_the_usable_ones_and_lists_the_rest() {
    let dir = images("cli_images_linear");
    let out_path = dir.join("r.json");
    let out = stepwise(&small_on(&dir, "run", &out_path));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr: {err}");
    assert!(err.contains("skipped notes.txt: not a PNG image"), "{err}");
    assert!(
        err.contains("skipped tiny.png: 5x5 px is smaller than the base patch (12 px a side)"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("images      2 of yours"), "{stdout}");
    let r = json(&out_path);
    assert_eq!(r["local_images"], 2);
    // the same data as the library cuts from the same photos, in name order
    let cfg = overrides::apply_all(preset("small").unwrap(), &["dataset.n=120"]).unwrap();
    let photos = ["a.png", "b.png"].map(|n| {
        let bytes = std::fs::read(dir.join(n)).unwrap();
        decode_png(n, &bytes).unwrap()
    });
    let ours = run_cpu_with_photos(&cfg, false, Some(&photos)).unwrap();
    assert_eq!(r["data_digest"], ours.data_digest.as_str());
    assert_eq!(r["gamma_top"][0].as_f64(), Some(ours.gamma_top[0]));
    let bundled = run_cpu(&cfg, false).unwrap();
    assert_ne!(r["data_digest"], bundled.data_digest.as_str());
}

#[test]
fn an_mlp_run_takes_images_too() {
    let dir = images("cli_images_mlp");
    let out_path = dir.join("m.json");
    let png = dir.join("a.png");
    let out = stepwise(&[
        "run",
        "mlp-small-bt",
        "--set",
        "steps=20",
        "--images",
        png.to_str().unwrap(),
        "--images",
        dir.join("b.png").to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out_path);
    assert_eq!(r["local_images"], 2);
    assert!(r["records"].as_array().unwrap().len() > 1);
}

#[test]
fn unusable_images_and_datasets_without_photos_are_refused_cleanly() {
    let dir = images("cli_images_bad");
    let text = dir.join("notes.txt");
    let only_text = stepwise(&["run", "small", "--images", text.to_str().unwrap()]);
    assert_clean_failure(
        &only_text,
        "--images: none of the 1 files is a usable image",
    );
    let planted = stepwise(&["run", "planted", "--images", dir.to_str().unwrap()]);
    assert_clean_failure(&planted, "--images needs the photo-patches dataset");
    let missing = dir.join("missing");
    let gone = stepwise(&["run", "small", "--images", missing.to_str().unwrap()]);
    assert_clean_failure(&gone, "--images ");
}

#[test]
fn export_python_bundles_the_patches_of_the_same_images() {
    let dir = images("cli_images_export");
    let bundle = dir.join("bundle");
    let out = stepwise(&small_on(&dir, "export-python", &bundle));
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run_json = dir.join("r.json");
    let run = stepwise(&small_on(&dir, "run", &run_json));
    assert!(run.status.success());
    let export = json(&bundle.join("export.json"));
    assert_eq!(export["local_images"], 2);
    assert_eq!(export["data_digest"], json(&run_json)["data_digest"]);
}
