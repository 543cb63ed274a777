//! Buffers, size checks, error scopes, device-loss watching and asynchronous readback.

use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_channel::oneshot;

use super::context::GpuError;
use super::faults::{self, FaultPoint};

/// Bytes of `len` f32 values.
pub fn f32_bytes(len: usize) -> u64 {
    (len as u64) * 4
}

/// Fails with [`GpuError::TooLarge`] if a storage buffer of `len` f32 values cannot be bound.
pub fn check_storage_size(
    device: &wgpu::Device,
    what: &'static str,
    len: usize,
) -> Result<(), GpuError> {
    let limits = device.limits();
    let limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    let bytes = f32_bytes(len);
    if bytes > limit {
        return Err(GpuError::TooLarge { what, bytes, limit });
    }
    Ok(())
}

/// A read-write storage buffer holding `data` (at least one vec4, so empty data binds too).
pub fn storage_buffer(device: &wgpu::Device, label: &str, data: &[f32]) -> wgpu::Buffer {
    faults::reach(FaultPoint::Buffer, device);
    let padded = [0.0f32; 4];
    let contents = if data.is_empty() { &padded[..] } else { data };
    let usage =
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    init_buffer(device, label, bytemuck::cast_slice(contents), usage)
}

/// A uniform buffer holding one `T`.
pub fn uniform_buffer<T: bytemuck::Pod>(
    device: &wgpu::Device,
    label: &str,
    value: &T,
) -> wgpu::Buffer {
    init_buffer(
        device,
        label,
        bytemuck::bytes_of(value),
        wgpu::BufferUsages::UNIFORM,
    )
}

/// A read-only storage buffer holding a kernel's params ([`super::kernel::Kernel::with_storage_params`]).
pub fn params_storage_buffer<T: bytemuck::Pod>(
    device: &wgpu::Device,
    label: &str,
    value: &T,
) -> wgpu::Buffer {
    init_buffer(
        device,
        label,
        bytemuck::bytes_of(value),
        wgpu::BufferUsages::STORAGE,
    )
}

/// A buffer holding `contents`, as wgpu's `create_buffer_init` makes it (mapped at creation,
/// padded to 4 bytes) but without its panic when the device is lost: the buffer is then
/// invalid, never mapped, and the loss surfaces at the next check or readback.
fn init_buffer(
    device: &wgpu::Device,
    label: &str,
    contents: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    let align = wgpu::COPY_BUFFER_ALIGNMENT;
    let size = (contents.len() as u64).next_multiple_of(align).max(align);
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage,
        mapped_at_creation: true,
    });
    let copied = match buffer.get_mapped_range_mut(..) {
        Ok(mut view) => {
            view.slice(..contents.len()).copy_from_slice(contents);
            true
        }
        Err(_) => false,
    };
    if copied {
        buffer.unmap();
    }
    buffer
}

/// A MAP_READ buffer of `len` f32 values that results are copied into.
pub fn staging_buffer(device: &wgpu::Device, label: &str, len: usize) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: f32_bytes(len.max(1)),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// A bind-group-layout entry for a compute-stage buffer.
pub fn layout_entry(binding: u32, ty: wgpu::BufferBindingType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// Read-only storage binding type.
pub const STORAGE_READ: wgpu::BufferBindingType =
    wgpu::BufferBindingType::Storage { read_only: true };
/// Read-write storage binding type.
pub const STORAGE_RW: wgpu::BufferBindingType =
    wgpu::BufferBindingType::Storage { read_only: false };

/// Splits `groups` workgroups into an (x, y) grid within the per-dimension limit.
pub fn workgroup_grid(
    device: &wgpu::Device,
    what: &'static str,
    groups: u64,
) -> Result<(u32, u32), GpuError> {
    let max = u64::from(device.limits().max_compute_workgroups_per_dimension).max(1);
    let x = groups.clamp(1, max);
    let y = groups.div_ceil(x).max(1);
    if y > max {
        return Err(GpuError::TooManyWorkgroups {
            what,
            count: groups,
        });
    }
    Ok((x as u32, y as u32))
}

/// Remembers why the device was lost, once it is.
#[derive(Clone, Default)]
pub struct LostFlag(Arc<Mutex<Option<String>>>);

impl LostFlag {
    /// Registers a device-lost callback on `device` (replacing any earlier one).
    pub fn watch(device: &wgpu::Device) -> Self {
        let flag = Self::default();
        let inner = flag.0.clone();
        device.set_device_lost_callback(move |reason, message| {
            let mut slot = inner.lock().unwrap_or_else(|e| e.into_inner());
            *slot = Some(format!("{reason:?}: {message}"));
        });
        flag
    }

    /// The loss as an error, if the device was lost.
    pub fn check(&self) -> Result<(), GpuError> {
        let slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(m) => Err(GpuError::DeviceLost(m.clone())),
            None => Ok(()),
        }
    }
}

/// Error scopes for out-of-memory, validation and internal errors, pushed together.
pub struct Scopes(Vec<wgpu::ErrorScopeGuard>);

impl Scopes {
    pub fn push(device: &wgpu::Device) -> Self {
        let filters = [
            wgpu::ErrorFilter::OutOfMemory,
            wgpu::ErrorFilter::Validation,
            wgpu::ErrorFilter::Internal,
        ];
        Self(filters.map(|f| device.push_error_scope(f)).into())
    }

    /// Pops the scopes now; the returned future yields the first error they caught.
    pub fn pop(mut self) -> impl Future<Output = Result<(), GpuError>> {
        let guards = std::mem::take(&mut self.0);
        let pending: Vec<_> = guards.into_iter().rev().map(|g| g.pop()).collect();
        async move {
            for p in pending {
                if let Some(e) = p.await {
                    return Err(GpuError::Device(e.to_string()));
                }
            }
            Ok(())
        }
    }
}

impl Drop for Scopes {
    /// Pops unpopped scopes innermost first, dropping what they caught.
    fn drop(&mut self) {
        while let Some(guard) = self.0.pop() {
            drop(guard);
        }
    }
}

/// Waits for submitted work natively; in the browser the map callback arrives on its own.
pub fn wait(device: &wgpu::Device) -> Result<(), GpuError> {
    #[cfg(not(target_arch = "wasm32"))]
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Poll(e.to_string()))?;
    #[cfg(target_arch = "wasm32")]
    let _ = device;
    Ok(())
}

/// Submits `encoder` after copying `src` into `staging`, then reads `staging` back.
/// `scopes` (pushed before the work was encoded) are popped here; a lost device wins
/// over every other error.
pub async fn submit_and_read(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    mut encoder: wgpu::CommandEncoder,
    (src, staging): (&wgpu::Buffer, &wgpu::Buffer),
    scopes: Scopes,
    lost: &LostFlag,
) -> Result<Vec<f32>, GpuError> {
    faults::reach(FaultPoint::Readback, device);
    let bytes = src.size().min(staging.size());
    encoder.copy_buffer_to_buffer(src, 0, staging, 0, bytes);
    queue.submit([encoder.finish()]);
    let (tx, rx) = oneshot::channel();
    staging.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    let errors = scopes.pop();
    let waited = wait(device);
    let caught = errors.await;
    let mapped = rx.await;
    let read = finish_read(staging, mapped, bytes);
    lost.check()?;
    caught?;
    waited?;
    read
}

/// Copies the mapped bytes out and unmaps; reports a failed map.
fn finish_read(
    staging: &wgpu::Buffer,
    mapped: Result<Result<(), wgpu::BufferAsyncError>, oneshot::Canceled>,
    bytes: u64,
) -> Result<Vec<f32>, GpuError> {
    match mapped {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(GpuError::BufferMap(e.to_string())),
        Err(_) => return Err(GpuError::BufferMap("the map callback was dropped".into())),
    }
    let data = staging
        .get_mapped_range(..bytes)
        .map(|view| bytemuck::pod_collect_to_vec::<u8, f32>(&view))
        .map_err(|e| GpuError::BufferMap(e.to_string()));
    staging.unmap();
    data
}
