//! Cell 4 (symmetry breaking, App. F) for the page: its configuration (read by
//! `experiment::session::read_symmetry_config`) and the landscapes' figure.

use serde::Serialize;
use serde_json::{json, Value};

use super::{computed, no_download, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::cells::Landscape;
use crate::experiment::session::{read_symmetry_config, Session, SymmetryCell, SymmetryConfig};
use crate::plot::{landscape_records, landscape_svg};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

/// `v` as the shortest text that parses back to it, with an exponent below 1e-3.
fn short(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

#[derive(Serialize)]
struct Mode {
    gamma: f64,
    ssl_tau: f64,
    supervised_half: f64,
}

/// `{gammas, init, s_max, modes: [{gamma, ssl_tau, supervised_half}]}`; `gammas` and
/// `init` as the shortest texts (for share links).
fn summary(ls: &Landscape) -> Value {
    let modes: Vec<Mode> = ls
        .gammas
        .iter()
        .zip(ls.ssl_tau.iter().zip(&ls.supervised_half))
        .map(|(&gamma, (&ssl_tau, &supervised_half))| Mode {
            gamma,
            ssl_tau,
            supervised_half,
        })
        .collect();
    let gammas: Vec<String> = ls.gammas.iter().map(|&g| short(g)).collect();
    json!({
        "gammas": gammas.join(","),
        "init": short(ls.init),
        "s_max": ls.params.last().copied().unwrap_or(0.0),
        "modes": to_value(&modes),
    })
}

impl WebCell for SymmetryCell {
    const ID: CellId = CellId::Symmetry;

    fn for_request(_request: &CreateRequest) -> Self {
        SymmetryCell
    }

    fn read_config(value: &Value) -> Result<SymmetryConfig, HostError> {
        Ok(read_symmetry_config(value)?)
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let ls = computed(session.live(), Self::ID)?;
        Ok(canvas::draw_symmetry(&target.screen, ls)?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let ls = session.live().as_ref()?;
        let [(a, a_sup), (b, b_sup)] = landscape_records(ls);
        let sources = [(&a[..], &a_sup[..]), (&b[..], &b_sup[..])];
        Some(to_value(&figure_readout(at.drawn, &sources, at.x, at.y)?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        if download.format != ExportFormat::Svg {
            return Err(no_download(Self::ID));
        }
        let ls = computed(session.live(), Self::ID)?;
        let svg = landscape_svg(ls, (1100, 420)).map_err(DrawError::from)?;
        Ok(Exported::Text(svg))
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => Ok(summary(computed(session.live(), Self::ID)?)),
            other => Err(super::not_in_cell(Self::ID, other)),
        }
    }
}
