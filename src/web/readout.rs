//! Hover readouts: what the pointer over a drawn figure reads (the experiment and the theory
//! at the nearest record, see `experiment::replay::readout`), with the curve's colour.

use serde::Serialize;

use super::cells::Drawing;
use crate::experiment::replay::{readout, Readout};
use crate::experiment::Record;
use crate::plot::{curve_hex, with_scheme, PanelKind};

/// A readout with the panel it was read on, the point it reports and its curve's colour.
#[derive(Serialize)]
pub struct PanelReadout {
    /// Index of the panel, left to right.
    pub panel: usize,
    pub kind: PanelKind,
    #[serde(flatten)]
    pub readout: Readout,
    /// Backing-store pixel of the reported point (the experiment's value at `t`): the page
    /// marks it on the curve; `None` when it cannot be placed (t ≤ 0 on a log axis).
    pub at: Option<[f64; 2]>,
    /// CSS colour of the reported curve (the mode's, or the loss's ink) in the figure's
    /// scheme.
    pub color: String,
}

/// The records one panel draws: the experiment, and the theory at the same times (or none).
pub type PanelSource<'a> = (&'a [Record], &'a [Record]);

/// What the pointer at backing-store pixel (x, y) reads on `drawn`, panel i from
/// `sources[i]`: `None` off the panels.
pub fn figure_readout(
    drawn: &Drawing,
    sources: &[PanelSource<'_>],
    x: f64,
    y: f64,
) -> Option<PanelReadout> {
    let (panel, geo) = drawn.layout.panel_at(x, y)?;
    let (records, theory) = sources.get(panel)?;
    let value = (geo.kind == PanelKind::Modes).then(|| geo.value_at(y));
    let readout = readout(records, theory, geo.t_at(x), value)?;
    let at = geo
        .x_of(readout.t)
        .map(|px| [px, geo.y_of(readout.experiment)]);
    let color = with_scheme(drawn.scheme, || curve_hex(readout.mode.map(|j| j - 1)));
    Some(PanelReadout {
        panel,
        kind: geo.kind,
        readout,
        at,
        color,
    })
}
