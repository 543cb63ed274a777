//! `bench_phases`: where a linear run's time goes in this browser (the native benchmark's
//! phases, timed by the page's clock), for bench/browser.mjs.

use wasm_bindgen::prelude::*;

use super::js_error;
use super::query::config_from_source;
use crate::experiment::phases;

/// Seconds since the page's time origin (0 without a `window`, e.g. in a worker).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now() / 1000.0)
}

/// Times each phase of the CPU run of `source` (a share-link query or a JSON configuration)
/// once, synchronously; returns the phases as JSON (seconds).
#[wasm_bindgen]
pub fn bench_phases(source: String) -> Result<String, JsValue> {
    let (cfg, _) = config_from_source(&source)?;
    let phases = phases::measure(&cfg, now).map_err(js_error)?;
    serde_json::to_string(&phases).map_err(js_error)
}
