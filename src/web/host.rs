//! [`Host`]: the compute worker's side of the protocol (protocol.rs). www/worker.js makes one
//! and hands it every request in arrival order, one at a time; each becomes one reply.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::cells::create_session;
use super::error::HostError;
use super::page_session::{Exported, PageSession};
use super::protocol::{Reply, Request, PROTOCOL_VERSION};
use super::{canvas, photos, queries};

type Sessions = RefCell<HashMap<u32, Box<dyn PageSession>>>;

/// The worker's state: the sessions by the page's ids.
#[wasm_bindgen]
pub struct Host {
    sessions: Rc<Sessions>,
}

impl Default for Host {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Host {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Host {
        // SVG downloads measure their text on an offscreen canvas (no DOM in the worker);
        // without one they keep plotters' estimate
        let _ = canvas::measure_svg_text();
        Host {
            sessions: Rc::default(),
        }
    }

    /// Runs a small linear run once, so that the browser compiles fig1's functions with its
    /// optimizing tier before the page's first run (experiment::phases::warm_up); false if
    /// it failed (nothing depends on it).
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up(&self) -> bool {
        crate::experiment::phases::warm_up().is_ok()
    }

    /// Resolves to the reply to `request` (protocol.rs); a failure is an `error` reply, never
    /// a rejection. A figure's reply carries its `ImageBitmap` as `bitmap`, an export's bytes
    /// as a `Uint8Array` in `bytes`.
    pub fn handle(&self, request: JsValue) -> js_sys::Promise {
        let sessions = Rc::clone(&self.sessions);
        wasm_bindgen_futures::future_to_promise(async move {
            let reply = match serde_wasm_bindgen::from_value::<Request>(request) {
                Ok(request) => dispatch(&sessions, request).await,
                Err(e) => Err(HostError::Protocol(e.to_string())),
            };
            Ok(reply.unwrap_or_else(|e| {
                to_js(&Reply::Error {
                    kind: e.kind(),
                    message: e.to_string(),
                })
                .unwrap_or_else(|e| e)
            }))
        })
    }
}

/// Serializes with plain objects for maps (the page reads them as JSON-like values).
fn to_js(value: &impl Serialize) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| JsValue::from_str(&e.to_string()))
}

fn reply(value: &Reply) -> Result<JsValue, HostError> {
    to_js(value).map_err(|e| HostError::Protocol(format!("{e:?}")))
}

/// Sets `obj[key] = value` on a serialized reply.
fn attach(obj: &JsValue, key: &str, value: &JsValue) -> Result<(), HostError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| HostError::Protocol(format!("{e:?}")))
}

/// Takes session `id` out of the table for the duration of `f` (so an await inside it holds
/// no borrow of the table), then puts it back.
async fn with_session<T>(
    sessions: &Sessions,
    id: u32,
    f: impl AsyncFnOnce(&mut Box<dyn PageSession>) -> Result<T, HostError>,
) -> Result<T, HostError> {
    let mut session = sessions
        .borrow_mut()
        .remove(&id)
        .ok_or(HostError::NoSession(id))?;
    let out = f(&mut session).await;
    sessions.borrow_mut().insert(id, session);
    out
}

async fn dispatch(sessions: &Sessions, request: Request) -> Result<JsValue, HostError> {
    use Request as R;
    match request {
        R::Hello { version } if version == PROTOCOL_VERSION => reply(&Reply::Ready { version }),
        R::Hello { version } => Err(HostError::Version {
            page: version,
            worker: PROTOCOL_VERSION,
        }),
        R::Presets => reply(&queries::presets()?),
        R::ParseQuery { cell, query } => reply(&queries::parse(cell, &query)?),
        R::CheckConfig {
            cell,
            config,
            auto_size,
        } => reply(&queries::check(cell, &config, auto_size)),
        R::Palette { dark } => reply(&Reply::Palette {
            colours: canvas::mode_palette(dark),
        }),
        R::FigureHeight { kind, css_width } => {
            let value =
                canvas::figure_css_height(&kind, css_width).ok_or(HostError::NoFigure(kind))?;
            reply(&Reply::Number { value })
        }
        R::BundledPhotos { images } => {
            photos::provide_bundled(images)?;
            reply(&Reply::Done)
        }
        R::LocalPhotos { base, files } => reply(&photos::use_local(base, files)),
        R::Memory => reply(&Reply::Memory {
            wasm_bytes: wasm_memory_bytes(),
            sessions: sessions.borrow().len() as u32,
        }),
        R::BenchPhases { source } => reply(&Reply::Value {
            value: super::bench::bench_phases(&source)?,
        }),
        R::ClearLocalPhotos => {
            photos::clear_local();
            reply(&Reply::Done)
        }
        R::Create { session, request } => {
            let created = create_session(request).await?;
            let out = reply(&Reply::Created {
                info: created.info(),
                progress: created.progress(),
            });
            sessions.borrow_mut().insert(session, created);
            out
        }
        other => session_call(sessions, other).await,
    }
}

/// The requests addressed to one session.
async fn session_call(sessions: &Sessions, request: Request) -> Result<JsValue, HostError> {
    use Request as R;
    match request {
        R::Advance {
            session,
            millis,
            steps,
        } => {
            with_session(sessions, session, async |s| {
                let before = s.info();
                s.advance(millis, steps).await?;
                let info = s.info();
                let changed = (info != before).then_some(info);
                reply(&Reply::Progress {
                    progress: s.progress(),
                    info: changed,
                })
            })
            .await
        }
        R::Draw {
            session,
            figure,
            view,
        } => {
            with_session(sessions, session, async |s| {
                let drawn = s.draw(&figure, &view)?;
                let out = reply(&Reply::Drawn {
                    css_height: drawn.css_height,
                    layout: drawn.layout,
                })?;
                attach(&out, "bitmap", &drawn.bitmap)?;
                Ok(out)
            })
            .await
        }
        R::Readout {
            session,
            figure,
            x,
            y,
        } => {
            with_session(sessions, session, async |s| {
                reply(&Reply::Value {
                    value: s.readout(&figure, x, y).unwrap_or_default(),
                })
            })
            .await
        }
        R::Export {
            session,
            format,
            log_time,
            policy,
        } => {
            with_session(sessions, session, async |s| {
                match s.export(format, log_time, policy.as_deref())? {
                    Exported::Text(text) => reply(&Reply::Text { text }),
                    Exported::Bytes(bytes) => {
                        let out = reply(&Reply::Bytes)?;
                        attach(&out, "bytes", &Uint8Array::from(&bytes[..]).into())?;
                        Ok(out)
                    }
                }
            })
            .await
        }
        R::Extra { session, extra } => {
            with_session(sessions, session, async |s| {
                let value = s.extra(extra).await?;
                reply(&Reply::Value { value })
            })
            .await
        }
        R::Close { session } => {
            sessions.borrow_mut().remove(&session);
            reply(&Reply::Done)
        }
        _ => Err(HostError::Protocol("not a session request".into())),
    }
}

/// The module's linear memory in bytes (64 KiB pages).
fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0usize;
    (pages * 65_536) as f64
}
