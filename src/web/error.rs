//! The host's errors, each with the kind the page reads (`error.kind` in protocol.rs).

use crate::data::local::LocalImageError;
use crate::data::DataError;
use crate::experiment::python_export::ExportError;
use crate::experiment::session::{ErrorKind, SessionError};
use crate::experiment::RunError;
use crate::linalg::LinalgError;
use crate::validate::ConfigError;

use super::canvas::DrawError;
use super::protocol::CellId;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("the page and the worker disagree: {0}")]
    Protocol(String),
    #[error("the page speaks protocol version {page}, the worker {worker}: reload the page")]
    Version { page: u32, worker: u32 },
    #[error("no session {0} (closed, or never created)")]
    NoSession(u32),
    #[error("no figure {0:?}")]
    NoFigure(String),
    #[error("the {cell:?} cell has no {what}")]
    NotInCell { cell: CellId, what: &'static str },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Photo(#[from] LocalImageError),
    #[error(transparent)]
    Linalg(#[from] LinalgError),
    #[error("the Python download failed: {0}")]
    Export(#[from] ExportError),
    #[error("drawing failed: {0}")]
    Draw(#[from] DrawError),
    #[error("could not write the result: {0}")]
    Json(#[from] serde_json::Error),
}

impl HostError {
    /// What kind of failure the page reports.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Config(_) => ErrorKind::Config,
            Self::Session(e) => e.kind(),
            Self::Run(e) => ErrorKind::of(e),
            Self::Data(_) | Self::Photo(_) => ErrorKind::Config,
            Self::Draw(_)
            | Self::Json(_)
            | Self::NoFigure(_)
            | Self::Linalg(_)
            | Self::Export(_) => ErrorKind::Run,
            Self::Protocol(_)
            | Self::Version { .. }
            | Self::NoSession(_)
            | Self::NotInCell { .. } => ErrorKind::Protocol,
        }
    }
}
