//! Which backend runs a cell and why: [`BackendChoice`], written into results as
//! `backend_choice` and shown as the cell's backend notice.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::experiment::memory::{BufferLimits, BufferTooLarge, MemoryNeed};

/// The backend a session runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    Cpu,
    #[serde(rename = "webgpu")]
    WebGpu,
}

/// What the page asks for (`?backend=auto|cpu|gpu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendWant {
    /// The faster of the two by the cell's cost model.
    #[default]
    Auto,
    Cpu,
    Gpu,
}

impl BackendWant {
    /// `auto`, `cpu` or `gpu` (anything else: `None`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(Self::Auto),
            "cpu" => Some(Self::Cpu),
            "gpu" | "webgpu" => Some(Self::Gpu),
            _ => None,
        }
    }
}

/// A WebGPU adapter as the cost model sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdapterInfo {
    /// A one-line description, e.g. `google swiftshader (fallback adapter)`.
    pub name: String,
    /// A CPU-emulated adapter (SwiftShader, llvmpipe, lavapipe, `isFallbackAdapter`).
    pub software: bool,
    /// Its buffer limits, when known (the page reads `adapter.limits`; natively the device's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<BufferLimits>,
}

impl AdapterInfo {
    /// An adapter named `name`; software when `fallback` (WebGPU's `isFallbackAdapter`) or
    /// when the name is one of the known CPU emulations.
    pub fn classify(name: &str, fallback: bool) -> Self {
        let lower = name.to_lowercase();
        let emulated = [
            "swiftshader",
            "llvmpipe",
            "lavapipe",
            "software",
            "fallback",
        ]
        .iter()
        .any(|s| lower.contains(s));
        Self {
            name: name.to_string(),
            software: fallback || emulated,
            limits: None,
        }
    }

    /// The same adapter with its buffer limits known.
    pub fn with_limits(self, limits: BufferLimits) -> Self {
        Self {
            limits: Some(limits),
            ..self
        }
    }

    /// From wgpu's adapter description (native runs: `DeviceType::Cpu` is software).
    pub fn from_wgpu(info: &wgpu::AdapterInfo) -> Self {
        let name = if info.driver.is_empty() {
            info.name.clone()
        } else {
            format!("{} ({})", info.name, info.driver)
        };
        let mut out = Self::classify(&name, false);
        out.software |= info.device_type == wgpu::DeviceType::Cpu;
        out
    }
}

/// Why the session runs where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// `backend=cpu` or `backend=gpu`.
    Requested,
    /// No WebGPU adapter (the reason as the browser gave it).
    NoAdapter { reason: String },
    /// The adapter could not run this configuration (no device, over its limits…).
    GpuCannotRun { error: String },
    /// The cell has no GPU path (e.g. `what` = "the MLP comparison").
    OnlyOnCpu { what: String },
    /// `backend=auto`: the cost model's faster backend (estimates in the choice).
    Faster,
    /// `backend=auto` without an estimate for one of the backends: WebGPU, as before the
    /// cost model.
    NoEstimate,
    /// The page started the cell by itself on the CPU (a small default run).
    Autostart,
    /// The GPU failed mid-run (or was lost while the session started on it: `step` 0); the
    /// run continues on the CPU from `step`.
    GpuLost { step: u64, error: String },
    /// The run's largest GPU buffer (sized by `key`) is over the adapter's buffer limits.
    GpuBufferTooLarge { key: String, bytes: u64, limit: u64 },
}

impl From<BufferTooLarge> for Why {
    fn from(e: BufferTooLarge) -> Self {
        Why::GpuBufferTooLarge {
            key: e.key,
            bytes: e.bytes,
            limit: e.limit,
        }
    }
}

/// Which backend runs a session, why, and the estimates behind an automatic choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendChoice {
    pub kind: BackendKind,
    /// The WebGPU adapter's description, when there was one.
    pub adapter: Option<String>,
    pub why: Why,
    /// The cost model's seconds for the run on each backend (`None`: not estimated).
    pub cpu_seconds: Option<f64>,
    pub gpu_seconds: Option<f64>,
    /// Milliseconds per step measured while the session ran (on its current backend).
    pub measured_step_ms: Option<f64>,
}

impl BackendChoice {
    /// The CPU, for `why`.
    pub fn cpu(why: Why) -> Self {
        Self {
            kind: BackendKind::Cpu,
            adapter: None,
            why,
            cpu_seconds: None,
            gpu_seconds: None,
            measured_step_ms: None,
        }
    }
}

/// Seconds as `0.06 s`, `0.8 s` or `16 s`.
fn seconds(s: f64) -> String {
    if s < 0.095 {
        format!("{s:.2} s")
    } else if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.0} s")
    }
}

impl fmt::Display for BackendChoice {
    /// `WebGPU: <adapter>` or `CPU (<why>)`, as the page's backend notice.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let adapter = self.adapter.as_deref().unwrap_or("unnamed adapter");
        if self.kind == BackendKind::WebGpu {
            return write!(f, "WebGPU: {adapter}");
        }
        write!(f, "CPU (")?;
        match &self.why {
            Why::Requested => write!(f, "requested with backend=cpu")?,
            Why::NoAdapter { reason } => write!(f, "no WebGPU adapter: {reason}")?,
            Why::GpuCannotRun { error } => write!(
                f,
                "the WebGPU adapter {adapter} could not run this: {error}"
            )?,
            Why::OnlyOnCpu { what } => write!(f, "{what} runs on the CPU")?,
            Why::Faster | Why::NoEstimate => match (self.cpu_seconds, self.gpu_seconds) {
                (Some(c), Some(g)) => write!(
                    f,
                    "faster here: about {} on the CPU against {} on WebGPU ({adapter})",
                    seconds(c),
                    seconds(g)
                )?,
                _ => write!(f, "faster here than WebGPU ({adapter})")?,
            },
            Why::Autostart => write!(
                f,
                "started by itself: this small run takes about a second on the CPU; Run \
                 computes it again on WebGPU when there is an adapter"
            )?,
            Why::GpuBufferTooLarge { key, bytes, limit } => write!(
                f,
                "its largest GPU buffer, sized by `{key}`, needs {} MiB, more than the {} MiB \
                 the WebGPU adapter {adapter} allows",
                bytes.div_ceil(1 << 20),
                limit >> 20
            )?,
            Why::GpuLost { step, error } => write!(
                f,
                "the GPU stopped at step {step}: {error}; the run continues on the CPU"
            )?,
        }
        write!(f, ")")
    }
}

/// The backend for `want`, given the cost model's seconds on each (`None`: no estimate)
/// and the adapter (`Err`: why there is none). `auto` takes WebGPU only when its estimate
/// is below the CPU's (or when either estimate is missing).
pub fn choose_backend(
    want: BackendWant,
    cpu_seconds: Option<f64>,
    gpu_seconds: Option<f64>,
    adapter: &Result<AdapterInfo, String>,
) -> BackendChoice {
    let with = |kind, why, adapter: Option<&AdapterInfo>| BackendChoice {
        kind,
        adapter: adapter.map(|a| a.name.clone()),
        why,
        cpu_seconds,
        gpu_seconds,
        measured_step_ms: None,
    };
    let info = match (want, adapter) {
        (BackendWant::Cpu, a) => return with(BackendKind::Cpu, Why::Requested, a.as_ref().ok()),
        (_, Err(reason)) => {
            let why = Why::NoAdapter {
                reason: reason.clone(),
            };
            return with(BackendKind::Cpu, why, None);
        }
        (_, Ok(info)) => info,
    };
    match (want, cpu_seconds, gpu_seconds) {
        (BackendWant::Gpu, ..) => with(BackendKind::WebGpu, Why::Requested, Some(info)),
        (_, Some(c), Some(g)) if c <= g => with(BackendKind::Cpu, Why::Faster, Some(info)),
        (_, Some(_), Some(_)) => with(BackendKind::WebGpu, Why::Faster, Some(info)),
        _ => with(BackendKind::WebGpu, Why::NoEstimate, Some(info)),
    }
}

/// Moves a WebGPU `choice` to the CPU when `need`'s largest GPU buffer is over `limits`
/// (docs/architecture.md §7): the run goes on, with the reason as its notice.
pub fn fit_buffers(choice: &mut BackendChoice, need: &MemoryNeed, limits: Option<&BufferLimits>) {
    if choice.kind != BackendKind::WebGpu {
        return;
    }
    if let Some(Err(e)) = limits.map(|l| l.admit(need)) {
        choice.kind = BackendKind::Cpu;
        choice.why = e.into();
    }
}
