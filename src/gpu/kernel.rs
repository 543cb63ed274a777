//! What the compute kernels share: a pipeline over uniform params and storage buffers (by
//! default two read-only inputs and one read-write output; [`Kernel::with_bindings`] for
//! others) and 64-invocation workgroups, one output tile per invocation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::buffers::{self, layout_entry, LostFlag, Scopes, STORAGE_READ, STORAGE_RW};
use super::context::GpuError;
use super::layout;

/// Invocations per workgroup (`WG` in every shader).
pub const WORKGROUP: u64 = 64;

/// A compiled kernel (cloning shares the pipeline).
#[derive(Clone)]
pub struct Kernel {
    name: &'static str,
    /// Whether the params sit in a read-only storage buffer rather than a uniform one.
    storage_params: bool,
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

impl Kernel {
    /// Compiles `entry` of `source` over (uniform params, two read-only inputs, one
    /// read-write output); `name` labels everything made from it.
    pub fn new(device: &wgpu::Device, name: &'static str, source: &str, entry: &str) -> Self {
        Self::with_bindings(
            device,
            name,
            (source, entry),
            &[Access::Read, Access::Read, Access::ReadWrite],
        )
    }

    /// Compiles `entry` of `source` over the uniform params (binding 0) and one storage
    /// buffer per entry of `access` (bindings 1, 2, ...).
    pub fn with_bindings(
        device: &wgpu::Device,
        name: &'static str,
        (source, entry): (&str, &str),
        access: &[Access],
    ) -> Self {
        Self::build(device, name, (source, entry), access, false)
    }

    /// As [`Kernel::with_bindings`] with the params in a read-only storage buffer
    /// (`var<storage, read>` at binding 0). Lavapipe inlines a uniform buffer's values into a
    /// shader whose loops depend on them and re-optimizes the shader at every dispatch whose
    /// uniform buffer changed: milliseconds a dispatch for a large shader interleaved with
    /// other kernels. Storage params are never inlined.
    pub fn with_storage_params(
        device: &wgpu::Device,
        name: &'static str,
        (source, entry): (&str, &str),
        access: &[Access],
    ) -> Self {
        Self::build(device, name, (source, entry), access, true)
    }

    fn build(
        device: &wgpu::Device,
        name: &'static str,
        (source, entry): (&str, &str),
        access: &[Access],
        storage_params: bool,
    ) -> Self {
        let params_type = if storage_params {
            STORAGE_READ
        } else {
            wgpu::BufferBindingType::Uniform
        };
        let mut entries = vec![layout_entry(0, params_type)];
        entries.extend((1u32..).zip(access).map(|(binding, a)| {
            layout_entry(
                binding,
                match a {
                    Access::Read => STORAGE_READ,
                    Access::ReadWrite => STORAGE_RW,
                },
            )
        }));
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(&format!("{name} bind group layout")),
            entries: &entries,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&format!("{name} shader")),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(&format!("{name} pipeline layout")),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&format!("{name} pipeline")),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        Self {
            name,
            storage_params,
            layout,
            pipeline,
        }
    }

    /// Binds `params` and the buffers (input, input, output) for `tiles` invocations.
    pub fn bind<P: bytemuck::Pod>(
        &self,
        device: &wgpu::Device,
        label: &str,
        params: &P,
        (in0, in1, out): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
        tiles: u64,
    ) -> Result<Binding, GpuError> {
        self.bind_all(device, label, params, &[in0, in1, out], tiles)
    }

    /// Binds `params` and `storage` (in the order of the kernel's bindings 1, 2, ...) for
    /// `tiles` invocations, 64 per workgroup.
    pub fn bind_all<P: bytemuck::Pod>(
        &self,
        device: &wgpu::Device,
        label: &str,
        params: &P,
        storage: &[&wgpu::Buffer],
        tiles: u64,
    ) -> Result<Binding, GpuError> {
        let groups = buffers::workgroup_grid(device, self.name, tiles.div_ceil(WORKGROUP))?;
        let params_label = format!("{label} params");
        let params = if self.storage_params {
            buffers::params_storage_buffer(device, &params_label, params)
        } else {
            buffers::uniform_buffer(device, &params_label, params)
        };
        let entries: Vec<_> = std::iter::once(&params)
            .chain(storage.iter().copied())
            .zip(0u32..)
            .map(|(buffer, binding)| wgpu::BindGroupEntry {
                binding,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&format!("{label} bind group")),
            layout: &self.layout,
            entries: &entries,
        });
        Ok(Binding {
            name: self.name,
            pipeline: self.pipeline.clone(),
            bind_group,
            groups,
            _params: params,
        })
    }
}

/// Kernels compiled once per device, by name (cloning shares the cache).
#[derive(Clone, Default)]
pub struct KernelCache(Arc<Mutex<HashMap<&'static str, Kernel>>>);

impl KernelCache {
    /// The kernel cached under `name`, made by `make` the first time.
    pub fn get_or_make(&self, name: &'static str, make: impl FnOnce() -> Kernel) -> Kernel {
        match self.0.lock() {
            Ok(mut kernels) => kernels.entry(name).or_insert_with(make).clone(),
            // a panic elsewhere poisoned the lock: compile afresh
            Err(_) => make(),
        }
    }

    /// The kernel from `cache` where given (made into it the first time), else made afresh.
    pub fn make_in(
        cache: Option<&Self>,
        name: &'static str,
        make: impl FnOnce() -> Kernel,
    ) -> Kernel {
        match cache {
            Some(cache) => cache.get_or_make(name, make),
            None => make(),
        }
    }
}

/// How a kernel uses one of its storage buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    ReadWrite,
}

/// One bound dispatch, made once and encoded any number of times.
pub struct Binding {
    name: &'static str,
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32),
    _params: wgpu::Buffer,
}

impl Binding {
    /// The kernel's name (profiles).
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups.0, self.groups.1, 1);
    }
}

/// Creates `len` f32 of storage, failing cleanly if the device cannot bind that much.
pub fn checked_storage(
    device: &wgpu::Device,
    label: &'static str,
    data: &[f32],
) -> Result<wgpu::Buffer, GpuError> {
    buffers::check_storage_size(device, label, data.len())?;
    Ok(buffers::storage_buffer(device, label, data))
}

/// Uploads a logical `rows` x `cols` matrix in the padded layout of [`layout`].
pub fn matrix_storage(
    device: &wgpu::Device,
    label: &'static str,
    (rows, cols): (usize, usize),
    data: &[f32],
) -> Result<wgpu::Buffer, GpuError> {
    buffers::check_storage_size(device, label, layout::padded_len(rows, cols))?;
    Ok(buffers::storage_buffer(
        device,
        label,
        &layout::pack(rows, cols, data),
    ))
}

/// Runs `make`'s single dispatch once and reads `len` f32 of its output buffer back (tests
/// and benchmarks of one kernel). `make` builds everything inside error scopes.
pub async fn run_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    len: usize,
    make: impl FnOnce() -> Result<(Binding, wgpu::Buffer), GpuError>,
) -> Result<Vec<f32>, GpuError> {
    run_sequence(device, queue, len, || {
        make().map(|(binding, out)| (vec![binding], out))
    })
    .await
}

/// Runs `make`'s dispatches once, in order, in one compute pass, and reads `len` f32 of the
/// output buffer back. `make` builds everything inside error scopes.
pub async fn run_sequence(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    len: usize,
    make: impl FnOnce() -> Result<(Vec<Binding>, wgpu::Buffer), GpuError>,
) -> Result<Vec<f32>, GpuError> {
    let scopes = Scopes::push(device);
    let (bindings, out) = make()?;
    let staging = buffers::staging_buffer(device, "one-shot staging", len);
    let encoder = encode_in_one_pass(device, &bindings);
    let lost = LostFlag::default();
    let mut data =
        buffers::submit_and_read(device, queue, encoder, (&out, &staging), scopes, &lost).await?;
    data.truncate(len);
    Ok(data)
}

/// An encoder holding `bindings`' dispatches, in order, in one compute pass.
fn encode_in_one_pass(device: &wgpu::Device, bindings: &[Binding]) -> wgpu::CommandEncoder {
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("one-shot encoder"),
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("one-shot pass"),
            timestamp_writes: None,
        });
        for binding in bindings {
            binding.encode(&mut pass);
        }
    }
    encoder
}

/// Runs `make`'s dispatches once, in order, in one compute pass, then reads back the first
/// `len` f32 of each `(buffer, len)` it names (tests of kernels with several outputs).
pub async fn run_reading(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    make: impl FnOnce() -> Result<(Vec<Binding>, Vec<(wgpu::Buffer, usize)>), GpuError>,
) -> Result<Vec<Vec<f32>>, GpuError> {
    let scopes = Scopes::push(device);
    let (bindings, outputs) = make()?;
    let encoder = encode_in_one_pass(device, &bindings);
    queue.submit([encoder.finish()]);
    scopes.pop().await?;
    let lost = LostFlag::default();
    let mut read = Vec::with_capacity(outputs.len());
    for (buffer, len) in &outputs {
        let scopes = Scopes::push(device);
        let staging = buffers::staging_buffer(device, "one-shot staging", *len);
        let encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("one-shot readback"),
        });
        let mut data =
            buffers::submit_and_read(device, queue, encoder, (buffer, &staging), scopes, &lost)
                .await?;
        data.truncate(*len);
        read.push(data);
    }
    Ok(read)
}

/// `len` zeroed f32 of storage (wgpu zero-initializes new buffers), rounded up to whole
/// vec4s, failing cleanly if the device cannot bind that much.
pub fn zeroed_storage(
    device: &wgpu::Device,
    label: &'static str,
    len: usize,
) -> Result<wgpu::Buffer, GpuError> {
    let len = len.max(1).next_multiple_of(4);
    buffers::check_storage_size(device, label, len)?;
    super::faults::reach(super::faults::FaultPoint::Buffer, device);
    Ok(device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: buffers::f32_bytes(len),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    }))
}
