//! Gradient descent on linear Barlow Twins on the GPU, in f32, with every solver of the CPU
//! backend: `literal` (P = W Γ by the tiled matmul) or `eigenbasis` (A = W V, P = A Λ by
//! scaling columns; `truncated` is the same on Γ's top K modes, A being d x K).
//!
//! Like the CPU backend it keeps C = P Wᵀ current, so a step is
//! [W ← W − 4η (C − I) P; P ← W Γ; C ← P Wᵀ]: three dispatches, all bound once in `new` —
//! or, for the eigenbasis and truncated solvers when A fits a workgroup's memory, one fused
//! dispatch of many steps (`linear_steps`; docs/architecture.md §3). `advance` encodes every
//! step into one compute pass per submission and reads C back once.

use super::buffers::{self, LostFlag, Scopes};
use super::context::{GpuContext, GpuError};
use super::kernel::KernelCache;
use super::layout::{padded_len, unpack};
use super::linear_resources::{check_shapes, to_original_basis, Matrices, Operator, StepBindings};
use super::linear_steps::{FusedStep, Stepper};
use super::profile::StepPlan;
use super::spectral_step::{SpectralStep, VariantSpec};
use crate::experiment::{BackendError, LinearBackend, Prepared, Solver, MAX_BATCH};
use crate::model::spectral::LossVariant;

/// Steps encoded per queue submission unfused (a long run is split into a few submissions).
const STEPS_PER_SUBMIT: u32 = 512;

/// The GPU backend: W, Γ, P and C live on the device.
pub struct GpuLinearBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
    d: usize,
    m: usize,
    stepper: Stepper,
    x: Matrices,
    w_staging: wgpu::Buffer,
    c_staging: wgpu::Buffer,
    /// C after each interval of an `advance_many` call, and its staging twin.
    history: wgpu::Buffer,
    history_staging: wgpu::Buffer,
    lost: LostFlag,
    /// Eigenvectors (row-major m x K) when W holds A = W V (d x K).
    basis: Option<Vec<f32>>,
    /// (dispatches, steps) encoded so far: the measured dispatches per step.
    counted: std::cell::Cell<(u64, u64)>,
}

impl GpuLinearBackend {
    /// Literal solver: uploads Γ (row-major m x m, symmetric) and W(0) (row-major d x m)
    /// and forms P and C.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        m: usize,
        d: usize,
        gamma: &[f32],
        w0: &[f32],
        lr: f32,
    ) -> Result<Self, GpuError> {
        Self::with_operator(device, queue, (m, d, lr), Operator::Dense(gamma), w0)
    }

    /// Bytes of every buffer the backend holds: what `experiment::memory`'s formula bounds
    /// (docs/architecture.md §7).
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let x = &self.x;
        let held = [&x.gamma, &x.w, &x.p, &x.c, &self.w_staging, &self.c_staging];
        let history = [&self.history, &self.history_staging];
        let mut out: Vec<u64> = held.iter().chain(&history).map(|b| b.size()).collect();
        match &self.stepper {
            Stepper::Unfused { spectral, .. } => {
                out.extend(spectral.iter().flat_map(SpectralStep::buffer_bytes))
            }
            Stepper::Fused(fused) => out.extend(fused.buffer_bytes()),
        }
        out
    }

    /// Either solver; for [`Operator::Diagonal`], `w0` is A(0) = W(0) V (row-major d x K).
    pub fn with_operator(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        dims: (usize, usize, f32),
        op: Operator<'_>,
        w0: &[f32],
    ) -> Result<Self, GpuError> {
        Self::with_variant(device, queue, dims, op, w0, None)
    }

    /// Either solver, stepping Appendix G's `variant` (`None` or the baseline: plain Barlow
    /// Twins).
    pub fn with_variant(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        dims: (usize, usize, f32),
        op: Operator<'_>,
        w0: &[f32],
        variant: Option<VariantSpec<'_>>,
    ) -> Result<Self, GpuError> {
        let lost = LostFlag::watch(device);
        Self::build((device, queue, lost, None), dims, op, w0, variant)
    }

    /// [`Self::with_variant`], with the device's loss seen through `lost` and the fused
    /// kernels from `cache` where given.
    fn build(
        (device, queue, lost, cache): (&wgpu::Device, &wgpu::Queue, LostFlag, Option<&KernelCache>),
        (m, d, lr): (usize, usize, f32),
        op: Operator<'_>,
        w0: &[f32],
        variant: Option<VariantSpec<'_>>,
    ) -> Result<Self, GpuError> {
        check_shapes(m, d, &op, w0)?;
        // the matrices' width: m, or the K modes of the eigenbasis
        let m = op.columns(m);
        let x = Matrices::upload(device, (m, d), &op, w0)?;
        let variant = variant.filter(|v| v.variant != LossVariant::Baseline);
        let (diagonal, basis, solver) = match op {
            Operator::Dense(_) => (false, None, ""),
            Operator::Diagonal { vectors, .. } if vectors.len() > m * m => {
                (true, Some(vectors.to_vec()), "-truncated")
            }
            Operator::Diagonal { vectors, .. } => (true, Some(vectors.to_vec()), "-eigenbasis"),
        };
        let suffix = match &variant {
            Some(spec) => format!("{solver}-{}", spec.variant.name()),
            None => solver.to_string(),
        };
        let backend = Self {
            device: device.clone(),
            queue: queue.clone(),
            name: backend_name(&suffix, &device.adapter_info().name),
            d,
            m,
            stepper: stepper(device, (m, d, lr), &x, (diagonal, variant.as_ref()), cache)?,
            x,
            w_staging: buffers::staging_buffer(device, "W staging", padded_len(d, m)),
            c_staging: buffers::staging_buffer(device, "C staging", padded_len(d, d)),
            history: buffers::storage_buffer(
                device,
                "C history",
                &vec![0.0; MAX_BATCH * padded_len(d, d)],
            ),
            history_staging: buffers::staging_buffer(
                device,
                "C history staging",
                MAX_BATCH * padded_len(d, d),
            ),
            lost,
            basis,
            counted: Default::default(),
        };
        backend.refresh()?;
        Ok(backend)
    }

    /// The backend for `prep`'s run with its configured solver, with creation errors caught
    /// rather than left to the device's error handler.
    pub async fn from_prepared(ctx: &GpuContext, prep: &Prepared) -> Result<Self, GpuError> {
        Self::from_prepared_variant(ctx, prep, prep.lr(), None).await
    }

    /// As [`Self::from_prepared`], stepping at `lr` with Appendix G's `variant`.
    pub async fn from_prepared_variant(
        ctx: &GpuContext,
        prep: &Prepared,
        lr: f64,
        variant: Option<VariantSpec<'_>>,
    ) -> Result<Self, GpuError> {
        let scopes = Scopes::push(&ctx.device);
        let on = || {
            (
                &ctx.device,
                &ctx.queue,
                ctx.lost_flag(),
                Some(ctx.kernels()),
            )
        };
        let dims = (prep.pairs.m, prep.config.d, lr as f32);
        let made = match prep.config.solver {
            Solver::Literal => {
                let gamma = prep.gamma_f32();
                let op = Operator::Dense(&gamma);
                Self::build(on(), dims, op, &prep.w0, variant)
            }
            Solver::Eigenbasis | Solver::Truncated => {
                let (values, vectors, a0) = prep.eigenbasis_f32();
                let op = Operator::Diagonal {
                    values: &values,
                    vectors: &vectors,
                };
                Self::build(on(), dims, op, &a0, variant)
            }
        };
        scopes.pop().await?;
        made
    }

    /// The device the backend runs on.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// Submits C (and P) for the initial W.
    fn refresh(&self) -> Result<(), GpuError> {
        let mut encoder = self.encoder();
        self.stepper.refresh(&mut begin_pass(&mut encoder))?;
        self.queue.submit([encoder.finish()]);
        Ok(())
    }

    /// The dispatches that advance the backend a whole number of steps (one step unfused,
    /// the most one dispatch runs fused), for benchmarks (issue 18 §3).
    pub fn step_plan(&self) -> StepPlan<'_> {
        self.stepper.plan()
    }

    /// Dispatches per step over every step encoded so far (fused: whole dispatches and the
    /// shorter ones that end an interval).
    pub fn measured_dispatches_per_step(&self) -> f64 {
        let (dispatches, steps) = self.counted.get();
        dispatches as f64 / steps.max(1) as f64
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("linear step encoder"),
            })
    }

    /// An encoder holding `steps` steps.
    fn encode_steps(&self, steps: u32) -> Result<wgpu::CommandEncoder, GpuError> {
        let mut encoder = self.encoder();
        self.encode_into(&mut encoder, steps)?;
        Ok(encoder)
    }

    /// Appends `steps` steps to `encoder` in one compute pass.
    fn encode_into(&self, encoder: &mut wgpu::CommandEncoder, steps: u32) -> Result<(), GpuError> {
        if steps > 0 {
            self.stepper.encode(&mut begin_pass(encoder), steps)?;
            let (dispatches, done) = self.counted.get();
            let more = self.stepper.dispatches(steps);
            self.counted
                .set((dispatches + more, done + u64::from(steps)));
        }
        Ok(())
    }

    /// Runs the intervals one after the other, copying C into the history buffer after each,
    /// and reads the whole history back with one map.
    async fn run_many(&self, intervals: &[u32]) -> Result<Vec<Vec<f32>>, GpuError> {
        if intervals.len() > MAX_BATCH {
            return Err(GpuError::Shape(format!(
                "{} intervals in one call, at most {MAX_BATCH}",
                intervals.len()
            )));
        }
        self.lost.check()?;
        let scopes = Scopes::push(&self.device);
        let slot = padded_len(self.d, self.d);
        let mut encoder = self.encoder();
        let mut pending = 0;
        let per_submit = self.stepper.steps_per_submit(STEPS_PER_SUBMIT);
        for (i, &steps) in intervals.iter().enumerate() {
            let mut left = steps;
            while left > 0 {
                let chunk = left.min(per_submit);
                self.encode_into(&mut encoder, chunk)?;
                (left, pending) = (left - chunk, pending + chunk);
                if pending >= per_submit {
                    let full = std::mem::replace(&mut encoder, self.encoder());
                    self.queue.submit([full.finish()]);
                    pending = 0;
                }
            }
            let offset = buffers::f32_bytes(i * slot);
            let size = buffers::f32_bytes(slot);
            encoder.copy_buffer_to_buffer(&self.x.c, 0, &self.history, offset, size);
        }
        let history = self
            .read(encoder, (&self.history, &self.history_staging), scopes)
            .await?;
        Ok(history
            .chunks_exact(slot)
            .take(intervals.len())
            .map(|c| unpack(self.d, self.d, c))
            .collect())
    }

    async fn run(&self, steps: u32) -> Result<Vec<f32>, GpuError> {
        self.lost.check()?;
        let scopes = Scopes::push(&self.device);
        let mut left = steps;
        let per_submit = self.stepper.steps_per_submit(STEPS_PER_SUBMIT);
        while left > per_submit {
            self.queue.submit([self.encode_steps(per_submit)?.finish()]);
            left -= per_submit;
        }
        let encoder = self.encode_steps(left)?;
        let c = self
            .read(encoder, (&self.x.c, &self.c_staging), scopes)
            .await?;
        Ok(unpack(self.d, self.d, &c))
    }

    async fn read_weights(&self) -> Result<Vec<f32>, GpuError> {
        self.lost.check()?;
        let scopes = Scopes::push(&self.device);
        let w = self
            .read(self.encoder(), (&self.x.w, &self.w_staging), scopes)
            .await?;
        let w = unpack(self.d, self.m, &w);
        Ok(match &self.basis {
            None => w,
            Some(v) => to_original_basis(self.d, self.m, &w, v),
        })
    }

    async fn read(
        &self,
        encoder: wgpu::CommandEncoder,
        out: (&wgpu::Buffer, &wgpu::Buffer),
        scopes: Scopes,
    ) -> Result<Vec<f32>, GpuError> {
        let (device, queue) = (&self.device, &self.queue);
        buffers::submit_and_read(device, queue, encoder, out, scopes, &self.lost).await
    }
}

/// The unfused three dispatches (with the variant's), or the fused kernel where one applies
/// (the eigenbasis solvers; `m` is then K).
fn stepper(
    device: &wgpu::Device,
    (m, d, lr): (usize, usize, f32),
    x: &Matrices,
    (diagonal, variant): (bool, Option<&VariantSpec<'_>>),
    cache: Option<&KernelCache>,
) -> Result<Stepper, GpuError> {
    if diagonal {
        if let Some(fused) = FusedStep::new(device, (m, d, lr), x, variant, cache)? {
            return Ok(Stepper::Fused(fused));
        }
    }
    let spectral = match variant {
        Some(spec) => Some(SpectralStep::new(device, (m, d), spec, x)?),
        None => None,
    };
    let b = spectral.as_ref().map(|s| &s.b);
    let step = StepBindings::new(device, (m, d, lr), x, diagonal, b)?;
    Ok(Stepper::Unfused { step, spectral })
}

fn begin_pass(encoder: &mut wgpu::CommandEncoder) -> wgpu::ComputePass<'_> {
    encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("linear step pass"),
        timestamp_writes: None,
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn backend_name(suffix: &str, adapter: &str) -> String {
    format!("gpu-f32{suffix} ({adapter})")
}

#[cfg(target_arch = "wasm32")]
fn backend_name(suffix: &str, adapter: &str) -> String {
    if adapter.is_empty() {
        format!("webgpu-f32{suffix}")
    } else {
        format!("webgpu-f32{suffix} ({adapter})")
    }
}

impl LinearBackend for GpuLinearBackend {
    fn name(&self) -> String {
        self.name.clone()
    }

    async fn advance(&mut self, steps: u32) -> Result<Vec<f32>, BackendError> {
        Ok(self.run(steps).await?)
    }

    async fn advance_many(&mut self, intervals: &[u32]) -> Result<Vec<Vec<f32>>, BackendError> {
        Ok(self.run_many(intervals).await?)
    }

    async fn weights(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(self.read_weights().await?)
    }
}
