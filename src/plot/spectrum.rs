//! SSL as kernel PCA (Section 5): Γ's spectrum with the d learned modes highlighted, and the
//! learned directions drawn as crop x crop RGB images in the order they are learned.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::landscape::{min_max, padded, to_svg};
use super::panels::{draw_panels, draw_path, Dot, Line, PanelData, Polyline};
use super::style::RIGHT_MARGIN;
use super::style::{axis, background, mode_color, Theme};
use super::{draw_err, PlotError};

/// Gap between images and around the grid, in default-size pixels.
const GAP: f64 = 14.0;
/// Height of the "j = …" line under each image, in default-size pixels.
const LABEL_H: f64 = 28.0;

/// Draws Γ's top eigenvalues `gamma_top` (descending) as stems, on a log axis when all are
/// positive (else linear from min(0, γ)), the top `d` in their mode colours, numbered and
/// keyed "learned", the rest grey. Non-finite values are skipped.
pub fn draw_spectrum<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    gamma_top: &[f64],
    d: usize,
) -> Result<(), PlotError> {
    let theme = Theme::for_size(root.dim_in_pixel());
    root.fill(&background()).map_err(draw_err)?;
    draw_panels(root, &[spectrum_panel(gamma_top, d)], &theme)?;
    root.present().map_err(draw_err)
}

/// Renders [`draw_spectrum`] to a standalone SVG document of `size` pixels.
pub fn spectrum_svg(gamma_top: &[f64], d: usize, size: (u32, u32)) -> Result<String, PlotError> {
    to_svg(size, |root| draw_spectrum(root, gamma_top, d))
}

fn spectrum_panel(gamma_top: &[f64], d: usize) -> PanelData {
    let finite = gamma_top
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, g)| g.is_finite());
    let finite: Vec<(usize, f64)> = finite.collect();
    let (lo, hi) = min_max(finite.iter().map(|p| p.1));
    let log = lo.is_finite() && lo > 0.0;
    let y = if log {
        0.5 * lo..2.0 * hi
    } else {
        padded(lo.min(0.0), hi.max(0.0), 0.1)
    };
    let base = if log { y.start } else { 0.0 };
    let x = 0.5..gamma_top.len().max(1) as f64 + 0.5;
    let mut p = PanelData::new("", "spectrum of Γ: SSL learns its top d modes", x, y);
    p.log_y = log;
    p.integer_x = true;
    for (i, g) in finite {
        let (at, learned) = ((i + 1) as f64, i < d);
        let color = if learned { mode_color(i) } else { axis() };
        let line = if learned { Line::Solid } else { Line::Thin };
        p.lines.push(Polyline {
            points: vec![(at, base), (at, g)],
            color,
            line,
        });
        let label = learned.then(|| (i + 1).to_string());
        p.dots.push(Dot {
            at: (at, g),
            color,
            filled: learned,
            label,
        });
    }
    p.key = vec![
        (format!("learned (top d = {d})"), mode_color(0), Line::Solid),
        ("not learned".into(), axis(), Line::Thin),
    ];
    p.x_desc = "j".into();
    p.y_desc = "eigenvalue γⱼ of Γ".into();
    p
}

/// A direction as RGB bytes, normalized symmetrically: 0.5 + v / (2 max|v|), so 0 is mid
/// grey and the largest |entry| is 0 or 255 (all zero: all grey). Non-finite entries are grey.
pub fn direction_rgb(v: &[f32]) -> Vec<u8> {
    let peak = v
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f32, |p, x| p.max(x.abs()));
    let scale = if peak > 0.0 { 0.5 / peak } else { 0.0 };
    let byte = |x: f32| {
        let x = if x.is_finite() { x } else { 0.0 };
        ((0.5 + x * scale).clamp(0.0, 1.0) * 255.0).round() as u8
    };
    v.iter().map(|&x| byte(x)).collect()
}

/// Draws the learned `directions` (each a crop x crop x 3 image, row-major, RGB innermost,
/// as from `experiment::cells::learned_directions`) in a grid of as few rows as keeps them
/// large, labelled j = 1, 2, … in the given (learning) order. Each image is normalized by
/// [`direction_rgb`].
pub fn draw_directions<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    directions: &[Vec<f32>],
    crop: usize,
) -> Result<(), PlotError> {
    check_directions(directions, crop)?;
    let theme = Theme::for_size(root.dim_in_pixel());
    root.fill(&background()).map_err(draw_err)?;
    let title = "learned directions (right singular vectors of W), in learning order";
    let body = draw_header(
        root,
        &PanelData::new("", title, 0.0..1.0, 0.0..1.0),
        1,
        &theme,
    )?;
    let (gap, label_h) = (theme.offset(GAP), theme.offset(LABEL_H));
    let (cols, side) = grid_layout(body.dim_in_pixel(), directions.len(), gap, label_h);
    let used = cols as i32 * (side + gap) - gap;
    let left = (i32::try_from(body.dim_in_pixel().0).unwrap_or(0) - used) / 2;
    let font = theme.small().pos(Pos::new(HPos::Center, VPos::Top));
    for (j, v) in directions.iter().enumerate() {
        let (row, col) = ((j / cols) as i32, (j % cols) as i32);
        let origin = (
            left + col * (side + gap),
            gap + row * (side + gap + label_h),
        );
        draw_image(&body, &direction_rgb(v), crop, origin, side)?;
        let label_at = (origin.0 + side / 2, origin.1 + side + theme.offset(6.0));
        body.draw_text(&format!("j = {}", j + 1), &font, label_at)
            .map_err(draw_err)?;
    }
    root.present().map_err(draw_err)
}

/// Renders [`draw_directions`] to a standalone SVG document of `size` pixels.
pub fn directions_svg(
    directions: &[Vec<f32>],
    crop: usize,
    size: (u32, u32),
) -> Result<String, PlotError> {
    to_svg(size, |root| draw_directions(root, directions, crop))
}

fn check_directions(directions: &[Vec<f32>], crop: usize) -> Result<(), PlotError> {
    let want = 3 * crop * crop;
    let bad = directions.iter().enumerate().find(|(_, v)| v.len() != want);
    match bad {
        _ if crop == 0 => Err(PlotError::Draw("crop must be at least 1".into())),
        Some((j, v)) => Err(PlotError::Draw(format!(
            "direction {} has {} entries; a {crop}x{crop} RGB image has {want}",
            j + 1,
            v.len()
        ))),
        None => Ok(()),
    }
}

/// The column count and image side (pixels) that make `n` square images with labels as
/// large as possible in an area of `(w, h)` pixels.
fn grid_layout((w, h): (u32, u32), n: usize, gap: i32, label_h: i32) -> (usize, i32) {
    if n == 0 {
        return (1, 1);
    }
    let (w, h) = (i32::try_from(w).unwrap_or(0), i32::try_from(h).unwrap_or(0));
    let side_for = |cols: usize| {
        let rows = n.div_ceil(cols) as i32;
        let by_w = (w - gap * (cols as i32 + 1)) / cols as i32;
        let by_h = (h - gap - rows * (gap + label_h)) / rows;
        by_w.min(by_h)
    };
    (1..=n)
        .map(|cols| (cols, side_for(cols)))
        .max_by_key(|&(cols, side)| (side, std::cmp::Reverse(cols)))
        .map_or((1, 1), |(cols, side)| (cols, side.max(1)))
}

/// One image of crop x crop RGB `bytes`, `side` pixels square at `origin`, framed.
fn draw_image<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bytes: &[u8],
    crop: usize,
    (x0, y0): (i32, i32),
    side: i32,
) -> Result<(), PlotError> {
    let edge = |k: usize| (k as i64 * i64::from(side) / crop as i64) as i32;
    for (k, px) in bytes.chunks_exact(3).enumerate() {
        let (r, c) = (k / crop, k % crop);
        let color = RGBColor(px[0], px[1], px[2]);
        let corners = [
            (x0 + edge(c), y0 + edge(r)),
            (x0 + edge(c + 1), y0 + edge(r + 1)),
        ];
        area.draw(&Rectangle::new(corners, color.filled()))
            .map_err(draw_err)?;
    }
    let frame = [(x0, y0), (x0 + side, y0 + side)];
    area.draw(&Rectangle::new(frame, axis().stroke_width(1)))
        .map_err(draw_err)
}

/// Where a header puts its title and key entries.
pub(super) struct HeaderLayout {
    /// Header rows: 1, or more when the key wraps below the title.
    pub rows: u32,
    title_x: i32,
    /// Left end and row of each key entry.
    entries: Vec<(i32, u32)>,
}

/// Header geometry, in default-size pixels: first row, further rows, key sample, gaps.
/// (Rows as tall as a browser measures the text: about 1.4 × the font size.)
const ROW_H: f64 = 44.0;
const KEY_ROW_H: f64 = 30.0;
const SAMPLE_W: f64 = 26.0;
const SAMPLE_GAP: f64 = 6.0;
const ENTRY_SPACING: f64 = 18.0;

fn key_font(theme: &Theme) -> TextStyle<'static> {
    theme.small().pos(Pos::new(HPos::Left, VPos::Center))
}

/// The key right of the title when it fits on the first row, else wrapped onto rows below
/// it, starting under the title.
pub(super) fn header_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PanelData,
    theme: &Theme,
) -> Result<HeaderLayout, PlotError> {
    let (sample, spacing) = (
        theme.offset(SAMPLE_W + SAMPLE_GAP),
        theme.offset(ENTRY_SPACING),
    );
    let mut widths = Vec::with_capacity(p.key.len());
    for (text, _, _) in &p.key {
        widths.push(sample + text_width(area, text, &key_font(theme))?);
    }
    let key_w = widths.iter().map(|w| w + spacing).sum::<i32>() - spacing;
    let title_x = theme.offset(if p.letter.is_empty() { 12.0 } else { 42.0 });
    let title_end = title_x + text_width(area, &p.title, &theme.title())? + theme.offset(24.0);
    let right =
        i32::try_from(area.dim_in_pixel().0).unwrap_or(i32::MAX) - theme.offset(RIGHT_MARGIN);
    let mut entries = Vec::with_capacity(widths.len());
    let (mut x, mut row) = if title_end + key_w <= right {
        (right - key_w, 0)
    } else {
        (title_x, 1)
    };
    for w in widths {
        if row > 0 && x > title_x && x + w > right {
            (x, row) = (title_x, row + 1);
        }
        entries.push((x, row));
        x += w + spacing;
    }
    let rows = 1 + entries.last().map_or(0, |e| e.1);
    Ok(HeaderLayout {
        rows,
        title_x,
        entries,
    })
}

/// Letter, title and key on at least `min_rows` header rows; returns the area below.
pub(super) fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PanelData,
    min_rows: u32,
    theme: &Theme,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let layout = header_layout(area, p, theme)?;
    let rows = layout.rows.max(min_rows).max(1);
    let head_h = theme.px(ROW_H) + (rows - 1) * theme.px(KEY_ROW_H);
    let (head, body) = area.split_vertically(head_h);
    let (x, y) = (theme.offset(12.0), theme.offset(8.0));
    head.draw_text(p.letter, &theme.letter(), (x, y))
        .map_err(draw_err)?;
    let title_at = (layout.title_x, y + theme.offset(2.0));
    head.draw_text(&p.title, &theme.title(), title_at)
        .map_err(draw_err)?;
    let (sample_w, gap) = (theme.offset(SAMPLE_W), theme.offset(SAMPLE_GAP));
    for ((text, color, line), &(kx, row)) in p.key.iter().zip(&layout.entries) {
        // beside the title on the first row, else centred on its own row below it
        let ky = theme.offset(match row {
            0 => ROW_H / 2.0 + 2.0,
            r => ROW_H + KEY_ROW_H * (f64::from(r) - 0.5),
        });
        draw_path(
            &head,
            vec![(kx, ky), (kx + sample_w, ky)],
            *color,
            *line,
            theme,
        )?;
        head.draw_text(text, &key_font(theme), (kx + sample_w + gap, ky))
            .map_err(draw_err)?;
    }
    Ok(body)
}

fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle<'_>,
) -> Result<i32, PlotError> {
    let (w, _) = area.estimate_text_size(text, font).map_err(draw_err)?;
    Ok(i32::try_from(w).unwrap_or(0))
}
