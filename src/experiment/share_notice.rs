//! Why a share-link value was not used, in the visitor's words: the serde and validation
//! errors of [`overrides`] mapped to typed reasons, each notice naming the value used instead.

use std::fmt;

use serde_json::Value;

use super::configurable::Config;
use super::overrides;
use crate::validate::ConfigError;

/// Notices quote at most this many characters of a key or value.
const QUOTE_CHARS: usize = 40;

/// What is wrong with one `key=value` of a link.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkProblem {
    #[error("is not a number")]
    NotANumber,
    #[error("is not a whole number (0, 1, 2, …)")]
    NotWholeNumber,
    #[error("is not true or false")]
    NotTrueOrFalse,
    #[error("is not a list of numbers like [4,2,1]")]
    NotAList,
    /// The bounds, e.g. `1 to 64` or `(0, 100]`.
    #[error("is out of range (allowed {0})")]
    OutOfRange(String),
    #[error("is too large")]
    TooLarge,
    #[error("is not a setting of this cell")]
    UnknownKey,
    /// The allowed values.
    #[error("is not one of {}", .0.join(", "))]
    UnknownValue(Vec<String>),
    /// A constraint between keys, in the validator's words.
    #[error("does not fit: {0}")]
    Invalid(String),
}

/// One ignored link parameter: `d = “abc” is not a whole number; using 10`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkNotice {
    pub key: String,
    pub value: String,
    pub problem: LinkProblem,
    /// The value kept instead, as a link would write it (`None` for an unknown key).
    pub used: Option<String>,
}

impl fmt::Display for LinkNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, value) = (quote(&self.key), quote(&self.value));
        match &self.used {
            Some(used) => write!(
                f,
                "{key} = “{value}” {}; using {}",
                self.problem,
                quote(used)
            ),
            None => write!(f, "“{key}” {}; ignored it", self.problem),
        }
    }
}

impl LinkNotice {
    /// The notice for `key=value` that [`overrides::apply_unchecked`] refused with `err`;
    /// `cfg` is the configuration kept.
    pub fn refused<C: Config>(cfg: &C, key: &str, value: &str, err: &ConfigError) -> Self {
        Self::new(cfg, key, value, classify(cfg, key, value, err))
    }

    /// The notice for `key=value` that failed validation with `err`; `cfg` has it reverted.
    pub fn invalid<C: Config>(cfg: &C, key: &str, value: &str, err: &ConfigError) -> Self {
        Self::new(cfg, key, value, range_problem(&err.message))
    }

    fn new<C: Config>(cfg: &C, key: &str, value: &str, problem: LinkProblem) -> Self {
        let used = match problem {
            LinkProblem::UnknownKey => None,
            _ => leaf(cfg, key).map(|v| link_value(&v)),
        };
        Self {
            key: key.to_string(),
            value: value.to_string(),
            problem,
            used,
        }
    }
}

/// A leaf's value as a link writes it: `auto` for null, strings without quotes.
pub fn link_value(v: &Value) -> String {
    match v {
        Value::Null => "auto".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The leaf (not an object) at a dotted key.
fn leaf<C: Config>(cfg: &C, key: &str) -> Option<Value> {
    let root = serde_json::to_value(cfg).ok()?;
    let v = key
        .split('.')
        .try_fold(&root, |node, part| node.get(part))?;
    (!v.is_object()).then(|| v.clone())
}

fn classify<C: Config>(cfg: &C, key: &str, value: &str, err: &ConfigError) -> LinkProblem {
    match leaf(cfg, key) {
        None => LinkProblem::UnknownKey,
        Some(Value::Bool(_)) => LinkProblem::NotTrueOrFalse,
        Some(Value::Array(_)) => LinkProblem::NotAList,
        Some(Value::String(_)) => LinkProblem::UnknownValue(allowed_values(&err.message)),
        Some(_) => number_problem(cfg, key, value),
    }
}

/// A number slot (or an automatic one, null) that refused `value`.
fn number_problem<C: Config>(cfg: &C, key: &str, value: &str) -> LinkProblem {
    let Some(x) = value.trim().parse::<f64>().ok().filter(|x| x.is_finite()) else {
        return LinkProblem::NotANumber;
    };
    let takes_fractions = overrides::apply_unchecked(cfg, &format!("{key}=0.5")).is_ok();
    // `-0` is negative too: a whole-number slot refuses it as it refuses `-1`
    if !takes_fractions && (x.fract() != 0.0 || x.is_sign_negative()) {
        return LinkProblem::NotWholeNumber;
    }
    LinkProblem::TooLarge
}

/// The `a`, `b` of serde's "unknown variant `x`, expected one of `a`, `b`".
fn allowed_values(message: &str) -> Vec<String> {
    let Some((_, expected)) = message.split_once("expected") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// `OutOfRange` for the validators' "… is out of range (allowed 1 to 64)", else `Invalid`.
fn range_problem(message: &str) -> LinkProblem {
    let bounds = message
        .split_once("(allowed ")
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(b, _)| b.to_string());
    match bounds {
        Some(b) => LinkProblem::OutOfRange(b),
        None if message.contains("not a finite number") => LinkProblem::NotANumber,
        None => LinkProblem::Invalid(message.chars().take(160).collect()),
    }
}

/// A value shortened for a notice (notices are shown as text, never as HTML).
pub fn quote(s: &str) -> String {
    let mut q: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(QUOTE_CHARS)
        .collect();
    if s.chars().count() > QUOTE_CHARS {
        q.push('…');
    }
    q
}
