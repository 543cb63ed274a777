//! Every figure at every width from a phone to a desktop, at 1x and 2x pixel density: text
//! at least 11 CSS px, no text over text, none across a panel's frame, none outside the
//! figure (boxes as the SVG backend estimates them, which over-estimates non-ASCII widths).

use plotters::prelude::SVGBackend;

use super::super::density::{with_density, Density, FigureKind, MIN_TEXT_CSS_PX};
use super::super::layout_check::{draw_recorded, layout_problems};
use super::super::*;
use super::appg::planted_comparison;
use super::synthetic;
use crate::experiment::appg::Policy;
use crate::experiment::cells::{init_comparison, landscape};

/// CSS widths of a figure: a small phone to a wide desktop.
const WIDTHS: [f64; 9] = [
    320.0, 343.0, 400.0, 520.0, 682.0, 746.0, 900.0, 1100.0, 1400.0,
];

/// Draws `draw` at every width and density with the height the page gives `kind`, and
/// asserts the layout reads well; returns the smallest text seen, in CSS px.
pub(super) fn check_every_width(
    name: &str,
    kind: FigureKind,
    draw: impl Fn(
        &DrawingArea<record::Recorder<SVGBackend>, plotters::coord::Shift>,
    ) -> Result<FigureLayout, PlotError>,
) -> f64 {
    let mut smallest = f64::INFINITY;
    for ratio in [1.0, 2.0] {
        let density = Density {
            pixel_ratio: ratio,
            ..Density::SVG
        };
        for css in WIDTHS {
            let size = (
                (css * ratio).round() as u32,
                (kind.css_height(css) * ratio).round() as u32,
            );
            let mut svg = String::new();
            let layout = with_density(density, || {
                draw_recorded(SVGBackend::with_string(&mut svg, size), None, &draw)
            })
            .expect("drawing");
            assert!(
                layout.texts.len() > 5,
                "{name}: {} texts",
                layout.texts.len()
            );
            let problems = layout_problems(&layout);
            assert!(
                problems.is_empty(),
                "{name} at {css} CSS px, ratio {ratio} ({size:?}):\n{}",
                problems.join("\n")
            );
            for t in &layout.texts {
                smallest = smallest.min(t.size * layout.css_text_per_size);
            }
        }
    }
    assert!(smallest >= MIN_TEXT_CSS_PX - 1e-9, "{name}: {smallest}");
    smallest
}

#[test]
fn figure_1_reads_well_at_every_width() {
    let result = synthetic(3);
    for log_time in [false, true] {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        check_every_width("Figure 1", FigureKind::Linear, |root| {
            draw_linear_figure_at(root, &result, &opts, Some(4.0))
        });
    }
}

#[test]
fn the_init_comparison_reads_well_at_every_width() {
    let cfg = crate::experiment::preset("small").expect("small preset");
    let cmp = init_comparison(&cfg).expect("comparison");
    let opts = FigureOptions::default();
    check_every_width("init", FigureKind::Linear, |root| {
        draw_init_comparison(root, &cmp, &opts)
    });
}

#[test]
fn the_landscapes_read_well_at_every_width() {
    let ls = landscape(&[1.0, 0.6, 0.3], 2.0, 60);
    check_every_width("symmetry", FigureKind::Symmetry, |root| {
        draw_landscape(root, &ls)
    });
}

#[test]
fn appendix_g_reads_well_at_every_width() {
    let result = planted_comparison();
    let variants = result.config.variants.list().len();
    for policy in [Policy::Equal, Policy::Stable] {
        let opts = AppgFigureOptions {
            policy,
            ..AppgFigureOptions::default()
        };
        check_every_width("App. G", FigureKind::Appg(variants), |root| {
            draw_appg_figure(root, result, None, &opts)
        });
    }
}
