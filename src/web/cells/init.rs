//! Cell 3 ("Any small init follows an aligned one", Result 4.6) for the page: the same run
//! from a random W(0) and from the aligned one, computed in one step in the worker.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{computed, no_download, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::session::{Cell, InitCell, Session};
use crate::plot::{init_comparison_svg, FigureOptions};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
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

impl WebCell for InitCell {
    const ID: CellId = CellId::Init;

    fn for_request(_request: &CreateRequest) -> Self {
        InitCell
    }

    fn gpu_device(_gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        None
    }

    fn info(_session: &Session<Self>) -> Map<String, Value> {
        Map::new()
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let cmp = computed(session.live(), Self::ID)?;
        Ok(canvas::draw_init(
            &target.screen,
            cmp,
            target.view.log_time,
        )?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let cmp = session.live().as_ref()?;
        let gaps = cmp.gap_records();
        let sources = [(&cmp.random[..], &cmp.aligned[..]), (&gaps[..], &[][..])];
        Some(to_value(&figure_readout(at.drawn, &sources, at.x, at.y)?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let cmp = computed(session.live(), Self::ID)?;
        let opts = FigureOptions {
            log_time: download.log_time,
            ..FigureOptions::default()
        };
        let text = match download.format {
            ExportFormat::Svg => init_comparison_svg(cmp, &opts).map_err(DrawError::from)?,
            ExportFormat::Json => serde_json::to_string(cmp)?,
            _ => return Err(no_download(Self::ID)),
        };
        Ok(Exported::Text(text))
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => {
                let cmp = computed(session.live(), Self::ID)?;
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
