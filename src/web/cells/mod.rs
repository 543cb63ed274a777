//! Every cell's session for the page: one generic [`Paged`] over the core's `Session`
//! (src/experiment/session), and one [`WebCell`] impl per cell for what only the page needs
//! (figures, readouts, downloads, extras). A new cell is one `Cell` impl in the core, one
//! `WebCell` impl here, one line in [`create_session`] (docs/architecture.md).

mod appg;
mod deep;
mod init;
mod linear;
mod methods;
mod mlp;
mod symmetry;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::canvas::{Drawn, Screen};
use super::error::HostError;
use super::page_session::{Exported, Local, PageSession};
use super::photos;
use super::probe::AdapterRequest;
use super::protocol::{CellId, ExportFormat, Extra, View};
use crate::data::photos::Photo;
use crate::experiment::memory::PAGE_BUDGET;
use crate::experiment::query;
use crate::experiment::session::{
    AppgCell, BackendWant, Cell, Clock, DeepCell, Engine, InitCell, LinearCell, MethodsCell,
    MlpCell, Opening, Session, SymmetryCell, Why,
};
use crate::plot::{FigureLayout, Scheme};

pub use super::protocol::CreateRequest;

/// Starts the session `request` asks for.
pub async fn create_session(request: CreateRequest) -> Result<Box<dyn PageSession>, HostError> {
    Ok(match request.cell {
        CellId::Linear => Box::new(Paged::<LinearCell>::create(request).await?),
        CellId::Init => Box::new(Paged::<InitCell>::create(request).await?),
        CellId::Symmetry => Box::new(Paged::<SymmetryCell>::create(request).await?),
        CellId::Mlp | CellId::Hidden => Box::new(Paged::<MlpCell>::create(request).await?),
        CellId::Appg => Box::new(Paged::<AppgCell>::create(request).await?),
        CellId::Deep | CellId::Probes => Box::new(Paged::<DeepCell>::create(request).await?),
        CellId::Methods => Box::new(Paged::<MethodsCell>::create(request).await?),
    })
}

/// What only the page needs of a cell.
#[allow(async_fn_in_trait)] // used through generics only
pub trait WebCell: Cell + Sized + 'static {
    const ID: CellId;

    /// The cell for a `create` request (e.g. the MLP's `auto_size`).
    fn for_request(request: &CreateRequest) -> Self;

    /// The cell's configuration from the page's JSON (default: the configuration kind's
    /// serde with defaults, validated within the page's memory budget).
    fn read_config(value: &Value) -> Result<Self::Config, HostError> {
        Ok(query::from_value_within(value.clone(), PAGE_BUDGET)?)
    }

    /// Refuses a configuration before anything is computed (default: none refused).
    fn precheck(_config: &Self::Config, _request: &CreateRequest) -> Result<(), HostError> {
        Ok(())
    }

    /// The device under a GPU run (tests destroy it to simulate a lost device).
    fn gpu_device(_gpu: &Self::Gpu) -> Option<wgpu::Device> {
        None
    }

    /// Notices about the visitor's photos for this run (those too small for it).
    fn photo_notices(_session: &Session<Self>, _photos: &[Photo]) -> Vec<String> {
        Vec::new()
    }

    /// The cell's own fields of `info` (beside notice, kind, choice, notices, and the
    /// requested configuration and its share query, which a cell may override).
    fn info(_session: &Session<Self>) -> Map<String, Value> {
        Map::new()
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError>;

    /// What the pointer at a point of the last drawing reads (`None`: nothing there).
    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value>;

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError>;

    /// The cell's extras; `Err(NotInCell)` for the ones it has not.
    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        let _ = session;
        Err(not_in_cell(Self::ID, extra))
    }
}

/// A figure to draw: which one, for what screen and view.
pub struct Target<'a> {
    pub figure: &'a str,
    pub screen: Screen,
    pub view: &'a View,
}

/// A point (backing-store pixels) of the last drawing of `figure`.
pub struct Point<'a> {
    pub figure: &'a str,
    pub drawn: &'a Drawing,
    pub x: f64,
    pub y: f64,
}

/// A download: its format, and the view it is drawn with (figures).
pub struct Download<'a> {
    pub format: ExportFormat,
    pub log_time: bool,
    pub policy: Option<&'a str>,
}

/// The error for a download a cell does not offer.
pub fn no_download(cell: CellId) -> HostError {
    HostError::NotInCell {
        cell,
        what: "such download",
    }
}

/// The value a one-call cell computed, or the error saying it has not yet.
pub fn computed<T>(live: &Option<T>, cell: CellId) -> Result<&T, HostError> {
    live.as_ref().ok_or(HostError::NotInCell {
        cell,
        what: "result yet (advance it once)",
    })
}

/// The error for an extra a cell does not offer.
pub fn not_in_cell(cell: CellId, extra: &Extra) -> HostError {
    let what = match extra {
        Extra::Directions => "directions",
        Extra::RecordTimes | Extra::ReplayState { .. } | Extra::ReplayDirections { .. } => "replay",
        Extra::SnapshotCount => "snapshots",
        Extra::CrossingTimes { .. } => "crossing times",
        Extra::Summary => "summary",
        Extra::Layout { .. } => "layout",
        Extra::SimulateGpuLoss => "GPU run",
    };
    HostError::NotInCell { cell, what }
}

/// The browser's clock (`performance.now()` in the worker).
struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .filter(|p| !p.is_undefined());
        performance
            .and_then(|p| {
                let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
                let now: js_sys::Function = now.dyn_into().ok()?;
                now.call0(&p).ok()?.as_f64()
            })
            .unwrap_or_else(js_sys::Date::now)
    }
}

use wasm_bindgen::JsCast;

/// Where the last drawing of a figure put its panels, and in which colour scheme (the
/// readouts' swatches match the figure).
pub struct Drawing {
    pub layout: FigureLayout,
    pub scheme: Scheme,
    /// The view's App. G policy (`equal` or `stable`).
    pub policy: Option<String>,
}

/// A cell's session with what the page drew of it.
pub struct Paged<K: WebCell> {
    session: Session<K>,
    /// The configuration as the page asked for it (automatic `lr`/`steps` kept automatic).
    requested: K::Config,
    notices: Vec<String>,
    drawn: HashMap<String, Drawing>,
}

impl<K: WebCell> Paged<K> {
    /// Reads the configuration, prepares it on the photos in use (the heavy synchronous
    /// part, while the browser looks for an adapter) and starts the engine the backend
    /// choice picks.
    async fn create(request: CreateRequest) -> Result<Self, HostError> {
        let config = K::read_config(&request.config)?;
        K::precheck(&config, &request)?;
        // a run the page starts by itself takes the CPU unless the reader forced a backend
        let autostart = request.autostart && request.backend == BackendWant::Auto;
        let want = if autostart {
            BackendWant::Cpu
        } else {
            request.backend
        };
        let adapter = adapter_for(want);
        let mut opening = Opening::new(K::for_request(&request), config.clone());
        let active = photos::active();
        opening.prepare(active.as_deref().map(Vec::as_slice))?;
        let mut session = opening.start(want, adapter.outcome().await).await?;
        if autostart {
            session.set_why(Why::Autostart);
        }
        let notices = match &active {
            Some(active) => K::photo_notices(&session, active),
            None => Vec::new(),
        };
        Ok(Self {
            session,
            requested: config,
            notices,
            drawn: HashMap::new(),
        })
    }

    /// Destroys the GPU device under a WebGPU run; false on the CPU.
    fn simulate_gpu_loss(&self) -> bool {
        match self.session.engine() {
            Engine::Gpu(gpu) => K::gpu_device(gpu).map(|d| d.destroy()).is_some(),
            Engine::Cpu(_) => false,
        }
    }
}

/// Serializes `value` into a JSON value (`null` when it cannot be: never for our types).
pub fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl<K: WebCell> PageSession for Paged<K> {
    fn info(&self) -> Value {
        let choice = self.session.choice();
        // the backend notice, with what the cell says about the run on it (e.g. the MLP's
        // CPU fallback data)
        let notice = std::iter::once(choice.to_string())
            .chain(self.session.notices())
            .collect::<Vec<_>>()
            .join(". ");
        let mut info = json!({
            "notice": notice,
            "kind": choice.kind,
            "choice": to_value(choice),
            "notices": self.notices,
            "failure": to_value(&self.session.failure()),
        });
        if let Value::Object(map) = &mut info {
            map.insert("config".into(), to_value(&self.requested));
            map.insert("share_query".into(), query::compact(&self.requested).into());
            map.extend(K::info(&self.session));
        }
        info
    }

    fn progress(&self) -> Value {
        to_value(&self.session.progress())
    }

    fn advance(
        &mut self,
        millis: Option<f64>,
        steps: Option<f64>,
    ) -> Local<'_, Result<(), HostError>> {
        Box::pin(async move {
            match (millis, steps) {
                (Some(ms), _) if ms.is_finite() && ms > 0.0 => {
                    self.session.advance_for(ms, &BrowserClock).await?;
                }
                (_, steps) => {
                    let steps = steps.filter(|s| s.is_finite() && *s >= 1.0).unwrap_or(1.0);
                    self.session.advance(steps as u64).await?;
                }
            }
            Ok(())
        })
    }

    fn draw(&mut self, figure: &str, view: &View) -> Result<Drawn, HostError> {
        let screen = Screen {
            css_width: view.css_width,
            pixel_ratio: if view.dpr.is_finite() && view.dpr > 0.0 {
                view.dpr.min(4.0)
            } else {
                1.0
            },
            scheme: if view.dark {
                Scheme::Dark
            } else {
                Scheme::Light
            },
        };
        let scheme = screen.scheme;
        let target = Target {
            figure,
            screen,
            view,
        };
        let drawn = K::draw(&self.session, &target)?;
        let drawing = Drawing {
            layout: drawn.layout.clone(),
            scheme,
            policy: view.policy.clone(),
        };
        self.drawn.insert(figure.to_string(), drawing);
        Ok(drawn)
    }

    fn readout(&self, figure: &str, x: f64, y: f64) -> Option<Value> {
        let drawn = self.drawn.get(figure)?;
        K::readout(
            &self.session,
            &Point {
                figure,
                drawn,
                x,
                y,
            },
        )
    }

    fn export(
        &self,
        format: ExportFormat,
        log_time: bool,
        policy: Option<&str>,
    ) -> Result<Exported, HostError> {
        let download = Download {
            format,
            log_time,
            policy,
        };
        K::export(&self.session, &download)
    }

    fn extra(&mut self, extra: Extra) -> Local<'_, Result<Value, HostError>> {
        Box::pin(async move {
            match &extra {
                Extra::Layout { figure } => {
                    Ok(to_value(&self.drawn.get(figure).map(|d| &d.layout)))
                }
                Extra::SimulateGpuLoss => Ok(Value::Bool(self.simulate_gpu_loss())),
                _ => K::extra(&mut self.session, &extra).await,
            }
        })
    }
}

/// The adapter request, started before the synchronous prepare and answered after it.
pub fn adapter_for(want: BackendWant) -> AdapterRequest {
    if want == BackendWant::Cpu {
        AdapterRequest::not_asked()
    } else {
        AdapterRequest::start()
    }
}
