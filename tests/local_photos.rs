//! A linear or MLP run on the visitor's own photos (the notebook's upload): prepared exactly
//! like one on the bundled photos, with its own Γ, and recorded as such in the result.

use stepwise::data::local::photo_from_rgba;
use stepwise::data::photos::Photo;
use stepwise::experiment::{
    assemble, overrides, prepare, prepare_with_photos, preset, LinearRun, Prepared, RunConfig,
    RunResult,
};

/// A `width x height` photo of waves of several frequencies (a spread of Γ eigenvalues).
fn waves(name: &str, width: usize, height: usize, phase: f64) -> Photo {
    let mut rgba = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        for x in 0..width {
            let (x, y) = (x as f64, y as f64);
            let w = |fx: f64, fy: f64, p: f64| (fx * x + fy * y + p + phase).sin();
            let px = [
                128.0 + 60.0 * w(0.9, 0.3, 0.0) + 30.0 * w(0.2, 1.7, 1.0),
                128.0 + 60.0 * w(0.4, 1.1, 2.0) + 30.0 * w(2.1, 0.5, 3.0),
                128.0 + 60.0 * w(0.7, 0.7, 4.0) + 30.0 * w(1.3, -0.9, 5.0),
            ];
            rgba.extend(px.map(|v| v.round() as u8));
            rgba.push(255);
        }
    }
    photo_from_rgba(name, width, height, &rgba).unwrap()
}

fn small(sets: &[&str]) -> RunConfig {
    overrides::apply_all(preset("small").unwrap(), sets).unwrap()
}

fn run(prep: &Prepared) -> RunResult {
    pollster::block_on(async {
        let mut run = LinearRun::start(prep.cpu_backend(), prep).await.unwrap();
        run.finish().await.unwrap();
        assemble(prep, &run, false)
    })
}

#[test]
fn a_run_on_local_photos_has_its_own_data_and_says_so() {
    let cfg = small(&["dataset.n=120"]);
    let photos = [waves("a", 64, 64, 0.0), waves("b", 80, 48, 2.0)];
    let local = run(&prepare_with_photos(&cfg, Some(&photos)).unwrap());
    let bundled = run(&prepare(&cfg).unwrap());
    assert_eq!(local.local_images, Some(2));
    assert_eq!(bundled.local_images, None);
    assert_ne!(local.data_digest, bundled.data_digest);
    assert_ne!(local.gamma_top, bundled.gamma_top);
    assert!(local.gamma_top.iter().all(|g| g.is_finite()));
    assert!(local.records.iter().all(|r| r.loss.is_finite()));
    let json = serde_json::to_value(&local).unwrap();
    assert_eq!(json["local_images"], 2);
    let plain = serde_json::to_value(&bundled).unwrap();
    assert!(plain.get("local_images").is_none());
    // the same photos give the same run
    let again = run(&prepare_with_photos(&cfg, Some(&photos)).unwrap());
    assert_eq!(again.data_digest, local.data_digest);
}

#[test]
fn photos_too_small_for_the_base_patch_are_left_out_or_refused() {
    let cfg = small(&["dataset.base=50"]);
    let photos = [waves("a", 64, 64, 0.0), waves("b", 80, 48, 2.0)];
    let prep = prepare_with_photos(&cfg, Some(&photos)).unwrap();
    assert_eq!(prep.local_images, Some(1));
    let alone = prepare_with_photos(&cfg, Some(&photos[..1])).unwrap();
    assert_eq!(alone.pairs, prep.pairs);
    let Err(e) = prepare_with_photos(&cfg, Some(&photos[1..])) else {
        panic!("a 80x48 photo cannot hold a 50 px base patch");
    };
    assert!(
        e.to_string()
            .contains("none of your 1 images is at least 50 px"),
        "{e}"
    );
}

#[test]
fn a_planted_run_ignores_local_photos() {
    let cfg = small(&["dataset.kind=planted"]);
    let photos = [waves("a", 64, 64, 0.0)];
    let with = prepare_with_photos(&cfg, Some(&photos)).unwrap();
    assert_eq!(with.local_images, None);
    assert_eq!(with.pairs, prepare(&cfg).unwrap().pairs);
}

#[test]
fn an_mlp_run_on_local_photos_cuts_the_same_patches_and_says_so() {
    use stepwise::experiment::mlp::{assemble_mlp, mlp_preset, MlpPrepared, MlpRun, MlpSetup};
    let mut cfg = mlp_preset("mlp-small-bt").unwrap();
    cfg.steps = Some(20);
    let photos = [waves("a", 64, 64, 0.0), waves("b", 80, 48, 2.0)];
    let setup = MlpSetup::with_photos(&cfg, Some(&photos)).unwrap();
    assert_eq!(setup.local_images, Some(2));
    // the patches are those a linear run on the same photos and dataset cuts
    let linear = RunConfig {
        dataset: cfg.dataset.clone(),
        ..preset("small").unwrap()
    };
    let prep_linear = prepare_with_photos(&linear, Some(&photos)).unwrap();
    assert_eq!(setup.pairs, prep_linear.pairs);
    assert_ne!(setup.pairs, MlpSetup::new(&cfg).unwrap().pairs);
    let prep = MlpPrepared::from_setup(setup).unwrap();
    let result = pollster::block_on(async {
        let mut run = MlpRun::start(prep.cpu_backend(), &prep).await.unwrap();
        run.finish().await.unwrap();
        assemble_mlp(&prep, &run)
    });
    assert_eq!(result.local_images, Some(2));
    assert!(result.records.iter().all(|r| r.loss.is_finite()));
    assert_eq!(serde_json::to_value(&result).unwrap()["local_images"], 2);
    assert_eq!(MlpPrepared::new(&cfg).unwrap().local_images, None);
}
