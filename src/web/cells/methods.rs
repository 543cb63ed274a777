//! Cell 10, "Three methods, one subspace" (the paper's Table 2, docs/deep.md §5), for the
//! page: the three-method session, its figure (the alignment heatmap with chance, and each
//! method's modes over its steps), a summary, and JSON, CSV and SVG downloads.

use std::fmt::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{no_download, not_in_cell, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::deep::methods::MethodsComparison;
use crate::experiment::deep::methods_config::method_name;
use crate::experiment::session::{Cell, MethodsCell, MethodsLive, Session};
use crate::plot::deep_methods::{methods_svg, readout_text, MethodsView};
use crate::plot::{curve_hex, with_scheme, FigureOptions};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};

fn view_of(live: &MethodsLive) -> MethodsView {
    MethodsView::new(&live.comparison, &live.runs, &live.losses)
}

impl WebCell for MethodsCell {
    const ID: CellId = CellId::Methods;

    fn for_request(_request: &CreateRequest) -> Self {
        MethodsCell
    }

    /// The device under the method in progress (one device serves all three):
    /// `simulate_gpu_loss` destroys it, and the session resumes on the CPU at the same step,
    /// as the deep cell's (tests/faults_gpu.rs).
    fn gpu_device(gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        gpu.current().map(|run| run.backend().device().clone())
    }

    fn info(session: &Session<Self>) -> Map<String, Value> {
        let live = session.live();
        let mut map = Map::new();
        let backend = live.runs.first().map(|r| r.backend.clone());
        map.insert("backend_name".into(), backend.unwrap_or_default().into());
        let configs: Vec<_> = live.runs.iter().map(|r| &r.config).collect();
        map.insert("resolved_configs".into(), to_value(&configs));
        map
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        Ok(canvas::draw_methods(
            &target.screen,
            &view_of(session.live()),
        )?)
    }

    /// The pair under the pointer on A, the method and its eigenvalues at the nearest
    /// record on B, as text (www/cell-methods.js shows `text`).
    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let (panel, geo) = at.drawn.layout.panel_at(at.x, at.y)?;
        let view = view_of(session.live());
        let text = readout_text(&view, panel, geo.t_at(at.x), geo.value_at(at.y))?;
        let color = with_scheme(at.drawn.scheme, || curve_hex(Some(0)));
        Some(serde_json::json!({ "panel": panel, "text": text, "color": color }))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let result = session.result();
        match download.format {
            ExportFormat::Json => Ok(Exported::Text(serde_json::to_string(&result)?)),
            ExportFormat::Csv => Ok(Exported::Text(methods_csv(&result))),
            ExportFormat::Svg => {
                let view = view_of(session.live());
                let svg = methods_svg(&view, &FigureOptions::default()).map_err(DrawError::from)?;
                Ok(Exported::Text(svg))
            }
            _ => Err(no_download(Self::ID)),
        }
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => Ok(to_value(&MethodsSummary::of(session.live()))),
            other => Err(not_in_cell(Self::ID, other)),
        }
    }
}

/// What the text under the figure says (www/cell-methods.js writes it out).
#[derive(Serialize)]
struct MethodsSummary {
    /// Every method, in order.
    names: Vec<&'static str>,
    /// `[i, j, alignment]` of every pair of finished methods (i < j).
    pairs: Vec<(usize, usize, f64)>,
    chance: f64,
    d: usize,
    rows: usize,
    /// Each finished method's step times (half its final value; `None`: never).
    crossings: Vec<Vec<Option<f64>>>,
    finished: bool,
}

impl MethodsSummary {
    fn of(live: &MethodsLive) -> Self {
        let c = &live.comparison;
        let n = c.alignment.len();
        let pairs = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| (i, j, c.alignment[i][j]))
            .collect();
        Self {
            names: live.losses.iter().map(|&l| method_name(l)).collect(),
            pairs,
            chance: c.chance,
            d: c.d,
            rows: c.rows,
            crossings: c.methods.iter().map(|m| m.crossings.clone()).collect(),
            finished: live.finished,
        }
    }
}

/// The alignment matrix (a row per method, chance last), then each method's step times.
fn methods_csv(c: &MethodsComparison) -> String {
    let names: Vec<&str> = c.methods.iter().map(|m| method_name(m.loss)).collect();
    let mut out = format!("method,{}\n", names.join(","));
    for (name, row) in names.iter().zip(&c.alignment) {
        let cells: Vec<String> = row.iter().map(f64::to_string).collect();
        let _ = writeln!(out, "{name},{}", cells.join(","));
    }
    let _ = writeln!(out, "chance,{}", c.chance);
    out.push_str("\nmethod,mode,step_time\n");
    for (name, m) in names.iter().zip(&c.methods) {
        for (j, t) in m.crossings.iter().enumerate() {
            let t = t.map(|t| t.to_string()).unwrap_or_default();
            let _ = writeln!(out, "{name},{},{t}", j + 1);
        }
    }
    out
}
