//! Cells 5 ("A wide network") and 6 ("Hidden representations learn in steps too") for the
//! page: one MLP session, two figures (`main`: loss, embedding and hidden eigenvalues;
//! `hidden`: the hidden spectrum's change against the embedding's steps).

use serde_json::{Map, Value};

use super::{no_download, not_in_cell, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::mlp::{LossKind, MlpConfig};
use crate::experiment::query;
use crate::experiment::session::{BackendKind, Cell, Engine, MlpCell, Session};
use crate::plot::FigureOptions;
use crate::plot::{hidden_as_records, hidden_figure_svg, hidden_rate_records, mlp_figure_svg};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::mlp_summary::summarize;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

/// The figure named `figure` is cell 6's own.
fn is_hidden(figure: &str) -> bool {
    figure == "hidden"
}

/// The configuration run: the requested one, or the CPU fallback's (automatic `lr`/`steps`
/// kept automatic either way).
fn run_config(session: &Session<MlpCell>) -> &MlpConfig {
    let plan = session.prepared();
    match (session.engine(), &plan.fallback) {
        (Engine::Cpu(_), Some(fallback)) => &fallback.config,
        _ => &plan.requested,
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

    fn info(session: &Session<Self>) -> Map<String, Value> {
        let live = session.live();
        let run = run_config(session);
        let estimate = (session.choice().kind == BackendKind::Cpu)
            .then(|| run.cpu_estimate(session.progress().total as u64, true));
        let mut map = Map::new();
        map.insert("backend_name".into(), live.backend.clone().into());
        map.insert("local_images".into(), live.local_images.unwrap_or(0).into());
        map.insert(
            "resolved_config".into(),
            to_value(MlpCell::run_config(session.engine())),
        );
        map.insert(
            "reduced_for_cpu".into(),
            (run != &session.prepared().requested).into(),
        );
        map.insert("estimate".into(), to_value(&estimate));
        // the configuration run (the CPU fallback's data), for the form and the link
        map.insert("config".into(), to_value(run));
        map.insert("share_query".into(), query::compact(run).into());
        map
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let (live, screen, log) = (session.live(), &target.screen, target.view.log_time);
        Ok(if is_hidden(target.figure) {
            canvas::draw_hidden(screen, live, log)?
        } else {
            canvas::draw_mlp(screen, live, log)?
        })
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let live = session.live();
        if is_hidden(at.figure) {
            let rate = hidden_rate_records(live);
            let r = figure_readout(at.drawn, &[(&rate[..], &[][..])], at.x, at.y)?;
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
        Some(to_value(&figure_readout(at.drawn, &sources, at.x, at.y)?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let opts = FigureOptions {
            log_time: download.log_time,
            ..FigureOptions::default()
        };
        let result = session.result();
        let text = match download.format {
            ExportFormat::Json => serde_json::to_string(&result)?,
            ExportFormat::Svg => mlp_figure_svg(&result, &opts).map_err(DrawError::from)?,
            ExportFormat::HiddenSvg => {
                hidden_figure_svg(&result, &opts).map_err(DrawError::from)?
            }
            _ => return Err(no_download(Self::ID)),
        };
        Ok(Exported::Text(text))
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => Ok(to_value(&summarize(session.live()))),
            other => Err(not_in_cell(Self::ID, other)),
        }
    }
}
