//! The init-comparison cell (Result 4.6: any small init follows an aligned one).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::FigureLayout;
use super::landscape::{min_max, padded, thin, to_svg};
use super::panels::{draw_figure, Line, PanelData, Polyline};
use super::style::{faint, ink, mode_color, tick_label};
use super::ticks::symmetric_range;
use super::{FigureOptions, PlotError};
use crate::experiment::cells::InitComparison;
use crate::experiment::Record;

/// Draws the comparison: A, the eigenvalues of C from the random W(0) (wide, translucent)
/// and from the aligned W_al(0) (dashed), with the step times τ_j; B, their difference,
/// on a symmetric scale fitted to it (the title gives the largest gap). Returns where they
/// lie.
pub fn draw_init_comparison<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    cmp: &InitComparison,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    draw_figure(root, &init_panels(cmp, opts.log_time))
}

/// Renders [`draw_init_comparison`] to a standalone SVG document.
pub fn init_comparison_svg(
    cmp: &InitComparison,
    opts: &FigureOptions,
) -> Result<String, PlotError> {
    to_svg((opts.width, opts.height), |root| {
        draw_init_comparison(root, cmp, opts).map(|_| ())
    })
}

fn init_panels(cmp: &InitComparison, log: bool) -> [PanelData; 2] {
    let admits = |t: f64| t.is_finite() && (!log || t > 0.0);
    let (t_lo, t_hi) = min_max(cmp.random.iter().map(|r| r.t).filter(|&t| admits(t)));
    let x = if log && t_lo < t_hi {
        t_lo..t_hi
    } else {
        padded(t_lo.min(0.0), t_hi, 0.0)
    };
    let mut a = PanelData::new("A", "eigenvalues of C", x.clone(), 0.0..1.0);
    let gap = cmp.max_gap();
    let title = format!("random − aligned, max {}", tick_label(gap));
    let mut b = PanelData::new("B", title, x.clone(), symmetric_range(gap));
    b.lines.push(Polyline {
        points: vec![(x.start, 0.0), (x.end, 0.0)],
        color: faint(),
        line: Line::Thin,
    });
    for j in 0..cmp.gamma.len() {
        let color = mode_color(j);
        for (records, line) in [(&cmp.random, Line::Wide), (&cmp.aligned, Line::Dashed)] {
            let points = mode_series(records, &[], j, &admits);
            a.lines.push(Polyline {
                points,
                color,
                line,
            });
        }
        let points = mode_series(&cmp.random, &cmp.aligned, j, &admits);
        b.lines.push(Polyline {
            points,
            color,
            line: Line::Solid,
        });
    }
    let tau = cmp.tau.iter().enumerate();
    let markers: Vec<(f64, RGBColor)> = tau
        .filter_map(|(j, t)| t.filter(|t| x.contains(t)).map(|t| (t, mode_color(j))))
        .collect();
    let (lo, hi) = min_max(a.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
    a.y = padded(lo.min(0.0), hi.max(1.0), 0.05);
    a.key = vec![
        ("random W(0)".into(), ink(), Line::Wide),
        ("aligned W(0)".into(), ink(), Line::Dashed),
        ("τⱼ".into(), ink(), Line::Dotted),
    ];
    for (p, y_desc) in [
        (&mut a, "eigenvalues of C"),
        (&mut b, "λⱼ(random) − λⱼ(aligned)"),
    ] {
        p.markers.clone_from(&markers);
        p.log_x = log && x.start > 0.0;
        p.x_desc = "t = η·step".into();
        p.y_desc = y_desc.into();
    }
    [a, b]
}

/// (t, λ_j(a)), minus λ_j(b) at the same index unless `b` is empty.
fn mode_series(
    a: &[Record],
    b: &[Record],
    j: usize,
    admits: &dyn Fn(f64) -> bool,
) -> Vec<(f64, f64)> {
    let pts = a.iter().enumerate().filter(|(_, r)| admits(r.t));
    let pts = pts.filter_map(|(i, r)| {
        let base = if b.is_empty() {
            0.0
        } else {
            *b.get(i)?.eigenvalues.get(j)?
        };
        let v = r.eigenvalues.get(j)? - base;
        v.is_finite().then_some((r.t, v))
    });
    thin(pts.collect())
}
