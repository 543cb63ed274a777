//! Cell 7 ("Can SSL learn faster?", Appendix G) for the page: the comparison's figure (the
//! finished rows and the one running), its readouts, table and downloads.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{no_download, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::appg::Policy;
use crate::experiment::session::{AppgCell, Cell, Session};
use crate::plot::{
    appg_bar_readout, appg_figure_svg, appg_readout_sources, AppgFigureOptions, BarReadout,
    PanelKind,
};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat};
use crate::web::readout::figure_readout;

/// A bar panel readout with its panel index (`kind` is always `bars`).
#[derive(Serialize)]
struct BarPanelReadout {
    panel: usize,
    kind: PanelKind,
    #[serde(flatten)]
    bar: BarReadout,
}

/// `stable` for the variants' own stable η, anything else for the baseline's η.
fn policy(name: Option<&str>) -> Policy {
    if name == Some("stable") {
        Policy::Stable
    } else {
        Policy::Equal
    }
}

impl WebCell for AppgCell {
    const ID: CellId = CellId::Appg;

    fn for_request(_request: &CreateRequest) -> Self {
        AppgCell
    }

    fn gpu_device(gpu: &<Self as Cell>::Gpu) -> Option<wgpu::Device> {
        Some(gpu.trials().backends().device().clone())
    }

    fn info(session: &Session<Self>) -> Map<String, Value> {
        let live = &session.live().result;
        let mut map = Map::new();
        map.insert("backend_name".into(), live.backend.clone().into());
        map.insert("local_images".into(), live.local_images.unwrap_or(0).into());
        map
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let live = session.live();
        let (view, current) = (target.view, live.current.as_ref());
        let policy = policy(view.policy.as_deref());
        let drawn = canvas::draw_appg(&target.screen, &live.result, current, policy, view.log_time);
        Ok(drawn?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let live = session.live();
        let current = live.current.as_ref();
        if let Some((panel, geo)) = at.drawn.layout.panel_at(at.x, at.y) {
            if geo.kind == PanelKind::Bars {
                let bar = appg_bar_readout(&live.result, current, geo.value_at(at.y))?;
                let kind = geo.kind;
                return Some(to_value(&BarPanelReadout { panel, kind, bar }));
            }
        }
        let policy = policy(at.drawn.policy.as_deref());
        let owned = appg_readout_sources(&live.result, current, policy);
        let sources: Vec<_> = owned.iter().map(|(r, b)| (&r[..], &b[..])).collect();
        Some(to_value(&figure_readout(at.drawn, &sources, at.x, at.y)?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let result = session.result();
        let text = match download.format {
            ExportFormat::Json => serde_json::to_string(&result.table())?,
            ExportFormat::JsonCurves => serde_json::to_string(&result)?,
            ExportFormat::Svg => {
                let opts = AppgFigureOptions {
                    policy: policy(download.policy),
                    log_steps: download.log_time,
                    ..AppgFigureOptions::default()
                };
                appg_figure_svg(&result, &opts).map_err(DrawError::from)?
            }
            _ => return Err(no_download(Self::ID)),
        };
        Ok(Exported::Text(text))
    }
}
