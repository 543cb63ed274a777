//! The one place that creates a GPU device, and the errors of the GPU layer.

use super::buffers::LostFlag;
use super::kernel::KernelCache;
use crate::experiment::memory::{BufferLimits, NATIVE_BUDGET};

/// What can go wrong on the GPU.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error("no GPU adapter found: {0}")]
    NoAdapter(String),
    #[error("GPU device request failed: {0}")]
    RequestDevice(String),
    #[error("GPU device lost: {0}")]
    DeviceLost(String),
    #[error("mapping a GPU buffer for reading failed: {0}")]
    BufferMap(String),
    #[error("GPU poll failed: {0}")]
    Poll(String),
    #[error("GPU error: {0}")]
    Device(String),
    #[error("{what} needs {bytes} bytes, more than this GPU's limit of {limit} bytes")]
    TooLarge {
        what: &'static str,
        bytes: u64,
        limit: u64,
    },
    #[error("{what} needs {count} workgroups in one dispatch, more than this GPU allows")]
    TooManyWorkgroups { what: &'static str, count: u64 },
    #[error("invalid shape: {0}")]
    Shape(String),
    #[error("not available on the GPU backend: {0}")]
    Unsupported(String),
}

/// A device and its queue, with the adapter they came from (cloning shares them).
#[derive(Clone)]
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter_info: wgpu::AdapterInfo,
    /// Set when the device is lost: shared by every backend made from this context (wgpu
    /// keeps one device-lost callback per device, so a backend registering its own would
    /// blind the others on the same device).
    lost: LostFlag,
    /// Pipelines compiled once for every backend made from this context (lavapipe takes
    /// ~50–100 ms to compile a fused kernel; App. G makes one backend per run and probe).
    kernels: KernelCache,
}

/// The most buffer bytes a device is asked for: no buffer of a validated configuration is
/// larger than the native memory budget (docs/architecture.md §7).
pub const BUFFER_CAP: u64 = NATIVE_BUDGET.bytes;

impl GpuContext {
    /// Requests a high-performance adapter and a device with WebGPU's default limits (16 KiB
    /// of workgroup storage), raising only the buffer-size limits to what the adapter allows,
    /// up to [`BUFFER_CAP`], and with timestamp queries when the adapter has them.
    pub async fn new() -> Result<Self, GpuError> {
        Self::with_buffer_cap(BUFFER_CAP).await
    }

    /// [`GpuContext::new`] with the buffer-size limits requested at most `cap` bytes (tests
    /// give a device artificially small limits).
    pub async fn with_buffer_cap(cap: u64) -> Result<Self, GpuError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends();
        let instance = wgpu::Instance::new(desc);
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let adapter_info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("stepwise device"),
                required_features: optional_features(adapter.features()),
                required_limits: limits(&adapter.limits(), cap),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        let lost = LostFlag::watch(&device);
        Ok(Self {
            device,
            queue,
            adapter_info,
            lost,
            kernels: KernelCache::default(),
        })
    }

    /// [`GpuError::DeviceLost`] once the device is lost (destroyed, reset by the driver,
    /// taken back by the browser).
    pub fn check_lost(&self) -> Result<(), GpuError> {
        self.lost.check()
    }

    /// The device-lost flag, for a backend made from this context.
    pub(crate) fn lost_flag(&self) -> LostFlag {
        self.lost.clone()
    }

    /// The pipelines shared by the backends made from this context.
    pub(crate) fn kernels(&self) -> &KernelCache {
        &self.kernels
    }

    /// The buffer limits the device was created with.
    pub fn buffer_limits(&self) -> BufferLimits {
        let limits = self.device.limits();
        BufferLimits {
            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
            max_buffer_size: limits.max_buffer_size,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn backends() -> wgpu::Backends {
    wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12 | wgpu::Backends::GL
}

#[cfg(target_arch = "wasm32")]
fn backends() -> wgpu::Backends {
    wgpu::Backends::BROWSER_WEBGPU
}

/// The optional features requested when the adapter has them: timestamp queries, for the
/// benchmarks' time per kernel ([`super::profile`]; WebGPU's optional `timestamp-query`).
/// Nothing the computations need: an adapter without them gets a device all the same.
fn optional_features(adapter: wgpu::Features) -> wgpu::Features {
    adapter & wgpu::Features::TIMESTAMP_QUERY
}

/// WebGPU's defaults (or the downlevel ones where the adapter falls short), with the adapter's
/// own storage-buffer and buffer sizes, requested explicitly up to `cap` bytes.
fn limits(adapter: &wgpu::Limits, cap: u64) -> wgpu::Limits {
    let base = if wgpu::Limits::defaults().check_limits(adapter) {
        wgpu::Limits::defaults()
    } else {
        wgpu::Limits::downlevel_defaults()
    };
    wgpu::Limits {
        max_storage_buffer_binding_size: adapter.max_storage_buffer_binding_size.min(cap),
        max_buffer_size: adapter.max_buffer_size.min(cap),
        ..base
    }
}
