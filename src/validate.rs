//! Range checks shared by every configuration struct: one error type naming the key.

/// A configuration value that is out of range, not finite, or inconsistent with another.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid `{key}`: {message}")]
pub struct ConfigError {
    /// Dotted name of the offending key, e.g. `dataset.n`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ConfigError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// `lo <= v <= hi` for integers.
pub fn int_in<T: PartialOrd + std::fmt::Display>(
    key: &str,
    v: T,
    lo: T,
    hi: T,
) -> Result<(), ConfigError> {
    if v < lo || v > hi {
        return Err(ConfigError::new(
            key,
            format!("{v} is out of range (allowed {lo} to {hi})"),
        ));
    }
    Ok(())
}

/// `v` finite and `lo <= v <= hi`; `exclusive_lo` makes the lower bound strict.
pub fn real_in(key: &str, v: f64, lo: f64, hi: f64, exclusive_lo: bool) -> Result<(), ConfigError> {
    if !v.is_finite() {
        return Err(ConfigError::new(key, format!("{v} is not a finite number")));
    }
    let below = if exclusive_lo { v <= lo } else { v < lo };
    if below || v > hi {
        let open = if exclusive_lo { "(" } else { "[" };
        return Err(ConfigError::new(
            key,
            format!("{v} is out of range (allowed {open}{lo}, {hi}])"),
        ));
    }
    Ok(())
}

/// Largest seed accepted: 2^53 − 1, so seeds survive a round trip through JavaScript numbers.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Checks a seed against [`MAX_SEED`].
pub fn seed(key: &str, v: u64) -> Result<(), ConfigError> {
    int_in(key, v, 0, MAX_SEED)
}
