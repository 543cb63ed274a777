//! Cell 7 ("Can SSL learn faster?", Appendix G) for the page: the comparison's figure (the
//! finished rows and the one running), its readouts, table and downloads.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{to_value, CreateRequest, Drawing, WebCell};
use crate::experiment::appg::Policy;
use crate::experiment::query;
use crate::experiment::session::{AppgCell, Cell, Session};
use crate::plot::{
    appg_bar_readout, appg_figure_svg, appg_readout_sources, AppgFigureOptions, BarReadout,
    PanelKind,
};
use crate::web::canvas::{self, DrawError, Drawn, Screen};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, View};
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

    fn info(session: &Session<Self>, requested: &<Self as Cell>::Config) -> Map<String, Value> {
        let live = &session.live().result;
        let Value::Object(map) = json!({
            "backend_name": live.backend,
            "local_images": live.local_images.unwrap_or(0),
            "config": to_value(requested),
            "share_query": query::compact(requested),
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
        let live = session.live();
        let policy = policy(view.policy.as_deref());
        let log_steps = view.log_time;
        Ok(canvas::draw_appg(
            screen,
            &live.result,
            live.current.as_ref(),
            policy,
            log_steps,
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
        let current = live.current.as_ref();
        if let Some((panel, geo)) = drawn.layout.panel_at(x, y) {
            if geo.kind == PanelKind::Bars {
                let bar = appg_bar_readout(&live.result, current, geo.value_at(y))?;
                let kind = geo.kind;
                return Some(to_value(&BarPanelReadout { panel, kind, bar }));
            }
        }
        let owned = appg_readout_sources(&live.result, current, policy(drawn.policy.as_deref()));
        let sources: Vec<_> = owned.iter().map(|(r, b)| (&r[..], &b[..])).collect();
        Some(to_value(&figure_readout(drawn, &sources, x, y)?))
    }

    fn export(
        session: &Session<Self>,
        format: ExportFormat,
        log_time: bool,
        policy_name: Option<&str>,
    ) -> Result<Exported, HostError> {
        let text = match format {
            ExportFormat::Json => serde_json::to_string(&session.result().table())?,
            ExportFormat::JsonCurves => serde_json::to_string(&session.result())?,
            ExportFormat::Svg => {
                let opts = AppgFigureOptions {
                    policy: policy(policy_name),
                    log_steps: log_time,
                    ..AppgFigureOptions::default()
                };
                appg_figure_svg(&session.result(), &opts).map_err(DrawError::from)?
            }
            _ => {
                return Err(HostError::NotInCell {
                    cell: Self::ID,
                    what: "such download",
                })
            }
        };
        Ok(Exported::Text(text))
    }
}
