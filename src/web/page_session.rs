//! What the host asks of a session, whatever its cell: one object-safe trait, implemented
//! once for every cell by [`super::cells::Paged`] over the core's `Session`
//! (src/experiment/session).

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::canvas::Drawn;
use super::error::HostError;
use super::protocol::{ExportFormat, Extra, View};

/// A future borrowing its session (the worker handles one request at a time).
pub type Local<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A download's content.
pub enum Exported {
    Text(String),
    Bytes(Vec<u8>),
}

/// One cell's session as the page sees it.
pub trait PageSession {
    /// `{notice, kind, choice, notices, local_images, config, resolved_config, share_query,
    /// reduced_for_cpu, estimate}`: what the page shows beside the run.
    fn info(&self) -> Value;
    /// `{state, step, total, finished, records, …}` plus the cell's own fields.
    fn progress(&self) -> Value;
    /// Runs for about `millis` (sliced by the core's pacer) or about `steps` steps.
    fn advance(
        &mut self,
        millis: Option<f64>,
        steps: Option<f64>,
    ) -> Local<'_, Result<(), HostError>>;
    fn draw(&mut self, figure: &str, view: &View) -> Result<Drawn, HostError>;
    /// What the pointer at backing-store pixel (x, y) of the last drawing of `figure` reads.
    fn readout(&self, figure: &str, x: f64, y: f64) -> Option<Value>;
    fn export(
        &self,
        format: ExportFormat,
        log_time: bool,
        policy: Option<&str>,
    ) -> Result<Exported, HostError>;
    fn extra(&mut self, extra: Extra) -> Local<'_, Result<Value, HostError>>;
}
