//! Cells 8 ("Deep networks learn in steps too") and 9 ("Hidden representations and probes")
//! for the page: one deep-network session (docs/deep.md), three figures (`main`: loss and
//! embedding eigenvalues; `histogram`: Fig 4's eigenvalue histogram over time; `probes`:
//! hidden eigenvalues, probes and RankMe), a summary, and JSON, CSV and SVG downloads.

use std::fmt::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{no_download, not_in_cell, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::deep::{DeepResult, ProbeRecord, RankRecord};
use crate::experiment::session::{Cell, DeepCell, Session};
use crate::plot::deep::{chance_level, DeepFigure, DeepView};
use crate::plot::FigureOptions;
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

/// The figure the page names `figure` (the cell's first one when unknown).
fn figure_of(name: &str) -> DeepFigure {
    DeepFigure::parse(name).unwrap_or(DeepFigure::Steps)
}

impl WebCell for DeepCell {
    const ID: CellId = CellId::Deep;

    fn for_request(_request: &CreateRequest) -> Self {
        DeepCell
    }

    /// The device under a WebGPU run: `simulate_gpu_loss` destroys it, and the session
    /// resumes the same run on the CPU at the same step (docs/deep.md).
    fn gpu_device(gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        Some(gpu.backend().device().clone())
    }

    fn info(session: &Session<Self>) -> Map<String, Value> {
        let live = session.live();
        let mut map = Map::new();
        map.insert("backend_name".into(), live.backend.clone().into());
        map.insert("local_images".into(), live.local_images.unwrap_or(0).into());
        map.insert("resolved_config".into(), to_value(&live.config));
        map
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let view = DeepView::from(session.live());
        let figure = figure_of(target.figure);
        Ok(canvas::draw_deep(
            &target.screen,
            &view,
            figure,
            target.view.log_time,
        )?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let view = DeepView::from(session.live());
        let records = figure_of(at.figure).readout_records(&view);
        let sources: Vec<_> = records.iter().map(|r| (&r[..], &[][..])).collect();
        let r = figure_readout(at.drawn, &sources, at.x, at.y)?;
        Some(to_value(&r))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let result = session.result();
        let svg = |figure: DeepFigure| -> Result<Exported, HostError> {
            let opts = FigureOptions {
                log_time: download.log_time,
                ..FigureOptions::default()
            };
            let view = DeepView::from(&result);
            let text = figure.svg(&view, &opts).map_err(DrawError::from)?;
            Ok(Exported::Text(text))
        };
        match download.format {
            ExportFormat::Json => Ok(Exported::Text(serde_json::to_string(&result)?)),
            ExportFormat::Csv => Ok(Exported::Text(deep_csv(&result))),
            ExportFormat::Svg => svg(DeepFigure::Steps),
            ExportFormat::ProbesSvg => svg(DeepFigure::Probes),
            ExportFormat::HistogramSvg => svg(DeepFigure::Histogram),
            _ => Err(no_download(Self::ID)),
        }
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => Ok(to_value(&DeepSummary::of(session.live()))),
            other => Err(not_in_cell(Self::ID, other)),
        }
    }
}

/// What the text under the deep figures says (www/deep-summary.js writes it out).
#[derive(Serialize)]
struct DeepSummary {
    d: usize,
    loss_first: Option<f64>,
    loss_last: Option<f64>,
    /// Each mode's step time (half its latest value), `None` before it stepped.
    crossings: Vec<Option<f64>>,
    /// The smallest ratio of successive step times (sorted), with two or more.
    min_ratio: Option<f64>,
    probe_first: Option<ProbeRecord>,
    probe_last: Option<ProbeRecord>,
    rank_first: Option<RankRecord>,
    rank_last: Option<RankRecord>,
    chance: Option<f64>,
}

impl DeepSummary {
    fn of(r: &DeepResult) -> Self {
        let view = DeepView::from(r);
        let mut times: Vec<f64> = view.step_times.iter().flatten().copied().collect();
        times.sort_by(f64::total_cmp);
        let ratios = times.windows(2).filter(|w| w[0] > 0.0).map(|w| w[1] / w[0]);
        Self {
            d: r.config.d,
            loss_first: r.records.first().map(|x| x.loss),
            loss_last: r.records.last().map(|x| x.loss),
            crossings: view.step_times,
            min_ratio: ratios.reduce(f64::min),
            probe_first: r.probe.first().cloned(),
            probe_last: r.probe.last().cloned(),
            rank_first: r.rank.first().cloned(),
            rank_last: r.rank.last().cloned(),
            chance: chance_level(r.classes.len()),
        }
    }
}

/// One row per record: t, step, loss, λ_1..λ_d, the hidden eigenvalues, the probes'
/// accuracies and RankMe at the same step (blank where not recorded).
fn deep_csv(r: &DeepResult) -> String {
    let (d, top) = (r.config.d, r.config.hidden_top);
    let mut out = String::from("t,step,loss");
    (1..=d).for_each(|j| {
        let _ = write!(out, ",lambda_{j}");
    });
    (1..=top).for_each(|j| {
        let _ = write!(out, ",hidden_{j}");
    });
    out.push_str(",probe_embedding,probe_hidden,rankme_embedding,rankme_hidden\n");
    let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for rec in &r.records {
        let _ = write!(out, "{},{},{}", rec.t, rec.step, rec.loss);
        (0..d).for_each(|j| {
            let _ = write!(out, ",{}", cell(rec.eigenvalues.get(j).copied()));
        });
        let hidden = r.hidden.iter().find(|h| h.step == rec.step);
        (0..top).for_each(|j| {
            let v = hidden.and_then(|h| h.eigenvalues.get(j).copied());
            let _ = write!(out, ",{}", cell(v));
        });
        let probe = r.probe.iter().find(|p| p.step == rec.step);
        let rank = r.rank.iter().find(|p| p.step == rec.step);
        let _ = writeln!(
            out,
            ",{},{},{},{}",
            cell(probe.map(|p| p.embedding)),
            cell(probe.map(|p| p.hidden)),
            cell(rank.map(|p| p.embedding)),
            cell(rank.map(|p| p.hidden)),
        );
    }
    out
}
