//! The experiment / theory / step-time key, drawn in a panel's header so it never covers data.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::linear::{experiment_style, theory_style};
use super::style::{faint, ink, Theme};
use super::{draw_err, PlotError};

/// How an entry's sample is drawn.
#[derive(Clone, Copy)]
enum Sample {
    Solid,
    Dashed,
    /// A short vertical line, like the step-time markers.
    Tick,
}

/// Draws the key in one row, right-aligned `right_margin` pixels from the header's right
/// edge, but never left of `free_x` (the end of the title).
pub(super) fn draw_key<DB: DrawingBackend>(
    head: &DrawingArea<DB, Shift>,
    free_x: i32,
    right_margin: i32,
    step_times: bool,
    theme: &Theme,
) -> Result<(), PlotError> {
    let mut entries = vec![("experiment", Sample::Solid), ("theory", Sample::Dashed)];
    if step_times {
        entries.push(("step times τⱼ", Sample::Tick));
    }
    let font = theme.small().pos(Pos::new(HPos::Left, VPos::Center));
    let (sample_w, gap, spacing) = (theme.offset(26.0), theme.offset(6.0), theme.offset(18.0));
    let mut widths = Vec::with_capacity(entries.len());
    for (text, _) in &entries {
        let (w, _) = head.estimate_text_size(text, &font).map_err(draw_err)?;
        widths.push(sample_w + gap + i32::try_from(w).unwrap_or(0));
    }
    let total: i32 = widths.iter().sum::<i32>() + spacing * (widths.len() as i32 - 1);
    let (head_w, head_h) = head.dim_in_pixel();
    let right = i32::try_from(head_w).unwrap_or(i32::MAX) - right_margin;
    let mut x = (right - total).max(free_x);
    let y = i32::try_from(head_h / 2).unwrap_or(0) + theme.offset(4.0);
    for ((text, sample), width) in entries.iter().zip(&widths) {
        draw_sample(head, *sample, (x, y), sample_w, theme)?;
        head.draw_text(text, &font, (x + sample_w + gap, y))
            .map_err(draw_err)?;
        x += width + spacing;
    }
    Ok(())
}

/// One entry's line sample, `len` pixels wide, starting at (x, y).
fn draw_sample<DB: DrawingBackend>(
    head: &DrawingArea<DB, Shift>,
    sample: Sample,
    (x, y): (i32, i32),
    len: i32,
    theme: &Theme,
) -> Result<(), PlotError> {
    let line = vec![(x, y), (x + len, y)];
    match sample {
        Sample::Solid => head.draw(&PathElement::new(line, experiment_style(ink(), theme))),
        Sample::Dashed => {
            let (dash, gap) = theme.dash();
            head.draw(&DashedPathElement::new(
                line,
                dash,
                gap,
                theory_style(ink(), theme),
            ))
        }
        Sample::Tick => {
            let (mid, half) = (x + len / 2, theme.offset(8.0));
            let style = faint().stroke_width(theme.px(2.0));
            head.draw(&PathElement::new(
                vec![(mid, y - half), (mid, y + half)],
                style,
            ))
        }
    }
    .map_err(draw_err)
}
