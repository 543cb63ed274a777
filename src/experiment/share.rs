//! Share links: the run configuration as a URL query string, and back. Parsing never fails:
//! unknown, malformed or out-of-range values become notices and keep their defaults.

use super::configurable::Config;
use super::overrides;
use super::share_notice::{link_value, quote, LinkNotice, LinkProblem};
use crate::data::DatasetKind;

/// Keys that describe the view, not the run; the page reads them itself.
pub const VIEW_KEYS: &[&str] = &["embed", "log_time", "cell"];
/// At most this many parameters are read from a query.
pub const MAX_PARAMS: usize = 64;

/// The configuration a query describes, with a notice for everything that was ignored.
/// `preset=<name>` starts from that preset; other keys are dotted config keys as in `--set`.
pub fn config_from_query<C: Config>(query: &str) -> (C, Vec<String>) {
    let mut notices = Vec::new();
    let params = parse_query(query);
    if params.len() > MAX_PARAMS {
        notices.push(format!(
            "the link has {} parameters; only the first {MAX_PARAMS} were read",
            params.len()
        ));
    }
    let params = &once_each(&params[..params.len().min(MAX_PARAMS)], &mut notices);
    let mut cfg = C::default();
    if let Some((_, name)) = params.iter().find(|(k, _)| k == "preset") {
        match C::preset(name) {
            Some(p) => cfg = p,
            None => {
                let names = C::presets().iter().map(|(n, _)| n.to_string()).collect();
                let problem = LinkProblem::UnknownValue(names);
                notices.push(format!(
                    "preset = “{}” {problem}; using the defaults",
                    quote(name)
                ));
            }
        }
    }
    let base = cfg.clone();
    let mut set_keys = Vec::new();
    for (key, value) in params {
        if key == "preset" || VIEW_KEYS.contains(&key.as_str()) {
            continue;
        }
        match overrides::apply_unchecked(&cfg, &format!("{key}={value}")) {
            Ok(next) => {
                cfg = next;
                set_keys.push((key.clone(), value.clone()));
            }
            Err(e) => notices.push(LinkNotice::refused(&cfg, key, value, &e).to_string()),
        }
    }
    (
        restore_validity(cfg, &base, &set_keys, &mut notices),
        notices,
    )
}

/// The parameters with every key once: `preset`'s first value, every other key's last (as
/// a later `--set` overrides an earlier one), with a notice for each key given more than
/// once (which value was meant is not known). View keys are the page's, left as they are.
fn once_each(params: &[(String, String)], notices: &mut Vec<String>) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::with_capacity(params.len());
    for (i, (key, value)) in params.iter().enumerate() {
        let same: Vec<usize> = (0..params.len()).filter(|&j| params[j].0 == *key).collect();
        let chosen = if key == "preset" {
            same[0]
        } else {
            same[same.len() - 1]
        };
        if same.len() > 1 && !VIEW_KEYS.contains(&key.as_str()) && i == same[0] {
            notices.push(format!(
                "“{}” is given {} times; read only the {} (“{}”)",
                quote(key),
                same.len(),
                if key == "preset" { "first" } else { "last" },
                quote(&params[chosen].1)
            ));
        }
        if i == chosen || VIEW_KEYS.contains(&key.as_str()) {
            kept.push((key.clone(), value.clone()));
        }
    }
    kept
}

/// Resets out-of-range keys to their values in `base` until the configuration validates.
fn restore_validity<C: Config>(
    mut cfg: C,
    base: &C,
    set_keys: &[(String, String)],
    notices: &mut Vec<String>,
) -> C {
    for _ in 0..=set_keys.len() {
        let Err(e) = cfg.validate() else {
            return cfg;
        };
        let Some((key, value)) = set_keys.iter().find(|(k, _)| *k == e.key) else {
            break;
        };
        let reverted = overrides::value_of(base, key)
            .and_then(|v| overrides::apply_unchecked(&cfg, &format!("{key}={v}")).ok());
        match reverted {
            Some(next) if next != cfg => cfg = next,
            _ => break,
        }
        notices.push(LinkNotice::invalid(&cfg, key, value, &e).to_string());
    }
    if cfg.validate().is_ok() {
        return cfg;
    }
    notices.push("the link's settings do not fit together: using the defaults".into());
    base.clone()
}

/// The complete configuration as a query string (without the leading `?`), every key
/// included so the link reproduces the run exactly; `auto` for automatic `lr`/`steps`.
pub fn config_to_query<C: Config>(cfg: &C) -> String {
    overrides::leaves(cfg)
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&link_value(&v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The shortest query (without `?`) that gives `cfg`'s run back: `preset=<name>` for the
/// preset closest to it, then every key that differs from that preset, except the dataset
/// keys that `cfg`'s dataset kind does not use (a photo run's planted spectrum).
pub fn compact_query<C: Config>(cfg: &C) -> String {
    let full = config_to_query(cfg);
    let unused = unused_keys(cfg);
    let pairs: Vec<&str> = full
        .split('&')
        .filter(|p| {
            !unused
                .iter()
                .any(|k| p.split('=').next() == Some(k.as_str()))
        })
        .collect();
    let diff = |preset: &C| {
        let base = config_to_query(preset);
        let base: Vec<&str> = base.split('&').collect();
        pairs
            .iter()
            .filter(|p| !base.contains(p))
            .map(|p| (*p).to_string())
            .collect::<Vec<_>>()
    };
    let best = C::presets()
        .into_iter()
        .map(|(name, preset)| (name, diff(&preset)))
        .min_by_key(|(_, d)| d.len());
    match best {
        Some((name, rest)) => std::iter::once(format!("preset={name}"))
            .chain(rest)
            .collect::<Vec<_>>()
            .join("&"),
        None => full,
    }
}

/// The (encoded) dotted keys of every `dataset.*` field that its dataset's kind ignores.
pub fn unused_keys<C: Config>(cfg: &C) -> Vec<String> {
    overrides::leaves(cfg)
        .into_iter()
        .filter_map(|(key, value)| {
            let prefix = key.strip_suffix("kind")?;
            let kind: DatasetKind = serde_json::from_value(value).ok()?;
            prefix.ends_with("dataset.").then(|| {
                kind.unused_fields()
                    .iter()
                    .map(|f| format!("{prefix}{f}"))
                    .collect::<Vec<_>>()
            })
        })
        .flatten()
        .collect()
}

/// Splits `?a=b&c=d` into decoded pairs (a key without `=` gets an empty value).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decoding with `+` as space; invalid escapes are kept literally, invalid UTF-8
/// is replaced.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but unreserved characters and the `.` of dotted keys.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
