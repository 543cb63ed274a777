//! The MLP trained on the GPU: every step (forward, loss gradient, backward, update) is a
//! fixed list of dispatches bound once; `advance` encodes many steps per submission and
//! reads back only the embeddings (and the hidden Gram matrix when asked).

use super::buffers::{self, LostFlag, Scopes};
use super::context::{GpuContext, GpuError};
use super::layout::{padded_len, unpack};
use super::mlp_resources::{MlpBindings, MlpBuffers, MlpDims};
use super::ntk::{empirical_ntk_gpu, NtkWeights};
use super::profile::StepPlan;
use crate::experiment::mlp::{MlpBackend, MlpPrepared, MlpSetup, Snapshot};
use crate::experiment::{BackendError, RunError};
use crate::model::mlp;

/// Steps encoded per queue submission.
const STEPS_PER_SUBMIT: u32 = 64;

/// The GPU backend: data, weights and activations live on the device.
pub struct GpuMlpBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
    dims: MlpDims,
    bufs: MlpBuffers,
    bindings: MlpBindings,
    /// F then (optionally) the Gram matrix, copied together for one readback.
    snapshot: wgpu::Buffer,
    snapshot_staging: wgpu::Buffer,
    lost: LostFlag,
}

impl GpuMlpBackend {
    /// The backend for `prep`'s run (initial weights, loss, η, momentum), with creation
    /// errors caught rather than left to the device's error handler.
    pub async fn from_prepared(ctx: &GpuContext, prep: &MlpPrepared) -> Result<Self, GpuError> {
        let scopes = Scopes::push(&ctx.device);
        let made = Self::new(ctx, prep);
        scopes.pop().await?;
        made
    }

    fn new(ctx: &GpuContext, prep: &MlpPrepared) -> Result<Self, GpuError> {
        let device = &ctx.device;
        let cfg = &prep.config;
        let dims = MlpDims {
            shape: prep.weights.shape,
            rows: 2 * prep.pairs.n,
        };
        let x = mlp::row_major(prep.inputs.as_ref());
        let w1 = mlp::row_major(prep.weights.w1.as_ref());
        let w2 = mlp::row_major(prep.weights.w2.as_ref());
        let flags = (cfg.momentum > 0.0, cfg.hidden_top > 0);
        let bufs = MlpBuffers::upload(device, dims, (&x, &w1, &w2), flags)?;
        let hyper = (cfg.ssl_loss(), prep.lr() as f32, cfg.momentum as f32);
        let bindings = MlpBindings::new(device, dims, &bufs, hyper)?;
        let len = snapshot_len(dims);
        Ok(Self {
            device: device.clone(),
            queue: ctx.queue.clone(),
            name: backend_name(&device.adapter_info().name),
            dims,
            bufs,
            bindings,
            snapshot: buffers::storage_buffer(device, "mlp snapshot", &vec![0.0; len]),
            snapshot_staging: buffers::staging_buffer(device, "mlp snapshot staging", len),
            lost: ctx.lost_flag(),
        })
    }

    /// Bytes of every buffer the backend holds: what `experiment::memory`'s formula bounds
    /// (docs/architecture.md §7).
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let mut out = self.bufs.buffer_bytes();
        out.extend(self.bindings.buffer_bytes());
        out.extend([self.snapshot.size(), self.snapshot_staging.size()]);
        out
    }

    /// The device the backend runs on.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue the backend submits to (benchmarks' profiles).
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// The dispatches of one training step, in order (benchmarks: dispatches per step and
    /// [`super::profile::profile_plan`]).
    pub fn step_plan(&self) -> StepPlan<'_> {
        StepPlan {
            dispatches: self.bindings.step_dispatches(),
            steps: 1,
        }
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("mlp step encoder"),
            })
    }

    fn encode_steps(&self, encoder: &mut wgpu::CommandEncoder, steps: u32) {
        let mut pass = begin_pass(encoder);
        for _ in 0..steps {
            self.bindings.encode_step(&mut pass);
        }
    }

    async fn run(&self, steps: u32, hidden: bool) -> Result<Snapshot, GpuError> {
        self.lost.check()?;
        let scopes = Scopes::push(&self.device);
        let mut left = steps;
        while left > STEPS_PER_SUBMIT {
            let mut encoder = self.encoder();
            self.encode_steps(&mut encoder, STEPS_PER_SUBMIT);
            self.queue.submit([encoder.finish()]);
            left -= STEPS_PER_SUBMIT;
        }
        let mut encoder = self.encoder();
        self.encode_steps(&mut encoder, left);
        let with_gram = {
            let mut pass = begin_pass(&mut encoder);
            self.bindings.encode_forward(&mut pass);
            hidden && self.bindings.encode_gram(&mut pass)
        };
        let f_len = padded_len(self.dims.rows, self.dims.d());
        encoder.copy_buffer_to_buffer(
            &self.bufs.f,
            0,
            &self.snapshot,
            0,
            buffers::f32_bytes(f_len),
        );
        if let (true, Some(gram)) = (with_gram, &self.bufs.gram) {
            let g_len = padded_len(self.dims.rows, self.dims.rows);
            let (offset, size) = (buffers::f32_bytes(f_len), buffers::f32_bytes(g_len));
            encoder.copy_buffer_to_buffer(gram, 0, &self.snapshot, offset, size);
        }
        let data = self
            .read(encoder, &self.snapshot, &self.snapshot_staging, scopes)
            .await?;
        let (n, d) = (self.dims.rows, self.dims.d());
        Ok(Snapshot {
            embeddings: unpack(n, d, &data[..f_len]),
            hidden_gram: with_gram.then(|| unpack(n, n, &data[f_len..])),
        })
    }

    async fn read_weights(&self) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
        let (hp, m1, d) = (self.dims.hp(), self.dims.m1(), self.dims.d());
        let mut out = Vec::new();
        for (buf, rows, cols) in [(&self.bufs.w1, hp, m1), (&self.bufs.w2, d, hp)] {
            self.lost.check()?;
            let scopes = Scopes::push(&self.device);
            let staging = buffers::staging_buffer(
                &self.device,
                "mlp weights staging",
                padded_len(rows, cols),
            );
            let data = self.read(self.encoder(), buf, &staging, scopes).await?;
            out.push(unpack(rows, cols, &data));
        }
        let w2 = out.pop().unwrap_or_default();
        let w1 = out.pop().unwrap_or_default();
        Ok((w1, w2))
    }

    async fn read(
        &self,
        encoder: wgpu::CommandEncoder,
        src: &wgpu::Buffer,
        staging: &wgpu::Buffer,
        scopes: Scopes,
    ) -> Result<Vec<f32>, GpuError> {
        let (device, queue) = (&self.device, &self.queue);
        buffers::submit_and_read(device, queue, encoder, (src, staging), scopes, &self.lost).await
    }
}

/// F followed by room for the N x N Gram matrix.
fn snapshot_len(dims: MlpDims) -> usize {
    padded_len(dims.rows, dims.d()) + padded_len(dims.rows, dims.rows)
}

fn begin_pass(encoder: &mut wgpu::CommandEncoder) -> wgpu::ComputePass<'_> {
    encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("mlp step pass"),
        timestamp_writes: None,
    })
}

#[cfg(not(target_arch = "wasm32"))]
pub(super) fn backend_name(adapter: &str) -> String {
    format!("gpu-f32 ({adapter})")
}

#[cfg(target_arch = "wasm32")]
pub(super) fn backend_name(adapter: &str) -> String {
    if adapter.is_empty() {
        "webgpu-f32".into()
    } else {
        format!("webgpu-f32 ({adapter})")
    }
}

impl MlpBackend for GpuMlpBackend {
    fn name(&self) -> String {
        self.name.clone()
    }

    async fn advance(&mut self, steps: u32, hidden: bool) -> Result<Snapshot, BackendError> {
        Ok(self.run(steps, hidden).await?)
    }

    async fn weights(&mut self) -> Result<(Vec<f32>, Vec<f32>), BackendError> {
        Ok(self.read_weights().await?)
    }
}

/// Prepares `cfg` with the NTK computed on the GPU and creates the backend holding its
/// initial weights.
pub async fn prepare_on_gpu(
    ctx: &GpuContext,
    setup: MlpSetup,
) -> Result<(MlpPrepared, GpuMlpBackend), RunError> {
    let prep = prepare_with_gpu_ntk(ctx, setup).await?;
    let backend = GpuMlpBackend::from_prepared(ctx, &prep)
        .await
        .map_err(BackendError::from)?;
    Ok((prep, backend))
}

/// Finishes `setup` with the NTK computed on the GPU (matmuls and two elementwise kernels).
pub async fn prepare_with_gpu_ntk(
    ctx: &GpuContext,
    setup: MlpSetup,
) -> Result<MlpPrepared, RunError> {
    let x = mlp::row_major(setup.inputs.as_ref());
    let w1 = mlp::row_major(setup.weights.w1.as_ref());
    let w2 = mlp::row_major(setup.weights.w2.as_ref());
    let weights = NtkWeights {
        hidden: setup.weights.shape.hidden,
        w1: &w1,
        w2: &w2,
    };
    let dims = (setup.inputs.nrows(), setup.inputs.ncols());
    let k = empirical_ntk_gpu(&ctx.device, &ctx.queue, dims, &x, &weights)
        .await
        .map_err(BackendError::from)?;
    let n = dims.0;
    let k = faer::Mat::from_fn(n, n, |i, j| {
        0.5 * (f64::from(k[i * n + j]) + f64::from(k[j * n + i]))
    });
    setup.finish(k)
}
