//! Where a drawn figure's panels lie in pixels, and the mapping between pixels and data.
//!
//! [`draw_linear_figure_at`](super::draw_linear_figure_at) returns a [`FigureLayout`]; the
//! browser keeps it to turn a pointer position into a time and a value (hover readouts)
//! without redrawing. The mapping is plotters' own (linear or natural-log time axis, the
//! plotting area's last pixel column/row included), as plain float math.

use std::ops::Range;

use serde::Serialize;

use super::record::TextBox;

/// Pixel ranges (x, y) of a plotting area, end exclusive, as plotters gives them.
pub type Pixels = (Range<i32>, Range<i32>);

/// What a panel plots on its y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    /// The loss against time.
    Loss,
    /// One curve per mode (eigenvalues) against time.
    Modes,
    /// Horizontal bars: x is the speedup over the baseline (log), y counts bar slots (not
    /// time).
    Bars,
}

/// One panel's plotting area in backend pixels and the data range it shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelGeometry {
    pub kind: PanelKind,
    /// Pixel column of the first and of the last time (left < right).
    pub left: f64,
    pub right: f64,
    /// Pixel row of the largest and of the smallest y value (top < bottom).
    pub top: f64,
    pub bottom: f64,
    /// Time range, logarithmic when `log_time`.
    pub t0: f64,
    pub t1: f64,
    pub log_time: bool,
    /// Value range, bottom to top.
    pub y0: f64,
    pub y1: f64,
}

impl PanelGeometry {
    /// The geometry of a plotters plotting area `(x, y)` (its pixel range, end exclusive)
    /// showing `t` (log or linear) against `y`.
    pub fn new(
        kind: PanelKind,
        (x, y): Pixels,
        t: Range<f64>,
        log_time: bool,
        values: Range<f64>,
    ) -> Self {
        Self {
            kind,
            left: f64::from(x.start),
            right: f64::from(x.end - 1),
            top: f64::from(y.start),
            bottom: f64::from(y.end - 1),
            t0: t.start,
            t1: t.end,
            log_time,
            y0: values.start,
            y1: values.end,
        }
    }

    /// Whether the pixel lies inside the plotting area (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.left..=self.right).contains(&x) && (self.top..=self.bottom).contains(&y)
    }

    /// The pixel column of time `t` (`None` when `t` cannot be placed: t ≤ 0 on a log axis).
    pub fn x_of(&self, t: f64) -> Option<f64> {
        let frac = if self.log_time {
            if !(t > 0.0 && self.t0 > 0.0) {
                return None;
            }
            (t / self.t0).ln() / (self.t1 / self.t0).ln()
        } else {
            (t - self.t0) / (self.t1 - self.t0)
        };
        frac.is_finite()
            .then_some(self.left + frac * (self.right - self.left))
    }

    /// The time at pixel column `x` (extrapolated outside the area).
    pub fn t_at(&self, x: f64) -> f64 {
        let frac = (x - self.left) / (self.right - self.left);
        if self.log_time {
            self.t0 * (self.t1 / self.t0).powf(frac)
        } else {
            self.t0 + frac * (self.t1 - self.t0)
        }
    }

    /// The pixel row of value `v`.
    pub fn y_of(&self, v: f64) -> f64 {
        let frac = (v - self.y0) / (self.y1 - self.y0);
        self.bottom + frac * (self.top - self.bottom)
    }

    /// The value at pixel row `y`.
    pub fn value_at(&self, y: f64) -> f64 {
        let frac = (self.bottom - y) / (self.bottom - self.top);
        self.y0 + frac * (self.y1 - self.y0)
    }
}

/// Every panel of one drawn figure, left to right, and (when drawn through a
/// [`Recorder`](super::record::Recorder)) every text with its box and the figure's size.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FigureLayout {
    pub panels: Vec<PanelGeometry>,
    /// The figure's size in backend pixels (0 × 0 when not recorded).
    pub width: u32,
    pub height: u32,
    /// Backend pixels per CSS pixel, and CSS text pixels per plotters font size.
    pub pixel_ratio: f64,
    pub css_text_per_size: f64,
    pub texts: Vec<TextBox>,
}

impl FigureLayout {
    /// The panel whose plotting area holds the pixel, with its index.
    pub fn panel_at(&self, x: f64, y: f64) -> Option<(usize, &PanelGeometry)> {
        self.panels
            .iter()
            .enumerate()
            .find(|(_, p)| p.contains(x, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(log_time: bool, t: Range<f64>) -> PanelGeometry {
        PanelGeometry::new(PanelKind::Modes, (100..301, 50..151), t, log_time, 0.0..2.0)
    }

    #[test]
    fn linear_time_maps_both_ways() {
        let p = panel(false, 0.0..10.0);
        assert_eq!(
            (p.left, p.right, p.top, p.bottom),
            (100.0, 300.0, 50.0, 150.0)
        );
        assert_eq!(p.x_of(0.0), Some(100.0));
        assert_eq!(p.x_of(2.5), Some(150.0));
        assert_eq!(p.x_of(10.0), Some(300.0));
        assert!((p.t_at(150.0) - 2.5).abs() < 1e-12);
        assert_eq!(p.y_of(0.0), 150.0);
        assert_eq!(p.y_of(2.0), 50.0);
        assert_eq!(p.y_of(0.5), 125.0);
        assert!((p.value_at(125.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn log_time_maps_decades_evenly() {
        let p = panel(true, 0.1..1000.0);
        // four decades over 200 px: 50 px each
        assert!((p.x_of(1.0).unwrap() - 150.0).abs() < 1e-9);
        assert!((p.x_of(100.0).unwrap() - 250.0).abs() < 1e-9);
        assert!((p.t_at(200.0) - 10.0).abs() < 1e-9);
        assert_eq!(p.x_of(0.0), None);
        assert_eq!(p.x_of(-1.0), None);
    }

    #[test]
    fn panel_at_finds_the_area_under_the_pointer() {
        let a = panel(false, 0.0..1.0);
        let mut b = a.clone();
        b.left += 400.0;
        b.right += 400.0;
        let layout = FigureLayout {
            panels: vec![a, b],
            ..FigureLayout::default()
        };
        assert_eq!(layout.panel_at(120.0, 60.0).map(|p| p.0), Some(0));
        assert_eq!(layout.panel_at(520.0, 60.0).map(|p| p.0), Some(1));
        assert_eq!(layout.panel_at(350.0, 60.0).map(|p| p.0), None);
        assert_eq!(layout.panel_at(120.0, 10.0).map(|p| p.0), None);
    }
}
