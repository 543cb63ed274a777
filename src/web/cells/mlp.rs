//! Cells 5 ("A wide network") and 6 ("Hidden representations learn in steps too") for the
//! page: one MLP session, two figures (`main`: loss, embedding and hidden eigenvalues;
//! `hidden`: the hidden spectrum's change against the embedding's steps).

use serde_json::{json, Map, Value};

use super::{not_in_cell, to_value, CreateRequest, Drawing, WebCell};
use crate::experiment::mlp::{LossKind, MlpConfig};
use crate::experiment::query;
use crate::experiment::session::{BackendKind, Cell, Engine, MlpCell, Session};
use crate::plot::FigureOptions;
use crate::plot::{hidden_as_records, hidden_figure_svg, hidden_rate_records, mlp_figure_svg};
use crate::web::canvas::{self, DrawError, Drawn, Screen};
use crate::web::error::HostError;
use crate::web::mlp_summary::summarize;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra, View};
use crate::web::readout::figure_readout;

/// The figure named `figure` is cell 6's own.
fn is_hidden(figure: &str) -> bool {
    figure == "hidden"
}

/// The configuration run: the requested one, or the CPU fallback's (automatic `lr`/`steps`
/// kept automatic either way).
fn run_config<'a>(session: &'a Session<MlpCell>, requested: &'a MlpConfig) -> &'a MlpConfig {
    match (session.engine(), &session.prepared().fallback) {
        (Engine::Cpu(_), Some(fallback)) => &fallback.config,
        _ => requested,
    }
}

impl WebCell for MlpCell {
    const ID: CellId = CellId::Mlp;

    fn for_request(request: &CreateRequest) -> Self {
        MlpCell {
            auto_size: request.auto_size,
        }
    }

    fn gpu_device(gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        Some(gpu.run.backend().device().clone())
    }

    fn info(session: &Session<Self>, requested: &<Self as Cell>::Config) -> Map<String, Value> {
        let resolved = MlpCell::run_config(session.engine());
        let run = run_config(session, requested);
        let estimate = (session.choice().kind == BackendKind::Cpu)
            .then(|| run.cpu_estimate(session.progress().total as u64, true));
        let Value::Object(map) = json!({
            "backend_name": session.live().backend,
            "local_images": session.live().local_images.unwrap_or(0),
            "config": to_value(run),
            "resolved_config": to_value(resolved),
            "share_query": query::compact(run),
            "reduced_for_cpu": run != requested,
            "estimate": to_value(&estimate),
        }) else {
            return Map::new();
        };
        map
    }

    fn draw(
        session: &Session<Self>,
        figure: &str,
        screen: &Screen,
        view: &View,
    ) -> Result<Drawn, HostError> {
        let live = session.live();
        Ok(if is_hidden(figure) {
            canvas::draw_hidden(screen, live, view.log_time)?
        } else {
            canvas::draw_mlp(screen, live, view.log_time)?
        })
    }

    fn readout(
        session: &Session<Self>,
        figure: &str,
        drawn: &Drawing,
        x: f64,
        y: f64,
    ) -> Option<Value> {
        let live = session.live();
        if is_hidden(figure) {
            let rate = hidden_rate_records(live);
            let r = figure_readout(drawn, &[(&rate[..], &[][..])], x, y)?;
            return Some(to_value(&r));
        }
        let barlow = live.config.loss == LossKind::BarlowTwins && live.config.ntk_regime();
        let theory = if barlow {
            &live.theory.records[..]
        } else {
            &[]
        };
        let hidden = hidden_as_records(live);
        let sources = [
            (&live.records[..], theory),
            (&live.records[..], theory),
            (&hidden[..], &[][..]),
        ];
        Some(to_value(&figure_readout(drawn, &sources, x, y)?))
    }

    fn export(
        session: &Session<Self>,
        format: ExportFormat,
        log_time: bool,
        _policy: Option<&str>,
    ) -> Result<Exported, HostError> {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        let svg = |s: Result<String, _>| s.map(Exported::Text).map_err(DrawError::from);
        Ok(match format {
            ExportFormat::Json => Exported::Text(serde_json::to_string(&session.result())?),
            ExportFormat::Svg => svg(mlp_figure_svg(&session.result(), &opts))?,
            ExportFormat::HiddenSvg => svg(hidden_figure_svg(&session.result(), &opts))?,
            _ => {
                return Err(HostError::NotInCell {
                    cell: Self::ID,
                    what: "such download",
                })
            }
        })
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => Ok(to_value(&summarize(session.live()))),
            other => Err(not_in_cell(Self::ID, other)),
        }
    }
}
