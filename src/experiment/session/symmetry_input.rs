//! The symmetry cell's (cell 4, App. F) configuration as the page sends it: the γ's and s(0)
//! as the reader typed them (text) or as numbers, read with messages naming the bad key.
//! Plain Rust, so that tests/fuzz_configs.rs runs it natively.

use serde_json::Value;

use super::oneshot::{SymmetryConfig, MAX_GAMMAS};
use crate::experiment::Config;
use crate::validate::ConfigError;

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
pub fn read_symmetry_config(value: &Value) -> Result<SymmetryConfig, ConfigError> {
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
