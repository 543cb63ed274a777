//! `--set key=value` overrides by dotted key name, through the config's JSON form.

use serde_json::Value;

use super::configurable::Config;
use crate::validate::ConfigError;

/// Every dotted key a configuration has, e.g. `dataset.n`.
pub fn keys<C: Config>(cfg: &C) -> Vec<String> {
    leaves(cfg).into_iter().map(|(k, _)| k).collect()
}

/// Every leaf of the configuration's JSON form with its dotted key, in order.
pub fn leaves<C: Config>(cfg: &C) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(cfg) {
        collect_leaves(v, "", &mut out);
    }
    out
}

fn collect_leaves(v: Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                collect_leaves(child, &key, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf)),
    }
}

/// Parses a value as JSON (numbers, booleans, lists, null); `auto` means null and anything
/// else is taken as a string.
fn parse_value(text: &str) -> Value {
    if text == "auto" {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// Applies one `key=value` override and validates the result.
pub fn apply<C: Config>(cfg: &C, assignment: &str) -> Result<C, ConfigError> {
    let out = apply_unchecked(cfg, assignment)?;
    out.validate()?;
    Ok(out)
}

/// Applies one `key=value` override, checking the key and the value's type but not the
/// ranges (so that related keys can be changed one after the other).
pub fn apply_unchecked<C: Config>(cfg: &C, assignment: &str) -> Result<C, ConfigError> {
    let (key, text) = assignment
        .split_once('=')
        .ok_or_else(|| ConfigError::new(assignment, "expected key=value"))?;
    let key = key.trim();
    let mut root = serde_json::to_value(cfg).map_err(|e| ConfigError::new(key, e.to_string()))?;
    let slot = key
        .split('.')
        .try_fold(&mut root, |node, part| node.get_mut(part))
        .filter(|slot| !slot.is_object())
        .ok_or_else(|| {
            ConfigError::new(
                key,
                format!("unknown key; known keys: {}", keys(cfg).join(", ")),
            )
        })?;
    *slot = parse_value(text.trim());
    serde_json::from_value(root)
        .map_err(|e| ConfigError::new(key, format!("cannot use `{}`: {e}", text.trim())))
}

/// Applies overrides in order, then validates the result once.
pub fn apply_all<C: Config, S: AsRef<str>>(cfg: C, assignments: &[S]) -> Result<C, ConfigError> {
    let out = assignments
        .iter()
        .try_fold(cfg, |c, a| apply_unchecked(&c, a.as_ref()))?;
    out.validate()?;
    Ok(out)
}

/// The value of a dotted key in `cfg`'s JSON form, as an override value.
pub fn value_of<C: Config>(cfg: &C, key: &str) -> Option<String> {
    let root = serde_json::to_value(cfg).ok()?;
    let v = key
        .split('.')
        .try_fold(&root, |node, part| node.get(part))?;
    Some(if v.is_null() {
        "auto".into()
    } else {
        v.to_string()
    })
}
