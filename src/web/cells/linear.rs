//! Cell 1 (Figure 1 A/B, a live linear run) and cell 2 (its learned directions) for the page:
//! the figure with the replay cursor, hover readouts, replay, downloads and the directions.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{not_in_cell, to_value, CreateRequest, Drawing, WebCell};
use crate::data::photos::Photo;
use crate::experiment::python_export::python_bundle_zip;
use crate::experiment::replay::state_at;
use crate::experiment::session::{Cell, LinearCell, Session};
use crate::experiment::{crossing_times, query, RunError};
use crate::plot::{linear_figure_svg, FigureOptions};
use crate::web::canvas::{self, Drawn, Screen};
use crate::web::directions::{directions, Directions};
use crate::web::error::HostError;
use crate::web::export::records_csv;
use crate::web::page_session::Exported;
use crate::web::photos;
use crate::web::protocol::{CellId, ExportFormat, Extra, View};
use crate::web::readout::figure_readout;

/// The directions at a snapshot, with its time.
#[derive(Serialize)]
struct SnapshotDirections {
    step: u64,
    t: f64,
    #[serde(flatten)]
    directions: Directions,
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

    fn info(session: &Session<Self>, requested: &<Self as Cell>::Config) -> Map<String, Value> {
        let prep = session.prepared();
        let Value::Object(map) = json!({
            "backend_name": session.live().backend,
            "local_images": prep.local_images.unwrap_or(0),
            "config": to_value(requested),
            "resolved_config": to_value(&prep.config),
            "share_query": query::compact(requested),
            "total": prep.steps(),
        }) else {
            return Map::new();
        };
        map
    }

    fn draw(
        session: &Session<Self>,
        _figure: &str,
        screen: &Screen,
        view: &View,
    ) -> Result<Drawn, HostError> {
        Ok(canvas::draw_linear(
            screen,
            session.live(),
            view.log_time,
            view.cursor,
        )?)
    }

    fn readout(
        session: &Session<Self>,
        _figure: &str,
        drawn: &Drawing,
        x: f64,
        y: f64,
    ) -> Option<Value> {
        let live = session.live();
        let source = (&live.records[..], &live.theory.records[..]);
        Some(to_value(&figure_readout(drawn, &[source, source], x, y)?))
    }

    fn export(
        session: &Session<Self>,
        format: ExportFormat,
        log_time: bool,
        _policy: Option<&str>,
    ) -> Result<Exported, HostError> {
        Ok(match format {
            ExportFormat::Json => Exported::Text(serde_json::to_string(&session.result())?),
            ExportFormat::Csv => Exported::Text(records_csv(&session.result())),
            ExportFormat::Svg => {
                let opts = FigureOptions {
                    log_time,
                    ..FigureOptions::default()
                };
                Exported::Text(
                    linear_figure_svg(&session.result(), &opts).map_err(canvas::DrawError::from)?,
                )
            }
            ExportFormat::Python => Exported::Bytes(python_bundle_zip(session.prepared())?),
            _ => {
                return Err(HostError::NotInCell {
                    cell: Self::ID,
                    what: "such download",
                })
            }
        })
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        let live = session.live();
        Ok(match extra {
            Extra::RecordTimes => to_value(&live.records.iter().map(|r| r.t).collect::<Vec<_>>()),
            Extra::ReplayState { t } => {
                to_value(&state_at(&live.records, &live.theory.records, *t))
            }
            Extra::CrossingTimes { threshold } => to_value(&crossing_times(
                &live.records,
                session.prepared().config.d,
                *threshold,
            )),
            Extra::SnapshotCount => json!(session.extras().taken.len()),
            Extra::ReplayDirections { t } => {
                let prep = session.prepared();
                let Some(snap) = session.extras().nearest(*t) else {
                    return Ok(Value::Null);
                };
                let w = snap.coords.weights(prep.eigen.vectors.as_ref());
                to_value(&SnapshotDirections {
                    step: snap.step,
                    t: snap.t,
                    directions: directions(prep, &w)?,
                })
            }
            Extra::Directions => {
                let (prep, engine, _) = session.parts_mut();
                let w = LinearCell::weights(engine).await.map_err(RunError::from)?;
                to_value(&directions(prep, &w)?)
            }
            other => return Err(not_in_cell(Self::ID, other)),
        })
    }
}
