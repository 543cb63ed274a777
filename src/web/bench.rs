//! Where a linear run's time goes in this browser (the native benchmark's phases, timed by
//! the worker's clock), for bench/browser.mjs: the protocol's `bench_phases` request, run in
//! the page's worker (which holds the bundled photos).

use wasm_bindgen::JsCast;

use super::error::HostError;

use crate::experiment::{phases, query, RunConfig};

/// Seconds since the time origin of this scope (a window or a worker).
fn now() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into());
    let now = performance.ok().and_then(|p| {
        let f: js_sys::Function = js_sys::Reflect::get(&p, &"now".into())
            .ok()?
            .dyn_into()
            .ok()?;
        f.call0(&p).ok()?.as_f64()
    });
    now.unwrap_or(0.0) / 1000.0
}

/// Times each phase of the CPU run of `source` (a share-link query or a JSON configuration)
/// once, synchronously; the phases as JSON (seconds).
pub fn bench_phases(source: &str) -> Result<serde_json::Value, HostError> {
    let (cfg, _) = query::from_source::<RunConfig>(source)?;
    let phases = phases::measure(&cfg, now)?;
    Ok(serde_json::to_value(phases)?)
}
