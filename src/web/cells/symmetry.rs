//! Cell 4 (symmetry breaking, App. F) for the page: the γ's and s(0) as the reader typed
//! them, read with messages naming the bad value, and the landscapes' figure.

use serde::Serialize;
use serde_json::{json, Value};

use super::{computed, no_download, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::cells::Landscape;
use crate::experiment::session::{Session, SymmetryCell, SymmetryConfig, MAX_GAMMAS};
use crate::experiment::Config;
use crate::plot::{landscape_records, landscape_svg};
use crate::validate::ConfigError;
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

/// Longest text read.
const MAX_TEXT: usize = 200;

/// At most 20 characters of `s`, for messages.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().filter(|c| !c.is_control()).take(20).collect();
    if s.chars().count() > 20 {
        q.push('…');
    }
    q
}

/// A finite number from `text`, or an error naming `key`.
fn number(text: &str, key: &str, what: &str) -> Result<f64, ConfigError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ConfigError::new(
            key,
            format!("{what} “{}” is not a finite number", quote(text)),
        )),
    }
}

/// The γ's of `text`: numbers separated by commas, semicolons or spaces.
fn parse_gammas(text: &str) -> Result<Vec<f64>, ConfigError> {
    let err = |m: String| ConfigError::new("gammas", m);
    if text.chars().count() > MAX_TEXT {
        return Err(err(format!(
            "the γ list is longer than {MAX_TEXT} characters"
        )));
    }
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > MAX_GAMMAS {
        let n = items.len();
        return Err(err(format!("{n} values of γ: give at most {MAX_GAMMAS}")));
    }
    if items.is_empty() {
        let m = format!("give 1 to {MAX_GAMMAS} values of γ, e.g. “1, 0.5, 0.25”");
        return Err(err(m));
    }
    items.iter().map(|i| number(i, "gammas", "γ")).collect()
}

/// The configuration from the page: `{gammas, init}` as the reader typed them (text) or as
/// numbers; validated (`SymmetryConfig::validate`).
pub fn read_config(value: &Value) -> Result<SymmetryConfig, ConfigError> {
    let mut cfg = SymmetryConfig::default();
    match value.get("gammas") {
        Some(Value::String(text)) => cfg.gammas = parse_gammas(text)?,
        Some(other) => {
            cfg.gammas = serde_json::from_value(other.clone())
                .map_err(|e| ConfigError::new("gammas", e.to_string()))?;
        }
        None => {}
    }
    match value.get("init") {
        Some(Value::String(text)) => cfg.init = number(text, "init", "s(0)")?,
        Some(Value::Number(n)) => cfg.init = n.as_f64().unwrap_or(f64::NAN),
        Some(_) => return Err(ConfigError::new("init", "s(0) must be a number")),
        None => {}
    }
    cfg.validate()?;
    Ok(cfg)
}

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
        Ok(read_config(value)?)
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
