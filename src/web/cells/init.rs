//! Cell 3 ("Any small init follows an aligned one", Result 4.6) for the page: the same run
//! from a random W(0) and from the aligned one, computed in one step in the worker.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{to_value, CreateRequest, Drawing, WebCell};
use crate::experiment::cells::InitComparison;
use crate::experiment::query;
use crate::experiment::session::{Cell, InitCell, Session};
use crate::plot::{init_comparison_svg, FigureOptions};
use crate::web::canvas::{self, DrawError, Drawn, Screen};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra, View};
use crate::web::readout::figure_readout;

#[derive(Serialize)]
struct Summary<'a> {
    max_gap: f64,
    aligned_theory_gap: f64,
    steps: u64,
    records: usize,
    lr: f64,
    gamma: &'a [f64],
    s0: &'a [f64],
    tau: &'a [Option<f64>],
}

fn computed(session: &Session<InitCell>) -> Result<&InitComparison, HostError> {
    session.live().as_ref().ok_or(HostError::NotInCell {
        cell: CellId::Init,
        what: "comparison yet (advance it once)",
    })
}

impl WebCell for InitCell {
    const ID: CellId = CellId::Init;

    fn for_request(_request: &CreateRequest) -> Self {
        InitCell
    }

    fn gpu_device(_gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        None
    }

    fn info(_session: &Session<Self>, requested: &<Self as Cell>::Config) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("config".into(), to_value(requested));
        map.insert(
            "share_query".into(),
            Value::String(query::compact(requested)),
        );
        map
    }

    fn draw(
        session: &Session<Self>,
        _figure: &str,
        screen: &Screen,
        view: &View,
    ) -> Result<Drawn, HostError> {
        Ok(canvas::draw_init(
            screen,
            computed(session)?,
            view.log_time,
        )?)
    }

    fn readout(
        session: &Session<Self>,
        _figure: &str,
        drawn: &Drawing,
        x: f64,
        y: f64,
    ) -> Option<Value> {
        let cmp = session.live().as_ref()?;
        let gaps = cmp.gap_records();
        let sources = [(&cmp.random[..], &cmp.aligned[..]), (&gaps[..], &[][..])];
        Some(to_value(&figure_readout(drawn, &sources, x, y)?))
    }

    fn export(
        session: &Session<Self>,
        format: ExportFormat,
        log_time: bool,
        _policy: Option<&str>,
    ) -> Result<Exported, HostError> {
        let cmp = computed(session)?;
        match format {
            ExportFormat::Svg => {
                let opts = FigureOptions {
                    log_time,
                    ..FigureOptions::default()
                };
                let svg = init_comparison_svg(cmp, &opts).map_err(DrawError::from)?;
                Ok(Exported::Text(svg))
            }
            ExportFormat::Json => Ok(Exported::Text(serde_json::to_string(cmp)?)),
            _ => Err(HostError::NotInCell {
                cell: Self::ID,
                what: "such download",
            }),
        }
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => {
                let cmp = computed(session)?;
                Ok(to_value(&Summary {
                    max_gap: cmp.max_gap(),
                    aligned_theory_gap: cmp.max_aligned_theory_gap(),
                    steps: cmp.config.steps.unwrap_or(0),
                    records: cmp.random.len(),
                    lr: cmp.config.lr.unwrap_or(0.0),
                    gamma: &cmp.gamma,
                    s0: &cmp.s0,
                    tau: &cmp.tau,
                }))
            }
            other => Err(super::not_in_cell(Self::ID, other)),
        }
    }
}
