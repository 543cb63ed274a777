//! Replay and hover readouts of a linear run: the state at a time, what the pointer is
//! over, and the learned directions at the nearest W snapshot.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::canvas::page_scheme;
use super::directions::{directions, Directions};
use super::js_error;
use super::session::LinearSession;
use crate::experiment::replay::{readout, state_at, Readout};
use crate::experiment::Record;
use crate::plot::{curve_hex, with_scheme, FigureLayout, PanelKind};

/// A readout with the panel it was read on, the point it reports and its curve's colour.
#[derive(Serialize)]
pub(super) struct PanelReadout {
    /// Index of the panel, left to right.
    pub panel: usize,
    pub kind: PanelKind,
    #[serde(flatten)]
    pub readout: Readout,
    /// Backing-store pixel of the reported point (the experiment's value at `t`): the page
    /// marks it on the curve; `None` when it cannot be placed (t ≤ 0 on a log axis).
    pub at: Option<[f64; 2]>,
    /// CSS colour of the reported curve (the mode's, or the loss's ink) in the page's scheme.
    pub color: String,
}

/// The records one panel draws: the experiment, and the theory at the same times (or none).
pub(super) type PanelSource<'a> = (&'a [Record], &'a [Record]);

/// What the pointer at backing-store pixel (x, y) reads on a figure drawn with `layout`,
/// panel i from `sources[i]`: `None` off the panels.
pub(super) fn figure_readout(
    layout: &FigureLayout,
    sources: &[PanelSource<'_>],
    x: f64,
    y: f64,
) -> Option<PanelReadout> {
    let (panel, geo) = layout.panel_at(x, y)?;
    let (records, theory) = sources.get(panel)?;
    let value = (geo.kind == PanelKind::Modes).then(|| geo.value_at(y));
    let readout = readout(records, theory, geo.t_at(x), value)?;
    let at = geo
        .x_of(readout.t)
        .map(|px| [px, geo.y_of(readout.experiment)]);
    let color = with_scheme(page_scheme(), || curve_hex(readout.mode.map(|j| j - 1)));
    Some(PanelReadout {
        panel,
        kind: geo.kind,
        readout,
        at,
        color,
    })
}

/// The directions at a snapshot, with its time.
#[derive(Serialize)]
struct SnapshotDirections {
    step: u64,
    t: f64,
    #[serde(flatten)]
    directions: Directions,
}

#[wasm_bindgen]
impl LinearSession {
    /// Where the panels of the last drawing lie, as JSON text `{panels: [{kind, left,
    /// right, top, bottom, t0, t1, log_time, y0, y1}]}` (backing-store pixels).
    pub fn layout_json(&self) -> Result<String, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        serde_json::to_string(&state.layout).map_err(js_error)
    }

    /// The times of the records so far (the replay scrubber steps through them).
    pub fn record_times(&self) -> Vec<f64> {
        self.inner
            .try_borrow()
            .map(|s| s.live.records.iter().map(|r| r.t).collect())
            .unwrap_or_default()
    }

    /// The run at the record nearest time `t`, as JSON text `{index, t, step, loss,
    /// eigenvalues, theory_loss, theory_eigenvalues}`; `undefined` without records.
    pub fn state_at(&self, t: f64) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        let live = &state.live;
        let s = state_at(&live.records, &live.theory.records, t)?;
        serde_json::to_string(&s).ok()
    }

    /// What the pointer at backing-store pixel (x, y) of the last drawing reads, as JSON
    /// text `{panel, kind, t, step, mode, experiment, theory, loss, theory_loss}` (`mode`
    /// 1-based, null on the loss panel); `undefined` off the panels.
    pub fn readout(&self, x: f64, y: f64) -> Option<String> {
        let state = self.inner.try_borrow().ok()?;
        let live = &state.live;
        let source = (&live.records[..], &live.theory.records[..]);
        let r = figure_readout(&state.layout, &[source, source], x, y)?;
        serde_json::to_string(&r).ok()
    }

    /// How many W snapshots the run has kept so far.
    pub fn snapshot_count(&self) -> usize {
        self.inner
            .try_borrow()
            .map_or(0, |s| s.snapshots.taken.len())
    }

    /// The learned directions at the W snapshot nearest time `t`, as the JSON text of
    /// `directions()` with the snapshot's `step` and `t`; `undefined` without snapshots.
    pub fn directions_at(&self, t: f64) -> Result<Option<String>, JsValue> {
        let state = self.inner.try_borrow().map_err(js_error)?;
        let Some(snap) = state.snapshots.nearest(t) else {
            return Ok(None);
        };
        let found = SnapshotDirections {
            step: snap.step,
            t: snap.t,
            directions: directions(
                &state.prep,
                &snap.coords.weights(state.prep.eigen.vectors.as_ref()),
            )
            .map_err(js_error)?,
        };
        serde_json::to_string(&found).map(Some).map_err(js_error)
    }
}
