//! The replay cursor and the layouts and records behind hover readouts.

use super::super::*;
use super::appg::planted_comparison;
use super::synthetic;
use crate::experiment::appg::Policy;

/// Okabe-Ito vermillion: the replay cursor.
const CURSOR: &str = "#D55E00";

/// The x coordinates of every polyline stroked in `color`.
fn polyline_xs(svg: &str, color: &str) -> Vec<Vec<i32>> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p.split("/>").next().unwrap_or("").contains(color))
        .map(|p| {
            let pts = p.split("points=\"").nth(1).unwrap_or("");
            let pts = pts.split('"').next().unwrap_or("");
            let xs = pts.split_whitespace().filter_map(|xy| xy.split_once(','));
            xs.map(|(x, _)| x.parse().expect("x")).collect()
        })
        .collect()
}

#[test]
fn cursor_line_is_drawn_at_its_time_in_every_panel() {
    let result = synthetic(3);
    for log_time in [false, true] {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        let (plain, _) = linear_figure_svg_at(&result, &opts, None).unwrap();
        assert!(!plain.contains(CURSOR), "a cursor without one asked for");
        let (svg, layout) = linear_figure_svg_at(&result, &opts, Some(6.0)).unwrap();
        let lines = polyline_xs(&svg, CURSOR);
        assert_eq!(lines.len(), 2, "one cursor line per panel: {lines:?}");
        assert_eq!(layout.panels.len(), 2);
        for (xs, panel) in lines.iter().zip(&layout.panels) {
            let want = panel.x_of(6.0).unwrap();
            assert_eq!(xs.len(), 2, "{xs:?}");
            for &x in xs {
                assert!(
                    (f64::from(x) - want).abs() <= 1.0,
                    "cursor at {x}, expected {want}"
                );
            }
            assert!((panel.t_at(want) - 6.0).abs() < 1e-9);
        }
        // the two panels sit side by side at the same height
        let (a, b) = (&layout.panels[0], &layout.panels[1]);
        assert!(
            a.right < b.left && a.left > 0.0 && b.right < 1100.0,
            "{layout:?}"
        );
        assert_eq!((a.top, a.bottom), (b.top, b.bottom));
    }
}

#[test]
fn cursor_off_the_axis_is_not_drawn() {
    let result = synthetic(3);
    let log = FigureOptions {
        log_time: true,
        ..FigureOptions::default()
    };
    for (opts, t) in [(log, 0.0), (FigureOptions::default(), 50.0)] {
        let (svg, _) = linear_figure_svg_at(&result, &opts, Some(t)).unwrap();
        assert!(!svg.contains(CURSOR), "cursor drawn at t = {t}");
    }
    let (svg, _) = linear_figure_svg_at(&result, &log, Some(f64::NAN)).unwrap();
    assert!(!svg.contains(CURSOR));
}

#[test]
fn appg_readout_sources_follow_the_panels() {
    let result = planted_comparison();
    let sources = appg_readout_sources(result, None, Policy::Equal);
    let variants = result.config.variants.list();
    assert_eq!(sources.len(), variants.len());
    // the baseline's panel has no baseline underneath; the others have the baseline's row
    assert!(sources[0].1.is_empty());
    let base = result
        .row(variants[0], Policy::Equal)
        .expect("baseline row");
    for (k, (rows, baseline)) in sources.iter().enumerate() {
        let row = result.row(variants[k], Policy::Equal).expect("row");
        assert_eq!(rows.len(), row.records.len());
        for (r, q) in rows.iter().zip(&row.records) {
            assert_eq!((r.t, r.step), (q.step as f64, q.step));
            assert_eq!(r.eigenvalues, q.eigenvalues);
        }
        if k > 0 {
            assert_eq!(baseline.len(), base.records.len());
        }
    }
    // the figure's layout has one panel per variant, then the bars
    let opts = AppgFigureOptions::default();
    let mut svg = String::new();
    let layout = {
        use plotters::prelude::{IntoDrawingArea, SVGBackend};
        let root = SVGBackend::with_string(&mut svg, (opts.width, opts.height)).into_drawing_area();
        draw_appg_figure(&root, result, None, &opts).unwrap()
    };
    assert_eq!(layout.panels.len(), variants.len() + 1);
    let (bars, panels) = layout.panels.split_last().expect("panels");
    assert_eq!(bars.kind, crate::plot::PanelKind::Bars);
    let end = result.steps as f64;
    for p in panels {
        assert_eq!(p.kind, crate::plot::PanelKind::Modes);
        assert!(p.left < p.right && p.top < p.bottom && p.t1 <= end, "{p:?}");
    }
}
