//! Appendix G's figure: a panel per variant, the bars and their labels, rows that failed
//! or are still running, and what the bar panel reads under the pointer.

use super::super::*;
use super::texts;

/// Appendix G's comparison of the planted preset, computed once for the tests below.
pub(super) fn planted_comparison() -> &'static crate::experiment::appg::AppgResult {
    use crate::experiment::appg::{compare_cpu, AppgConfig};
    use crate::experiment::Config;
    static RESULT: std::sync::OnceLock<crate::experiment::appg::AppgResult> =
        std::sync::OnceLock::new();
    RESULT.get_or_init(|| {
        let cfg = AppgConfig::preset("planted").expect("planted preset");
        compare_cpu(&cfg).expect("comparison")
    })
}

#[test]
fn appg_figure_has_a_panel_per_variant_and_labelled_bars() {
    use crate::experiment::appg::Policy;
    let result = planted_comparison();
    for policy in [Policy::Equal, Policy::Stable] {
        let opts = AppgFigureOptions {
            policy,
            ..AppgFigureOptions::default()
        };
        let s = appg_figure_svg(result, &opts).expect("rendering");
        let texts = texts(&s);
        for (letter, name) in ["A", "B", "C", "D", "E"].iter().zip([
            "baseline",
            "sharp",
            "smooth",
            "quartic",
            "precondition",
        ]) {
            assert!(texts.contains(letter), "no panel {letter}: {texts:?}");
            let row = result.row(name_variant(name), policy).expect("row");
            let title = format!("{name} · η = {}", super::super::style::tick_label(row.eta));
            assert!(texts.contains(&title.as_str()), "no {title:?} in {texts:?}");
            // the bar panel names every variant on its axis
            assert!(texts.contains(&name), "no axis label {name:?}");
        }
        assert!(texts.contains(&"F"), "no bar panel");
        // one label per bar: both policies for every variant, the baselines at 1.00x
        let labels: Vec<&&str> = texts.iter().filter(|t| t.ends_with('x')).collect();
        assert_eq!(labels.len(), 10, "{labels:?}");
        assert!(texts.iter().filter(|t| **t == "1.00x").count() >= 2);
        for row in &result.rows {
            let label = format!("{:.2}x", row.speedup.expect("speedup"));
            assert!(texts.contains(&label.as_str()), "no bar label {label}");
        }
        let (w, h) = (opts.width as i32, opts.height as i32);
        for chunk in s.split("points=\"").skip(1) {
            for p in chunk.split('"').next().unwrap_or("").split_whitespace() {
                let (x, y) = p.split_once(',').expect("x,y");
                let (x, y): (i32, i32) = (x.parse().expect("x"), y.parse().expect("y"));
                assert!((0..=w).contains(&x) && (0..=h).contains(&y), "{p}");
            }
        }
    }
}

fn name_variant(name: &str) -> crate::model::spectral::LossVariant {
    crate::model::spectral::LossVariant::ALL
        .into_iter()
        .find(|v| v.name() == name)
        .expect("variant")
}

#[test]
fn appg_figure_marks_failures_and_draws_rows_in_progress() {
    use crate::experiment::appg::{AppgResult, Policy};
    let full = planted_comparison();
    let mut partial: AppgResult = full.clone();
    let running = partial.rows.split_off(3);
    partial.rows[1].diverged = true;
    partial.rows[1].failure = Some("diverged by step 9".into());
    partial.rows[1].steps_to_all = None;
    let mut current = running[0].clone();
    current.records.truncate(current.records.len() / 2);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&dir).expect("create target/test-output");
    for log_steps in [false, true] {
        let opts = AppgFigureOptions {
            policy: Policy::Equal,
            log_steps,
            ..AppgFigureOptions::default()
        };
        let s = super::super::landscape::to_svg((opts.width, opts.height), |root| {
            draw_appg_figure(root, &partial, Some(&current), &opts).map(|_| ())
        })
        .expect("rendering");
        let texts = texts(&s);
        for text in ["× diverged", "running…", "precondition · waiting"] {
            assert!(texts.contains(&text), "no {text:?} in {texts:?}");
        }
        let suffix = if log_steps { "_log" } else { "" };
        std::fs::write(dir.join(format!("plot_appg_partial{suffix}.svg")), &s).expect("write");
        let opts = AppgFigureOptions { log_steps, ..opts };
        for policy in [Policy::Equal, Policy::Stable] {
            let svg = appg_figure_svg(full, &AppgFigureOptions { policy, ..opts }).expect("svg");
            let name = format!("plot_appg_{}{suffix}.svg", policy.name());
            std::fs::write(dir.join(name), svg).expect("write");
        }
    }
}

#[test]
fn appg_bar_readout_names_the_bar_under_the_pointer() {
    use crate::experiment::appg::Policy;
    use crate::plot::{appg_bar_readout, PanelKind};
    let result = planted_comparison();
    let opts = AppgFigureOptions::default();
    let mut layout = None;
    super::super::landscape::to_svg((opts.width, opts.height), |root| {
        layout = Some(draw_appg_figure(root, result, None, &opts)?);
        Ok(())
    })
    .expect("rendering");
    let layout = layout.expect("layout");
    assert_eq!(layout.panels.len(), 6, "five variant panels and the bars");
    let bars = layout.panels.last().expect("bar panel");
    assert_eq!(bars.kind, PanelKind::Bars);
    // every pixel row of the bar panel, top to bottom: each row's bar is met once, in order
    let mut met: Vec<(&str, Policy)> = Vec::new();
    let mut gaps = 0;
    for y in bars.top as i32..=bars.bottom as i32 {
        let x = 0.5 * (bars.left + bars.right);
        let Some((panel, geo)) = layout.panel_at(x, f64::from(y)) else {
            panic!("row {y} is off the bar panel");
        };
        assert_eq!(panel, 5);
        let Some(r) = appg_bar_readout(result, None, geo.value_at(f64::from(y))) else {
            gaps += 1;
            continue;
        };
        if met.last() != Some(&(r.variant, r.policy)) {
            met.push((r.variant, r.policy));
        }
        let row = result.row(name_variant(r.variant), r.policy).expect("row");
        let base = result
            .row(name_variant("baseline"), r.policy)
            .expect("base");
        assert_eq!((r.eta, r.steps_to_all), (row.eta, row.steps_to_all));
        assert_eq!(r.baseline_steps_to_all, base.steps_to_all);
        let relative = r.relative.expect("every planted row has a bar");
        let steps = row.steps_to_all.expect("steps") as f64;
        assert!((relative - steps / base.steps_to_all.expect("base steps") as f64).abs() < 1e-12);
        assert_eq!(r.label, format!("{:.2}x", row.speedup.expect("speedup")));
    }
    let expected: Vec<(&str, Policy)> = ["baseline", "sharp", "smooth", "quartic", "precondition"]
        .into_iter()
        .flat_map(|v| [(v, Policy::Equal), (v, Policy::Stable)])
        .collect();
    assert_eq!(met, expected);
    assert!(gaps > 0, "the space between variants reads nothing");
}
