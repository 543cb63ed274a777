//! App. F: SSL's modewise loss is a double well with an unstable maximum at 0, supervised
//! learning's a single well; from a small init SSL therefore waits, then steps (a sigmoid),
//! while supervised learning approaches its minimum at once (an exponential).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::{FigureLayout, PanelGeometry, PanelKind};
use super::panels::{draw_panels, Line, PanelData, Polyline};
use super::style::{background, ink, mode_color, Theme};
use super::{draw_err, PlotError, MIN_SIZE};
use crate::experiment::cells::{Landscape, C_STAR};
use crate::experiment::Record;

/// At most about this many points per curve.
const MAX_POINTS: usize = 2000;
/// Top of the loss axis: shows the maximum L(0) = 1 and the wells, clips the walls.
const LOSS_MAX: f64 = 2.0;

/// Draws A, the landscapes (1 − γ s²)² (solid) and (c* − γ c)² (dashed) against s or c;
/// B, the trajectories in rescaled units, γ^{1/2} s(t) (solid) and γ c(t) / c* (dashed),
/// both tending to 1, with the SSL escape times τ dotted. Colours are the γ's. Returns
/// where the panels lie.
pub fn draw_landscape<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ls: &Landscape,
) -> Result<FigureLayout, PlotError> {
    root.fill(&background()).map_err(draw_err)?;
    let panels = [landscape_panel(ls), trajectory_panel(ls)];
    let theme = Theme::for_panels(root.dim_in_pixel(), panels.len());
    let pixels = draw_panels(root, &panels, &theme)?;
    root.present().map_err(draw_err)?;
    let geometry = panels
        .iter()
        .zip(pixels)
        .map(|(p, px)| PanelGeometry::new(PanelKind::Modes, px, p.x.clone(), false, p.y.clone()));
    Ok(FigureLayout {
        panels: geometry.collect(),
        ..FigureLayout::default()
    })
}

/// Renders [`draw_landscape`] to a standalone SVG document of `size` pixels.
pub fn landscape_svg(ls: &Landscape, size: (u32, u32)) -> Result<String, PlotError> {
    to_svg(size, |root| draw_landscape(root, ls).map(|_| ()))
}

/// What the two panels plot, as records for hover readouts: per panel, one record per x
/// (A: s or c, B: t) with the SSL value of each γ as `eigenvalues`, next to the
/// supervised value at the same x; B's values rescaled as drawn (γ^½·s, γ·c/c*).
pub fn landscape_records(ls: &Landscape) -> [(Vec<Record>, Vec<Record>); 2] {
    let records = |xs: &[f64], curves: &[Vec<f64>], scale: &dyn Fn(f64, f64) -> f64| {
        let record = |(i, &x): (usize, &f64)| Record {
            t: x,
            step: i as u64,
            loss: f64::NAN,
            eigenvalues: (ls.gammas.iter().zip(curves))
                .map(|(&g, c)| c.get(i).map_or(f64::NAN, |&v| scale(g, v)))
                .collect(),
        };
        xs.iter().enumerate().map(record).collect::<Vec<_>>()
    };
    let same = |_: f64, v: f64| v;
    [
        (
            records(&ls.params, &ls.ssl_loss, &same),
            records(&ls.params, &ls.supervised_loss, &same),
        ),
        (
            records(&ls.times, &ls.ssl, &|g, s| g.sqrt() * s),
            records(&ls.times, &ls.supervised, &|g, c| g * c / C_STAR),
        ),
    ]
}

fn landscape_panel(ls: &Landscape) -> PanelData {
    let (lo, hi) = min_max(ls.params.iter().copied());
    let x = if lo < hi { lo..hi } else { -1.0..1.0 };
    let mut p = PanelData::new("A", "modewise loss landscape", x, 0.0..LOSS_MAX);
    for (j, (ssl, sup)) in ls.ssl_loss.iter().zip(&ls.supervised_loss).enumerate() {
        for (loss, line) in [(ssl, Line::Solid), (sup, Line::Dashed)] {
            let points: Vec<(f64, f64)> = ls
                .params
                .iter()
                .copied()
                .zip(loss.iter().copied())
                .collect();
            for run in clip_above(&points, LOSS_MAX) {
                p.lines.push(Polyline {
                    points: run,
                    color: mode_color(j),
                    line,
                });
            }
        }
    }
    p.key = vec![
        ("SSL (1 − γs²)²".into(), ink(), Line::Solid),
        (
            format!("supervised ({} − γc)²", C_STAR),
            ink(),
            Line::Dashed,
        ),
    ];
    p.x_desc = "s (SSL) or c (supervised)".into();
    p.y_desc = "loss of one mode".into();
    p
}

fn trajectory_panel(ls: &Landscape) -> PanelData {
    let t_end = ls.times.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    let mut p = PanelData::new("B", "from small init", 0.0..t_end, 0.0..1.0);
    let mut top: f64 = 1.0;
    for (j, &g) in ls.gammas.iter().enumerate() {
        let color = mode_color(j);
        let ssl = rescaled(&ls.times, ls.ssl.get(j), |s| g.sqrt() * s);
        let sup = rescaled(&ls.times, ls.supervised.get(j), |c| g * c / C_STAR);
        for (points, line) in [(ssl, Line::Solid), (sup, Line::Dashed)] {
            top = top.max(min_max(points.iter().map(|q| q.1)).1);
            p.lines.push(Polyline {
                points,
                color,
                line,
            });
        }
        p.key.push((format!("γ = {g}"), color, Line::Solid));
    }
    p.y = 0.0..1.05 * top;
    p.markers = ls
        .ssl_tau
        .iter()
        .enumerate()
        .filter(|(_, t)| (0.0..=t_end).contains(*t))
        .map(|(j, &t)| (t, mode_color(j)))
        .collect();
    p.key.push(("SSL escape τ".into(), ink(), Line::Dotted));
    p.x_desc = "t".into();
    p.y_desc = "√γ·s solid, γ·c dashed".into();
    p
}

/// (t, scale(v)) for the finite values of one γ's trajectory.
fn rescaled(
    times: &[f64],
    values: Option<&Vec<f64>>,
    scale: impl Fn(f64) -> f64,
) -> Vec<(f64, f64)> {
    let values = values.map_or(&[][..], Vec::as_slice);
    let pts = times.iter().zip(values).map(|(&t, &v)| (t, scale(v)));
    pts.filter(|q| q.1.is_finite()).collect()
}

/// The parts of a polyline at or below `top`, each ending exactly on `top` where it leaves
/// (plotters does not clip to the plot area).
pub(super) fn clip_above(points: &[(f64, f64)], top: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        let inside = p.1 <= top;
        if let Some(&q) = i.checked_sub(1).and_then(|k| points.get(k)) {
            let was = q.1 <= top;
            if was != inside {
                let x = q.0 + (top - q.1) / (p.1 - q.1) * (p.0 - q.0);
                current.push((x, top));
            }
            if was && !inside {
                runs.push(std::mem::take(&mut current));
            }
        }
        if inside {
            current.push(p);
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}

// Helpers shared by the cell figures (init.rs, spectrum.rs, this file).

/// Renders `draw` onto a standalone SVG document of `size` pixels (at least [`MIN_SIZE`]).
pub(super) fn to_svg(
    (width, height): (u32, u32),
    draw: impl FnOnce(
        &DrawingArea<super::record::Recorder<SVGBackend<'_>>, Shift>,
    ) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    let size = (width.max(MIN_SIZE.0), height.max(MIN_SIZE.1));
    let mut svg = String::new();
    {
        let root = super::record::svg_backend(&mut svg, size).into_drawing_area();
        draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Every `k`-th point (and the last), k chosen for at most about [`MAX_POINTS`].
pub(super) fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let stride = points.len().div_ceil(MAX_POINTS).max(1);
    let last = points.len().saturating_sub(1);
    let keep = |(i, _): &(usize, (f64, f64))| i % stride == 0 || *i == last;
    points
        .into_iter()
        .enumerate()
        .filter(keep)
        .map(|(_, p)| p)
        .collect()
}

/// A non-empty range from `lo − pad` to `hi + pad`, with `pad` a fraction of the span.
pub(super) fn padded(lo: f64, hi: f64, pad: f64) -> Range<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return 0.0..1.0;
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    lo - pad * span..hi + pad * span
}

/// (min, max), or (+inf, −inf) when empty.
pub(super) fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landscape_records_hold_what_is_drawn() {
        let ls = crate::experiment::cells::landscape(&[1.0, 4.0], 1.5, 101);
        let [(a, a_sup), (b, b_sup)] = landscape_records(&ls);
        assert_eq!(
            (a.len(), a_sup.len(), b.len(), b_sup.len()),
            (101, 101, 101, 101)
        );
        // s = 0 is the middle of the grid: SSL loss 1 for every γ, supervised (c* − 0)²
        let mid = &a[50];
        assert!(mid.t.abs() < 1e-12, "{}", mid.t);
        assert!(mid.eigenvalues.iter().all(|l| (l - 1.0).abs() < 1e-12));
        assert!(a_sup[50]
            .eigenvalues
            .iter()
            .all(|l| (l - C_STAR * C_STAR).abs() < 1e-12));
        // SSL (1 − γ s²)² at the grid's s, for γ = 4
        let r = &a[80];
        assert!(r.t > 0.1);
        assert!((r.eigenvalues[1] - (1.0 - 4.0 * r.t * r.t).powi(2)).abs() < 1e-9);
        // panel B, rescaled as drawn: both trajectories end near 1
        let end = b.last().unwrap();
        assert_eq!(end.t, *ls.times.last().unwrap());
        assert!((end.eigenvalues[1] - 2.0 * ls.ssl[1][100]).abs() < 1e-12);
        assert!((b_sup[100].eigenvalues[0] - ls.supervised[0][100] / C_STAR).abs() < 1e-12);
    }

    #[test]
    fn clipping_cuts_at_the_top() {
        let pts = [(0.0, 3.0), (1.0, 1.0), (2.0, 0.0), (3.0, 1.0), (4.0, 3.0)];
        let runs = clip_above(&pts, 2.0);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].first(), Some(&(0.5, 2.0)));
        assert_eq!(runs[0].last(), Some(&(3.5, 2.0)));
        let range: Range<f64> = 0.0..2.0;
        assert!(runs[0].iter().all(|p| range.contains(&p.1) || p.1 == 2.0));
    }
}
