//! Renders synthetic runs to SVG and inspects the markup.

use super::*;

mod appg;
mod deep;
mod deep_methods;
mod layout;
mod replay;
use crate::experiment::{Record, RunConfig, TheoryResult};

/// Step times of the synthetic modes.
const TAU: [f64; 3] = [2.0, 5.0, 9.0];
/// Tol muted indigo: the colour of mode 1.
const MODE1: &str = "#332288";

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Records on t = 0, 0.02, …, 12 with sigmoid steps at TAU (shifted by `delay`).
fn records(d: usize, delay: f64) -> Vec<Record> {
    (0..=600u32)
        .map(|i| {
            let t = f64::from(i) * 0.02;
            let eigenvalues: Vec<f64> = TAU[..d]
                .iter()
                .map(|tau| sigmoid(3.0 * (t - tau - delay)))
                .collect();
            let loss = eigenvalues.iter().map(|l| (1.0 - l).powi(2)).sum();
            Record {
                t,
                step: u64::from(i),
                loss,
                eigenvalues,
            }
        })
        .collect()
}

fn synthetic(d: usize) -> RunResult {
    RunResult {
        config: RunConfig {
            d,
            ..RunConfig::default()
        },
        backend: "synthetic".into(),
        m: 8,
        gamma_top: vec![1.0, 0.5, 0.3, 0.1],
        data_digest: String::new(),
        records: records(d, 0.15),
        theory: TheoryResult {
            s0: vec![1e-6; d],
            tau: TAU[..d].iter().map(|&t| Some(t)).collect(),
            records: records(d, 0.0),
        },
        data: None,
        truncation: None,
        local_images: None,
        backend_choice: None,
    }
}

fn svg(result: &RunResult, log_time: bool) -> String {
    let opts = FigureOptions {
        log_time,
        ..FigureOptions::default()
    };
    match linear_figure_svg(result, &opts) {
        Ok(s) => s,
        Err(e) => panic!("rendering failed: {e}"),
    }
}

/// The contents of every `<text>` element, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</text>"))
        .map(|(text, _)| text.trim())
        .collect()
}

fn polylines(svg: &str) -> usize {
    svg.matches("<polyline").count()
}

/// Every polyline vertex lies within the canvas (no −∞ mapped to i32::MIN).
fn assert_points_on_canvas(svg: &str) {
    let (w, h) = (1100, 420);
    for chunk in svg.split("points=\"").skip(1) {
        let pts = chunk.split('"').next().unwrap_or("");
        for p in pts.split_whitespace() {
            let (x, y) = p.split_once(',').expect("x,y");
            let (x, y): (i32, i32) = (x.parse().expect("x"), y.parse().expect("y"));
            assert!((0..=w).contains(&x) && (0..=h).contains(&y), "{p}");
        }
    }
}

#[test]
fn labels_and_titles_are_drawn() {
    let s = svg(&synthetic(3), false);
    let texts = texts(&s);
    for text in [
        "t = η·step",
        "loss ||C − I||²",
        "eigenvalues of C",
        "A",
        "loss",
        "B",
        "experiment",
        "theory",
        "step times τⱼ",
    ] {
        assert!(texts.contains(&text), "missing {text:?} in {texts:?}");
    }
    assert_points_on_canvas(&s);
}

#[test]
fn theory_is_dashed_and_experiment_solid() {
    let s = svg(&synthetic(3), false);
    // The experiment curve of mode 1: one translucent polyline.
    let solid = format!("opacity=\"0.5\" stroke=\"{MODE1}\"");
    assert_eq!(s.matches(&solid).count(), 1);
    // The theory curve of mode 1: many short opaque segments (plotters draws dashes so).
    let dashed = format!("opacity=\"1\" stroke=\"{MODE1}\"");
    assert!(
        s.matches(&dashed).count() > 20,
        "{}",
        s.matches(&dashed).count()
    );
    // Its step-time marker: dotted, translucent.
    let dotted = format!("opacity=\"0.7\" stroke=\"{MODE1}\"");
    assert!(s.matches(&dotted).count() > 10);
}

#[test]
fn dark_scheme_changes_background_and_modes_and_keeps_the_dashes() {
    let light = svg(&synthetic(3), false);
    let dark = with_scheme(Scheme::Dark, || svg(&synthetic(3), false));
    assert!(light.contains("fill=\"#FFFFFF\"") && !light.contains("#1C1C21"));
    assert!(dark.contains("fill=\"#1C1C21\""), "no dark background");
    assert!(
        !dark.contains(MODE1),
        "the light palette in the dark scheme"
    );
    // mode 1 in Tol's light blue: experiment one translucent polyline, theory dashed
    let mode1 = "#77AADD";
    let solid = format!("opacity=\"0.5\" stroke=\"{mode1}\"");
    assert_eq!(dark.matches(&solid).count(), 1);
    let dashed = format!("opacity=\"1\" stroke=\"{mode1}\"");
    assert!(dark.matches(&dashed).count() > 20);
    assert_eq!(
        svg(&synthetic(3), false),
        light,
        "the light scheme did not come back"
    );
}

#[test]
fn more_modes_draw_more_polylines() {
    let counts: Vec<usize> = (1..=3)
        .map(|d| polylines(&svg(&synthetic(d), false)))
        .collect();
    assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
}

#[test]
fn log_time_skips_zero_and_stays_on_canvas() {
    let s = svg(&synthetic(3), true);
    let texts = texts(&s);
    assert!(texts.contains(&"t = η·step"));
    assert!(texts.contains(&"1") && texts.contains(&"10"), "{texts:?}");
    assert_points_on_canvas(&s);
    assert!(polylines(&s) > 50);
}

#[test]
fn degenerate_runs_do_not_panic() {
    let mut empty = synthetic(3);
    empty.records.clear();
    empty.theory.records.clear();
    empty.theory.tau = vec![None; 3];
    let mut single = synthetic(1);
    single.records.truncate(1);
    single.theory.records.truncate(1);
    let mut flat = synthetic(2);
    for r in flat.records.iter_mut().chain(&mut flat.theory.records) {
        r.loss = 1.0;
        r.eigenvalues = vec![0.5, 0.5];
    }
    let mut nan = synthetic(3);
    for r in nan.records.iter_mut().step_by(3) {
        r.loss = f64::NAN;
        r.eigenvalues[1] = f64::INFINITY;
    }
    nan.records[5].t = f64::NAN;
    nan.theory.tau[2] = Some(f64::NAN);
    let mut all_nan = synthetic(2);
    for r in all_nan
        .records
        .iter_mut()
        .chain(&mut all_nan.theory.records)
    {
        r.loss = f64::NAN;
        r.eigenvalues = vec![f64::NAN; 2];
    }
    for result in [&empty, &single, &flat, &nan, &all_nan] {
        for log_time in [false, true] {
            let s = svg(result, log_time);
            assert!(s.contains("eigenvalues of C"));
            assert_points_on_canvas(&s);
        }
    }
}

#[test]
fn tiny_and_large_sizes_render() {
    for (width, height) in [(0, 0), (300, 150), (3000, 1200)] {
        let opts = FigureOptions {
            width,
            height,
            log_time: false,
        };
        assert!(linear_figure_svg(&synthetic(3), &opts).is_ok());
    }
}

/// Writes the synthetic figure (linear and log time) for a human to look at.
#[test]
fn writes_svg_for_inspection() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&dir).expect("create target/test-output");
    let result = synthetic(3);
    std::fs::write(dir.join("plot_synthetic.svg"), svg(&result, false)).expect("write svg");
    std::fs::write(dir.join("plot_synthetic_log.svg"), svg(&result, true)).expect("write svg");
}

/// Draws real CPU runs of the presets into target/test-output (slow: `--ignored`).
#[test]
#[ignore]
fn writes_preset_figures_for_inspection() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&dir).expect("create target/test-output");
    for name in ["planted", "small", "fig1"] {
        let cfg = crate::experiment::preset(name).expect("preset");
        let result = crate::experiment::run_cpu(&cfg, false).expect("run");
        for (log_time, suffix) in [(false, ""), (true, "_log")] {
            let path = dir.join(format!("plot_{name}{suffix}.svg"));
            std::fs::write(path, svg(&result, log_time)).expect("write svg");
        }
    }
}

#[test]
fn a_portrait_figure_stacks_its_panels_and_keeps_their_text_size() {
    use super::style::{panel_grid, Theme};
    assert_eq!(panel_grid((1100, 420), 2), (1, 2));
    assert_eq!(panel_grid((600, 1000), 3), (3, 1));
    assert_eq!(panel_grid((600, 1000), 1), (1, 1));
    // two stacked 600 x 500 panels are themed like the same panels side by side
    let stacked = Theme::for_panels((600, 1000), 2);
    assert_eq!(stacked.px(10.0), Theme::for_size((1200, 500)).px(10.0));
    assert_eq!(stacked.px(10.0), 11);
    assert_eq!(Theme::for_panels((1100, 420), 2).px(10.0), 10);
    let result = synthetic(3);
    let opts = FigureOptions {
        width: 600,
        height: 1000,
        ..FigureOptions::default()
    };
    let mut layout = None;
    super::landscape::to_svg((opts.width, opts.height), |root| {
        layout = Some(draw_linear_figure_at(root, &result, &opts, None)?);
        Ok(())
    })
    .expect("rendering");
    let layout = layout.expect("layout");
    let [a, b] = &layout.panels[..] else {
        panic!("{} panels", layout.panels.len());
    };
    assert!(b.top > a.bottom && b.left == a.left, "{a:?} {b:?}");
    assert!(
        a.right - a.left > 400.0 && a.bottom - a.top > 250.0,
        "{a:?}"
    );
    assert!(b.bottom < 1000.0);
}
