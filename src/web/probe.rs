//! Whether this browser offers a WebGPU adapter, asked through `navigator.gpu` directly
//! (reflection, so no unstable web-sys bindings are needed).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::experiment::memory::BufferLimits;
use crate::experiment::session::AdapterInfo;
use crate::gpu::context::BUFFER_CAP;

/// Reads `obj[key]`, treating a throwing getter as absent.
fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string().filter(|s| !s.is_empty())
}

/// The adapter's description, e.g. `google swiftshader (fallback adapter)`, and whether it
/// is a software one (the auto backend choice's cost model treats those as slow).
fn describe(adapter: &JsValue) -> AdapterInfo {
    let info = get(adapter, "info");
    let parts: Vec<String> = ["vendor", "architecture", "device", "description"]
        .iter()
        .filter_map(|k| text(&info, k))
        .collect();
    let mut name = if parts.is_empty() {
        "unnamed adapter".to_string()
    } else {
        parts.join(" ")
    };
    let fallback = get(&info, "isFallbackAdapter")
        .as_bool()
        .or_else(|| get(adapter, "isFallbackAdapter").as_bool());
    if fallback == Some(true) {
        name.push_str(" (fallback adapter)");
    }
    let info = AdapterInfo::classify(&name, fallback == Some(true));
    match limits(adapter) {
        Some(limits) => info.with_limits(limits),
        None => info,
    }
}

/// The adapter's `limits.maxStorageBufferBindingSize` and `maxBufferSize`, when both are
/// numbers (the device is requested with them, capped: `gpu::context`).
fn limits(adapter: &JsValue) -> Option<BufferLimits> {
    let limits = get(adapter, "limits");
    let read = |key| {
        get(&limits, key)
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let cap = BUFFER_CAP as f64;
    Some(BufferLimits {
        max_storage_buffer_binding_size: read("maxStorageBufferBindingSize")?.min(cap) as u64,
        max_buffer_size: read("maxBufferSize")?.min(cap) as u64,
    })
}

/// `navigator.gpu.requestAdapter()`, asked at once and answered later: the browser looks
/// for an adapter while a run prepares on this thread.
pub struct AdapterRequest(Result<Promise, String>);

impl AdapterRequest {
    pub fn start() -> Self {
        Self(request_adapter())
    }

    /// No request (the CPU was asked for).
    pub fn not_asked() -> Self {
        Self(Err("not asked for".into()))
    }

    /// The adapter, or why there is none.
    pub async fn outcome(self) -> Result<AdapterInfo, String> {
        let adapter = JsFuture::from(self.0?)
            .await
            .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
        if adapter.is_null() || adapter.is_undefined() {
            return Err("navigator.gpu.requestAdapter() returned no adapter".into());
        }
        Ok(describe(&adapter))
    }
}

fn request_adapter() -> Result<Promise, String> {
    // the worker's global scope (or a window): both have `navigator.gpu` where WebGPU is on
    let navigator = get(&js_sys::global(), "navigator");
    if navigator.is_undefined() || navigator.is_null() {
        return Err("this browser scope has no navigator".into());
    }
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("navigator.gpu is missing: this browser has WebGPU disabled".into());
    }
    let request: Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    request
        .call0(&gpu)
        .and_then(|p| p.dyn_into())
        .map_err(|e| format!("requestAdapter failed: {e:?}"))
}
