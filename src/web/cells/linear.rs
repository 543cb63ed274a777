//! Cell 1 (Figure 1 A/B, a live linear run) and cell 2 (its learned directions) for the page:
//! the figure with the replay cursor, hover readouts, replay, downloads and the directions.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{no_download, not_in_cell, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::data::photos::Photo;
use crate::experiment::python_export::python_bundle_zip;
use crate::experiment::replay::state_at;
use crate::experiment::session::{Cell, LinearCell, Session};
use crate::experiment::{crossing_times, RunError};
use crate::plot::{linear_figure_svg, FigureOptions};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::directions::{directions, Directions};
use crate::web::error::HostError;
use crate::web::export::records_csv;
use crate::web::page_session::Exported;
use crate::web::photos;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

/// The directions at a snapshot, with its time.
#[derive(Serialize)]
struct SnapshotDirections {
    step: u64,
    t: f64,
    #[serde(flatten)]
    directions: Directions,
}

/// The learned directions at the W snapshot nearest time `t` (null without snapshots).
fn directions_at(session: &Session<LinearCell>, t: f64) -> Result<Value, HostError> {
    let prep = session.prepared();
    let Some(snap) = session.extras().nearest(t) else {
        return Ok(Value::Null);
    };
    let w = snap.coords.weights(prep.eigen.vectors.as_ref());
    Ok(to_value(&SnapshotDirections {
        step: snap.step,
        t: snap.t,
        directions: directions(prep, &w)?,
    }))
}

impl WebCell for LinearCell {
    const ID: CellId = CellId::Linear;

    fn for_request(_request: &CreateRequest) -> Self {
        LinearCell
    }

    fn gpu_device(gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        Some(gpu.backend().device().clone())
    }

    fn photo_notices(session: &Session<Self>, active: &[Photo]) -> Vec<String> {
        let prep = session.prepared();
        match prep.local_images {
            Some(_) => photos::notices(active, prep.config.dataset.base),
            None => Vec::new(),
        }
    }

    fn info(session: &Session<Self>) -> Map<String, Value> {
        let prep = session.prepared();
        let mut map = Map::new();
        map.insert("backend_name".into(), session.live().backend.clone().into());
        map.insert("local_images".into(), prep.local_images.unwrap_or(0).into());
        map.insert("resolved_config".into(), to_value(&prep.config));
        map
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let view = target.view;
        let live = session.live();
        Ok(canvas::draw_linear(
            &target.screen,
            live,
            view.log_time,
            view.cursor,
        )?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let live = session.live();
        let source = (&live.records[..], &live.theory.records[..]);
        Some(to_value(&figure_readout(
            at.drawn,
            &[source, source],
            at.x,
            at.y,
        )?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        Ok(match download.format {
            ExportFormat::Json => Exported::Text(serde_json::to_string(&session.result())?),
            ExportFormat::Csv => Exported::Text(records_csv(&session.result())),
            ExportFormat::Svg => {
                let opts = FigureOptions {
                    log_time: download.log_time,
                    ..FigureOptions::default()
                };
                let svg = linear_figure_svg(&session.result(), &opts).map_err(DrawError::from)?;
                Exported::Text(svg)
            }
            ExportFormat::Python => Exported::Bytes(python_bundle_zip(session.prepared())?),
            _ => return Err(no_download(Self::ID)),
        })
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        let live = session.live();
        Ok(match extra {
            Extra::RecordTimes => to_value(&live.records.iter().map(|r| r.t).collect::<Vec<_>>()),
            Extra::ReplayState { t } => {
                to_value(&state_at(&live.records, &live.theory.records, *t))
            }
            Extra::CrossingTimes { threshold } => {
                let d = session.prepared().config.d;
                to_value(&crossing_times(&live.records, d, *threshold))
            }
            Extra::SnapshotCount => json!(session.extras().taken.len()),
            Extra::ReplayDirections { t } => directions_at(session, *t)?,
            Extra::Directions => {
                let (prep, engine, _) = session.parts_mut();
                let w = LinearCell::weights(engine).await.map_err(RunError::from)?;
                to_value(&directions(prep, &w)?)
            }
            other => return Err(not_in_cell(Self::ID, other)),
        })
    }
}
