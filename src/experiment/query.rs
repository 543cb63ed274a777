//! One query/preset module for every configuration kind (the linear run's `RunConfig`, which
//! cells 1-4 use, `MlpConfig` for cells 5-6, `AppgConfig` for cell 7): share-link queries and
//! JSON in, the shortest share query and the validation problem out, and the presets with
//! their descriptions as the page lists them. Plain Rust: the page's host and the CLI call it.
//!
//! Cell-specific parts stay with the caller: the view keys (`log_time`, `embed`, `cell`;
//! see [`share::VIEW_KEYS`]) are read by the page, and the MLP's cost before a run (with its
//! automatic CPU size) belongs to the cell's cost model, not to its configuration.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::appg::AppgConfig;
use super::configurable::Config;
use super::deep::methods_config::{MethodsConfig, METHODS_PRESETS};
use super::deep::{DeepConfig, DEEP_PRESETS};
use super::memory::{Budget, NATIVE_BUDGET};
use super::mlp::{MlpConfig, MLP_PRESETS};
use super::overrides;
use super::presets::PRESETS;
use super::share;
use super::RunConfig;
use crate::validate::ConfigError;

/// The key a JSON error names when no single key is at fault (a syntax error, not an object).
pub const WHOLE_CONFIG: &str = "config";

/// A configuration kind whose presets have one-line descriptions for the page's menus.
pub trait Described: Config {
    /// `(name, description)` of every preset the page lists, in menu order. A preset of
    /// [`Config::presets`] without a description here is valid in links but not listed.
    fn descriptions() -> Vec<(&'static str, &'static str)>;
}

impl Described for RunConfig {
    fn descriptions() -> Vec<(&'static str, &'static str)> {
        PRESETS.iter().map(|p| (p.name, p.description)).collect()
    }
}

impl Described for MlpConfig {
    fn descriptions() -> Vec<(&'static str, &'static str)> {
        MLP_PRESETS
            .iter()
            .map(|p| (p.name, p.description))
            .collect()
    }
}

/// Cells 8 and 9 list every deep-network preset (docs/deep.md §2), small CPU ones included.
impl Described for DeepConfig {
    fn descriptions() -> Vec<(&'static str, &'static str)> {
        DEEP_PRESETS
            .iter()
            .map(|p| (p.name, p.description))
            .collect()
    }
}

/// Cell 10 lists Table 2's presets (docs/deep.md §5).
impl Described for MethodsConfig {
    fn descriptions() -> Vec<(&'static str, &'static str)> {
        METHODS_PRESETS
            .iter()
            .map(|&(name, description, _)| (name, description))
            .collect()
    }
}

/// Cell 7 lists the linear presets' data and runs (its MLP presets, `mlp-small-bt` and
/// `fig2-bt`, are reached by `preset=` links and by the model switch).
impl Described for AppgConfig {
    fn descriptions() -> Vec<(&'static str, &'static str)> {
        RunConfig::descriptions()
    }
}

/// The configuration kinds, for a caller that picks one at run time (the page's messages
/// name a cell; cells 1-4 use `Linear`, 5-6 `Mlp`, 7 `Appg`: that mapping is the caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigKind {
    Linear,
    Mlp,
    Appg,
}

impl ConfigKind {
    /// [`parse`] for this kind.
    pub fn parse(self, query: &str) -> Parsed {
        match self {
            Self::Linear => parse::<RunConfig>(query),
            Self::Mlp => parse::<MlpConfig>(query),
            Self::Appg => parse::<AppgConfig>(query),
        }
    }

    /// [`check`] for this kind.
    pub fn check(self, config: &Value) -> Checked {
        match self {
            Self::Linear => check::<RunConfig>(config),
            Self::Mlp => check::<MlpConfig>(config),
            Self::Appg => check::<AppgConfig>(config),
        }
    }

    /// [`described_presets`] for this kind.
    pub fn presets(self) -> Vec<DescribedPreset> {
        match self {
            Self::Linear => described_presets::<RunConfig>(),
            Self::Mlp => described_presets::<MlpConfig>(),
            Self::Appg => described_presets::<AppgConfig>(),
        }
    }
}

/// A share-link query read for the page: the configuration (as JSON) and why parts of the
/// link were not used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed {
    pub config: Value,
    pub notices: Vec<String>,
}

/// A preset as the page's menus show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescribedPreset {
    pub name: &'static str,
    pub description: &'static str,
    pub config: Value,
}

/// A configuration checked for the page: what is wrong with it, else its share query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub problem: Option<String>,
    pub query: Option<String>,
}

/// Parses a JSON configuration (absent keys take the kind's defaults, as serde's
/// `#[serde(default)]` gives them) and validates it. The error names the dotted key at
/// fault (`dataset.n`), or [`WHOLE_CONFIG`] for a syntax error. A key given twice in one
/// object is refused (by its dotted key): which of the two was meant is not known. Every
/// kind's `from_json` (the command line's config files) is this one.
pub fn from_json<C: Config>(text: &str) -> Result<C, ConfigError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ConfigError::new(WHOLE_CONFIG, e.to_string()))?;
    if let Some(e) = repeated_key::<C>(text, &value) {
        return Err(e);
    }
    from_value(value)
}

/// The error for a known key given twice (a JSON value keeps the last one silently; the
/// typed parse refuses it), naming the first dotted path of `value` that ends in it.
fn repeated_key<C: Config>(text: &str, value: &Value) -> Option<ConfigError> {
    let message = serde_json::from_str::<C>(text).err()?.to_string();
    let field = message
        .strip_prefix("duplicate field `")?
        .split('`')
        .next()?;
    let mut leaves = Vec::new();
    flatten(value, "", &mut leaves);
    let suffix = format!(".{field}");
    let key = leaves
        .iter()
        .map(|(k, _)| k.as_str())
        .flat_map(|k| k.match_indices('.').map(|(i, _)| &k[..i]).chain([k]))
        .find(|k| *k == field || k.ends_with(&suffix))
        .unwrap_or(field);
    Some(ConfigError::new(
        key,
        format!("is given more than once ({message})"),
    ))
}

/// [`from_json`] of an already parsed JSON value (a page message's `config`).
pub fn from_value<C: Config>(value: Value) -> Result<C, ConfigError> {
    let cfg: C = serde_json::from_value(value.clone()).map_err(|e| {
        let key = offending_key::<C>(&value).unwrap_or_else(|| WHOLE_CONFIG.to_string());
        ConfigError::new(&key, e.to_string())
    })?;
    cfg.validate()?;
    Ok(cfg)
}

/// The first leaf of `value` that the defaults refuse (an unknown key or a value of the
/// wrong type), by its dotted key; `None` when no single leaf is at fault.
fn offending_key<C: Config>(value: &Value) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    let mut leaves = Vec::new();
    flatten(value, "", &mut leaves);
    let base = C::default();
    leaves.into_iter().find_map(|(key, leaf)| {
        let text = match &leaf {
            Value::Null => "auto".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        overrides::apply_unchecked(&base, &format!("{key}={text}"))
            .err()
            .map(|_| key)
    })
}

fn flatten(value: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(child, &key, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

/// Where a configuration comes from: a JSON object (text starting with `{`, rejected with a
/// typed error when invalid) or a share-link query (`?key=value&…`, never rejected: what
/// cannot be used becomes a notice and keeps its default).
pub fn from_source<C: Config>(source: &str) -> Result<(C, Vec<String>), ConfigError> {
    if source.trim_start().starts_with('{') {
        Ok((from_json(source)?, Vec::new()))
    } else {
        Ok(share::config_from_query(source))
    }
}

/// Reads a share-link query (without `?`, the cell's own keys without prefix).
pub fn parse<C: Config>(query: &str) -> Parsed {
    let (config, notices): (C, _) = share::config_from_query(query);
    Parsed {
        config: to_value(&config),
        notices,
    }
}

/// The complete share query of a configuration: every key, so that the link reproduces the
/// run even if the defaults change.
pub fn full<C: Config>(cfg: &C) -> String {
    share::config_to_query(cfg)
}

/// The shortest share query (without `?`) that gives `cfg` back: `preset=<name>` for the
/// closest preset, then every key that differs from it.
pub fn compact<C: Config>(cfg: &C) -> String {
    share::compact_query(cfg)
}

/// What is wrong with a JSON configuration, in the validator's words; `None` if it is valid.
pub fn problem<C: Config>(config: &Value) -> Option<String> {
    from_value::<C>(config.clone()).err().map(|e| e.to_string())
}

/// [`problem`], or the compact share query of a valid configuration.
pub fn check<C: Config>(config: &Value) -> Checked {
    check_within::<C>(config, NATIVE_BUDGET)
}

/// [`from_value`], holding the configuration's memory to `budget` (the page's is
/// [`PAGE_BUDGET`](super::memory::PAGE_BUDGET)).
pub fn from_value_within<C: Config>(value: Value, budget: Budget) -> Result<C, ConfigError> {
    let cfg: C = from_value(value)?;
    cfg.validate_within(budget)?;
    Ok(cfg)
}

/// [`check`] against `budget`.
pub fn check_within<C: Config>(config: &Value, budget: Budget) -> Checked {
    match from_value_within::<C>(config.clone(), budget) {
        Ok(cfg) => Checked {
            problem: None,
            query: Some(compact(&cfg)),
        },
        Err(e) => Checked {
            problem: Some(e.to_string()),
            query: None,
        },
    }
}

/// Every listed preset with its description and configuration, in menu order.
pub fn described_presets<C: Described>() -> Vec<DescribedPreset> {
    let presets = C::presets();
    C::descriptions()
        .into_iter()
        .filter_map(|(name, description)| {
            let (_, cfg) = presets.iter().find(|(n, _)| *n == name)?;
            Some(DescribedPreset {
                name,
                description,
                config: to_value(cfg),
            })
        })
        .collect()
}

/// A configuration's JSON form (configurations are plain data: serializing cannot fail).
fn to_value<C: Config>(cfg: &C) -> Value {
    serde_json::to_value(cfg).unwrap_or(Value::Null)
}
