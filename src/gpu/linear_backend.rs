//! Gradient descent on linear Barlow Twins on the GPU, in f32, with every solver of the CPU
//! backend: `literal` (P = W Γ by the tiled matmul) or `eigenbasis` (A = W V, P = A Λ by
//! scaling columns; `truncated` is the same on Γ's top K modes, A being d x K).
//!
//! Like the CPU backend it keeps P and C = P Wᵀ current, so a step is
//! [W ← W − 4η (C − I) P; P ← W Γ; C ← P Wᵀ]: three dispatches, all bound once in `new`.
//! `advance` encodes every step into one compute pass per submission and reads C back once.

use super::buffers::{self, LostFlag, Scopes};
use super::context::{GpuContext, GpuError};
use super::layout::{padded_len, unpack};
use super::linear_resources::{check_shapes, to_original_basis, Matrices, Operator, StepBindings};
use super::spectral_step::{SpectralStep, VariantSpec};
use crate::experiment::{BackendError, LinearBackend, Prepared, Solver, MAX_BATCH};
use crate::model::spectral::LossVariant;

/// Steps encoded per queue submission (a long run is split into a few submissions).
const STEPS_PER_SUBMIT: u32 = 512;

/// The GPU backend: W, Γ, P and C live on the device.
pub struct GpuLinearBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
    d: usize,
    m: usize,
    step: StepBindings,
    /// Appendix G's extra dispatches, when a variant other than plain Barlow Twins runs.
    spectral: Option<SpectralStep>,
    x: Matrices,
    w_staging: wgpu::Buffer,
    c_staging: wgpu::Buffer,
    /// C after each interval of an `advance_many` call, and its staging twin.
    history: wgpu::Buffer,
    history_staging: wgpu::Buffer,
    lost: LostFlag,
    /// Eigenvectors (row-major m x K) when W holds A = W V (d x K).
    basis: Option<Vec<f32>>,
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
        out.extend(self.spectral.iter().flat_map(SpectralStep::buffer_bytes));
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
        Self::build((device, queue, lost), dims, op, w0, variant)
    }

    /// [`Self::with_variant`], with the device's loss seen through `lost`.
    fn build(
        (device, queue, lost): (&wgpu::Device, &wgpu::Queue, LostFlag),
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
        let spectral = match &variant {
            Some(spec) => Some(SpectralStep::new(device, (m, d), spec, &x)?),
            None => None,
        };
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
            step: StepBindings::new(
                device,
                (m, d, lr),
                &x,
                diagonal,
                spectral.as_ref().map(|s| &s.b),
            )?,
            spectral,
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
        };
        backend.refresh();
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
        let on = || (&ctx.device, &ctx.queue, ctx.lost_flag());
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

    /// Submits P = WΓ; C = PWᵀ for the initial W.
    fn refresh(&self) {
        let mut encoder = self.encoder();
        {
            let mut pass = begin_pass(&mut encoder);
            self.step.project.encode(&mut pass);
            self.step.correlate.encode(&mut pass);
        }
        self.queue.submit([encoder.finish()]);
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("linear step encoder"),
            })
    }

    /// An encoder holding `steps` steps.
    fn encode_steps(&self, steps: u32) -> wgpu::CommandEncoder {
        let mut encoder = self.encoder();
        self.encode_into(&mut encoder, steps);
        encoder
    }

    /// Appends `steps` steps to `encoder` in one compute pass.
    fn encode_into(&self, encoder: &mut wgpu::CommandEncoder, steps: u32) {
        if steps > 0 {
            let mut pass = begin_pass(encoder);
            for _ in 0..steps {
                if let Some(spectral) = &self.spectral {
                    spectral.encode(&mut pass);
                }
                self.step.update.encode(&mut pass);
                self.step.project.encode(&mut pass);
                self.step.correlate.encode(&mut pass);
            }
        }
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
        for (i, &steps) in intervals.iter().enumerate() {
            let mut left = steps;
            while left > 0 {
                let chunk = left.min(STEPS_PER_SUBMIT);
                self.encode_into(&mut encoder, chunk);
                (left, pending) = (left - chunk, pending + chunk);
                if pending >= STEPS_PER_SUBMIT {
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
        while left > STEPS_PER_SUBMIT {
            self.queue
                .submit([self.encode_steps(STEPS_PER_SUBMIT).finish()]);
            left -= STEPS_PER_SUBMIT;
        }
        let encoder = self.encode_steps(left);
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
