//! [`SessionError`] and its [`ErrorKind`] (the protocol's `error.kind`).

use serde::{Deserialize, Serialize};

use crate::experiment::RunError;

/// What kind of failure a session reports (serialized snake_case: `config`, `run`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The configuration (or the data it names) is not usable.
    Config,
    /// The run could not go on (no learnable mode, an eigensolver failure…).
    Run,
    /// The run diverged (η too large).
    Diverged,
    /// The GPU failed and the CPU could not take over.
    Gpu,
    /// The session is busy with another request.
    Busy,
    /// A malformed request (the page's protocol, not the run).
    Protocol,
}

impl ErrorKind {
    /// The kind of a run's error.
    pub fn of(e: &RunError) -> Self {
        match e {
            RunError::Config(_) | RunError::Data(_) => Self::Config,
            RunError::Diverged { .. } | RunError::MlpDiverged { .. } => Self::Diverged,
            RunError::Backend(_) => Self::Gpu,
            RunError::Linalg(_) | RunError::NoPositiveMode => Self::Run,
        }
    }
}

/// Why a session request failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("the session is busy: try again")]
    Busy,
    /// The session failed earlier; every later call repeats it.
    #[error("{message}")]
    Stopped { kind: ErrorKind, message: String },
}

impl SessionError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Run(e) => ErrorKind::of(e),
            Self::Busy => ErrorKind::Busy,
            Self::Stopped { kind, .. } => *kind,
        }
    }
}
