//! `bench_phases`: where a linear run's time goes in this browser (the native benchmark's
//! phases, timed by the browser's clock), for bench/browser.mjs, which loads the module
//! itself (not through the page's worker).

use wasm_bindgen::prelude::*;

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
/// once, synchronously; returns the phases as JSON (seconds).
#[wasm_bindgen]
pub fn bench_phases(source: String) -> Result<String, JsValue> {
    let error = |e: &dyn std::fmt::Display| JsValue::from(js_sys::Error::new(&e.to_string()));
    let (cfg, _) = query::from_source::<RunConfig>(&source).map_err(|e| error(&e))?;
    let phases = phases::measure(&cfg, now).map_err(|e| error(&e))?;
    serde_json::to_string(&phases).map_err(|e| error(&e))
}
