//! What a backend's step costs on the device: the dispatches that advance it, for the
//! benchmarks' dispatches per step, and their time per kernel (issue 18 §3;
//! docs/architecture.md §3): measured with WebGPU timestamp queries where the device has
//! them, else by the wall clock around each dispatch, submitted and waited for alone.

use super::kernel::Binding;
#[cfg(not(target_arch = "wasm32"))]
pub use timing::profile_plan;

/// The dispatches that together advance a backend `steps` steps, in encoding order (a fused
/// kernel that runs several steps per dispatch has `steps` > 1).
pub struct StepPlan<'a> {
    pub dispatches: Vec<&'a Binding>,
    pub steps: u32,
}

impl StepPlan<'_> {
    /// Dispatches per step (fractional when one dispatch runs several steps).
    pub fn dispatches_per_step(&self) -> f64 {
        self.dispatches.len() as f64 / f64::from(self.steps.max(1))
    }
}

/// How a [`Profile`] was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Timer {
    /// GPU timestamps written at the start and end of each dispatch's compute pass
    /// (`wgpu::Features::TIMESTAMP_QUERY`).
    Timestamps,
    /// CPU wall clock around each dispatch submitted alone and waited for: includes the
    /// submission and wait overhead of every dispatch.
    WallClock,
}

impl Timer {
    /// A short description for benchmark output.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Timestamps => "GPU timestamp queries",
            Self::WallClock => "wall clock per dispatch (no timestamp queries on this device)",
        }
    }
}

/// One kernel's share of a step.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KernelTime {
    pub name: &'static str,
    /// Dispatches of this kernel per step.
    pub dispatches: f64,
    /// Seconds per step in this kernel's dispatches.
    pub seconds: f64,
}

/// Time per kernel name of a [`StepPlan`], slowest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Profile {
    pub timer: Timer,
    pub kernels: Vec<KernelTime>,
}

impl Profile {
    /// Seconds per step over all kernels.
    pub fn total_seconds(&self) -> f64 {
        self.kernels.iter().map(|k| k.seconds).sum()
    }
}

/// Whether `device` can write timestamps at compute-pass boundaries.
pub fn has_timestamps(device: &wgpu::Device) -> bool {
    device.features().contains(wgpu::Features::TIMESTAMP_QUERY)
}

/// The measurements (native only: the wall-clock fallback blocks on the device).
#[cfg(not(target_arch = "wasm32"))]
mod timing {
    use super::super::buffers::{self, LostFlag, Scopes};
    use super::super::context::GpuError;
    use super::{has_timestamps, Binding, KernelTime, Profile, StepPlan, Timer};

    /// Dispatches timed per query set (two queries each; wgpu allows 4096 queries a set).
    const CHUNK: usize = 1024;

    /// Runs `plan` `repeats` times (at least once; it advances the backend) dispatch by dispatch
    /// and returns the mean time per step of each kernel name. Native only: the wall-clock
    /// fallback blocks on the device.
    pub fn profile_plan(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        plan: &StepPlan<'_>,
        repeats: u32,
    ) -> Result<Profile, GpuError> {
        let timer = if has_timestamps(device) {
            Timer::Timestamps
        } else {
            Timer::WallClock
        };
        let repeats = repeats.max(1);
        let mut seconds = vec![0.0; plan.dispatches.len()];
        for _ in 0..repeats {
            let times = match timer {
                Timer::Timestamps => timestamped(device, queue, &plan.dispatches)?,
                Timer::WallClock => wall_clock(device, queue, &plan.dispatches)?,
            };
            seconds.iter_mut().zip(times).for_each(|(s, t)| *s += t);
        }
        let per_step = f64::from(repeats) * f64::from(plan.steps.max(1));
        let mut kernels: Vec<KernelTime> = Vec::new();
        for (binding, secs) in plan.dispatches.iter().zip(seconds) {
            let name = binding.name();
            let at = kernels
                .iter()
                .position(|k| k.name == name)
                .unwrap_or_else(|| {
                    kernels.push(KernelTime {
                        name,
                        dispatches: 0.0,
                        seconds: 0.0,
                    });
                    kernels.len() - 1
                });
            kernels[at].dispatches += 1.0 / f64::from(plan.steps.max(1));
            kernels[at].seconds += secs / per_step;
        }
        kernels.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        Ok(Profile { timer, kernels })
    }

    /// Seconds of each dispatch, from timestamps around it (each in its own compute pass).
    fn timestamped(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        dispatches: &[&Binding],
    ) -> Result<Vec<f64>, GpuError> {
        let period = f64::from(queue.get_timestamp_period()) * 1e-9;
        let mut out = Vec::with_capacity(dispatches.len());
        for chunk in dispatches.chunks(CHUNK) {
            let ticks = timestamp_chunk(device, queue, chunk)?;
            out.extend(
                ticks
                    .chunks_exact(2)
                    .map(|t| t[1].saturating_sub(t[0]) as f64 * period),
            );
        }
        Ok(out)
    }

    /// The begin and end ticks of each dispatch of `chunk`.
    fn timestamp_chunk(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        chunk: &[&Binding],
    ) -> Result<Vec<u64>, GpuError> {
        let scopes = Scopes::push(device);
        let count = 2 * chunk.len() as u32;
        let set = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("profile timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count,
        });
        let bytes = u64::from(count) * 8;
        let resolved = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("profile resolved timestamps"),
            size: bytes,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging =
            buffers::staging_buffer(device, "profile timestamps staging", 2 * count as usize);
        let mut encoder = encoder(device);
        for (i, binding) in (0u32..).zip(chunk) {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("profile pass"),
                timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                    query_set: &set,
                    beginning_of_pass_write_index: Some(2 * i),
                    end_of_pass_write_index: Some(2 * i + 1),
                }),
            });
            binding.encode(&mut pass);
        }
        encoder.resolve_query_set(&set, 0..count, &resolved, 0);
        let lost = LostFlag::default();
        let read = pollster::block_on(buffers::submit_and_read(
            device,
            queue,
            encoder,
            (&resolved, &staging),
            scopes,
            &lost,
        ))?;
        Ok(bytemuck::pod_collect_to_vec::<f32, u64>(&read))
    }

    /// Seconds of each dispatch submitted alone and waited for.
    fn wall_clock(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        dispatches: &[&Binding],
    ) -> Result<Vec<f64>, GpuError> {
        buffers::wait(device)?;
        let mut out = Vec::with_capacity(dispatches.len());
        for binding in dispatches {
            let mut encoder = encoder(device);
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("profile pass"),
                    timestamp_writes: None,
                });
                binding.encode(&mut pass);
            }
            let start = std::time::Instant::now();
            queue.submit([encoder.finish()]);
            buffers::wait(device)?;
            out.push(start.elapsed().as_secs_f64());
        }
        Ok(out)
    }

    fn encoder(device: &wgpu::Device) -> wgpu::CommandEncoder {
        device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("profile encoder"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_plan_has_no_dispatches() {
        let plan = StepPlan {
            dispatches: Vec::new(),
            steps: 0,
        };
        assert_eq!(plan.dispatches_per_step(), 0.0);
    }
}
