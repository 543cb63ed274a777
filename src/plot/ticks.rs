//! Axis ranges and tick text that follow the data: a symmetric range around 0 for signed
//! differences, and tick labels that read "0" where floating-point tick arithmetic leaves
//! a residue such as -1.39e-17.

use std::ops::Range;

use super::style::tick_label;

/// Head room above the largest |value| of a symmetric range.
const SYMMETRIC_MARGIN: f64 = 0.1;

/// Ticks closer to 0 than this fraction of the axis span read "0".
const ZERO_SNAP: f64 = 1e-12;

/// −s..s with s = 1.1 · `max_abs`: a difference panel scaled to its data, so a gap of 4e-4
/// fills the panel; ±1 when there is no finite, positive gap to show.
pub(super) fn symmetric_range(max_abs: f64) -> Range<f64> {
    if max_abs.is_finite() && max_abs > 0.0 {
        let s = (1.0 + SYMMETRIC_MARGIN) * max_abs;
        -s..s
    } else {
        -1.0..1.0
    }
}

/// [`tick_label`] with |v| < 1e-12 · span snapped to "0".
pub(super) fn axis_tick_label(v: f64, range: &Range<f64>) -> String {
    let span = (range.end - range.start).abs();
    if v.abs() < ZERO_SNAP * span {
        "0".into()
    } else {
        tick_label(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_difference_fills_its_symmetric_range() {
        let r = symmetric_range(4e-4);
        assert!((r.end - 4.4e-4).abs() < 1e-15 && (r.start + 4.4e-4).abs() < 1e-15);
        assert_eq!(symmetric_range(0.0), -1.0..1.0);
        assert_eq!(symmetric_range(f64::NAN), -1.0..1.0);
    }

    #[test]
    fn floating_point_residue_at_zero_reads_zero() {
        let r = -0.11..0.11;
        assert_eq!(axis_tick_label(-1.39e-17, &r), "0");
        assert_eq!(axis_tick_label(0.05, &r), "0.05");
        assert_eq!(axis_tick_label(-0.1, &r), "-0.1");
        // a genuinely small tick on a small axis keeps its value
        let small = -4.4e-4..4.4e-4;
        assert_eq!(axis_tick_label(-2e-4, &small), "-2e-4");
        assert_eq!(axis_tick_label(3e-20, &small), "0");
    }
}
