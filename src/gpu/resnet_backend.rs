//! The small ResNet trained on the GPU (docs/deep.md §1–2): parameters, momentum and every
//! activation live on the device; a training step (upload the views, forward, dL/dF with
//! [`LossGrad`], backward, SGD with momentum and weight decay) is one submission with no
//! readback; evaluation reads back the embeddings and the hidden representation.

use super::buffers::{self, LostFlag, Scopes};
use super::context::{GpuContext, GpuError};
use super::conv2d::ConvStyle;
use super::kernel::Binding;
use super::layout::{padded_len, unpack};
use super::loss_grad::LossGrad;
use super::profile::StepPlan;
use super::resnet_graph::GraphCtx;
use super::resnet_plan::NetSpec;
use super::resnet_resources::{Activations, Gradients, ResNetKernels, SharedBuffers};
use crate::experiment::deep::{DeepBackend, DeepConfig, DeepSnapshot};
use crate::experiment::BackendError;
use crate::model::resnet::ResNetShape;
use crate::model::ssl_loss::SslLoss;

/// How the network is trained: the loss and SGD's momentum μ and weight decay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuTraining {
    pub loss: SslLoss,
    pub momentum: f32,
    pub weight_decay: f32,
}

impl GpuTraining {
    /// The loss, μ and weight decay of `cfg`.
    pub fn from_config(cfg: &DeepConfig) -> Self {
        Self {
            loss: cfg.ssl_loss(),
            momentum: cfg.momentum as f32,
            weight_decay: cfg.weight_decay as f32,
        }
    }
}

/// A training step bound for one batch size.
struct TrainGraph {
    acts: Activations,
    _grads: Gradients,
    forward: Vec<Binding>,
    loss: LossGrad,
    rest: Vec<Binding>,
}

/// A forward pass bound for one evaluation size.
struct EvalGraph {
    acts: Activations,
    forward: Vec<Binding>,
}

/// The GPU backend of the deep-network experiments.
pub struct GpuDeepBackend {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
    spec: NetSpec,
    training: GpuTraining,
    kernels: ResNetKernels,
    shared: SharedBuffers,
    train: Option<TrainGraph>,
    eval: Option<EvalGraph>,
    lost: LostFlag,
}

impl GpuDeepBackend {
    /// The backend for `shape` starting from `params` (flat layout), creation errors caught.
    pub async fn new(
        ctx: &GpuContext,
        shape: &ResNetShape,
        params: &[f32],
        training: GpuTraining,
    ) -> Result<Self, GpuError> {
        let device = &ctx.device;
        let scopes = Scopes::push(device);
        let made = Self::create(ctx, shape, params, training);
        scopes.pop().await?;
        made
    }

    fn create(
        ctx: &GpuContext,
        shape: &ResNetShape,
        params: &[f32],
        training: GpuTraining,
    ) -> Result<Self, GpuError> {
        if matches!(training.loss, SslLoss::Spectral { .. }) {
            return Err(GpuError::Unsupported(
                "Appendix G's loss variants are not implemented for the ResNet".into(),
            ));
        }
        let (device, queue) = (&ctx.device, &ctx.queue);
        let spec = NetSpec::new(shape)?;
        let shared = SharedBuffers::new(device, queue, &spec, params)?;
        Ok(Self {
            device: device.clone(),
            queue: queue.clone(),
            name: super::mlp_backend::backend_name(&ctx.adapter_info.name),
            spec,
            training,
            kernels: ResNetKernels::new(device, ConvStyle::for_adapter(&ctx.adapter_info)),
            shared,
            train: None,
            eval: None,
            lost: ctx.lost_flag(),
        })
    }

    /// Bytes of every buffer held (graphs built so far): docs/architecture.md §7's formula.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let mut out = self.shared.buffer_bytes();
        if let Some(t) = &self.train {
            out.extend(t.acts.buffer_bytes());
            out.extend(t._grads.buffer_bytes());
            out.extend(t.loss.buffer_bytes());
        }
        out.extend(self.eval.iter().flat_map(|e| e.acts.buffer_bytes()));
        out
    }

    /// Short name written into results.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// The device the network lives on (tests destroy it to simulate a lost GPU).
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue the backend submits to (benchmarks' profiles).
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    fn graph(&self) -> GraphCtx<'_> {
        GraphCtx {
            device: &self.device,
            k: &self.kernels,
            spec: &self.spec,
            sh: &self.shared,
        }
    }

    /// The number of views in `views`, checked.
    fn count(&self, views: &[f32], pairs: bool) -> Result<usize, GpuError> {
        let per = self.spec.view_len();
        let count = views.len() / per;
        if count == 0 || views.len() != count * per || (pairs && !count.is_multiple_of(2)) {
            return Err(GpuError::Shape(format!(
                "ResNet: {} floats are not {} whole views of {per} floats",
                views.len(),
                if pairs {
                    "an even number of"
                } else {
                    "a number of"
                }
            )));
        }
        Ok(count)
    }

    fn train_graph(&mut self, count: usize) -> Result<&TrainGraph, GpuError> {
        if self.train.as_ref().is_none_or(|t| t.acts.count != count) {
            self.train = None;
            let g = self.graph();
            let acts = Activations::new(g.device, g.spec, count)?;
            let grads = Gradients::new(g.device, g.spec, count)?;
            let forward = g.forward(&acts)?;
            let (n, d) = (count / 2, g.spec.shape.d);
            let loss = LossGrad::new(g.device, self.training.loss, n, d, &acts.f, &grads.f)?;
            let mut rest = g.backward(&acts, &grads)?;
            rest.push(g.update(self.training.momentum, self.training.weight_decay)?);
            self.train = Some(TrainGraph {
                acts,
                _grads: grads,
                forward,
                loss,
                rest,
            });
        }
        self.train
            .as_ref()
            .ok_or_else(|| GpuError::Device("the training graph was not built".into()))
    }

    /// Allocates and binds everything a training step over `count` views needs (steps at
    /// another count rebuild it): a network or batch beyond the device's limits fails here
    /// with [`GpuError::TooLarge`] or [`GpuError::Shape`], before any step.
    pub async fn prepare_training(&mut self, count: usize) -> Result<(), GpuError> {
        if count == 0 || !count.is_multiple_of(2) {
            return Err(GpuError::Shape(format!(
                "ResNet training needs an even, positive number of views, not {count}"
            )));
        }
        let scopes = Scopes::push(&self.device);
        let built = self.train_graph(count).map(|_| ());
        scopes.pop().await?;
        built
    }

    /// The dispatches of one training step once the training graph is built (after a first
    /// step), in order: benchmarks' [`super::profile::profile_plan`].
    pub fn step_plan(&self) -> Option<StepPlan<'_>> {
        let t = self.train.as_ref()?;
        let loss = t.loss.bindings().iter();
        Some(StepPlan {
            dispatches: t.forward.iter().chain(loss).chain(&t.rest).collect(),
            steps: 1,
        })
    }

    /// Dispatches of one training step (after one step).
    pub fn dispatches_per_step(&self) -> Option<usize> {
        self.step_plan().map(|p| p.dispatches.len())
    }

    /// One SGD step on this batch of views (`[2B, S, S, 3]`, first views then second views)
    /// at learning rate `lr`: one submission, no readback.
    pub async fn train_step(&mut self, views: &[f32], lr: f32) -> Result<(), GpuError> {
        self.lost.check()?;
        let count = self.count(views, true)?;
        let scopes = Scopes::push(&self.device);
        let built = self.train_graph(count).map(|_| ());
        if let Err(e) = built {
            drop(scopes.pop());
            return Err(e);
        }
        let graph = self
            .train
            .as_ref()
            .ok_or_else(|| GpuError::Device("no graph".into()))?;
        self.queue
            .write_buffer(&graph.acts.views, 0, bytemuck::cast_slice(views));
        self.queue.write_buffer(
            &self.shared.hyper,
            0,
            bytemuck::cast_slice(&[lr, 0.0, 0.0, 0.0]),
        );
        let mut encoder = self.encoder();
        {
            let mut pass = begin_pass(&mut encoder);
            graph.forward.iter().for_each(|b| b.encode(&mut pass));
            graph.loss.encode(&mut pass);
            graph.rest.iter().for_each(|b| b.encode(&mut pass));
        }
        self.queue.submit([encoder.finish()]);
        scopes.pop().await?;
        self.lost.check()
    }

    fn eval_graph(&mut self, count: usize) -> Result<(), GpuError> {
        if self.eval.as_ref().is_none_or(|e| e.acts.count != count) {
            self.eval = None;
            let g = self.graph();
            let acts = Activations::new(g.device, g.spec, count)?;
            let forward = g.forward(&acts)?;
            self.eval = Some(EvalGraph { acts, forward });
        }
        Ok(())
    }

    /// The forward pass of `views` (`count` views) at the current parameters: (embeddings
    /// count x d, hidden count x hidden_dim), row-major.
    pub async fn evaluate_views(
        &mut self,
        views: &[f32],
        count: usize,
    ) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
        self.lost.check()?;
        if self.count(views, false)? != count {
            return Err(GpuError::Shape(format!(
                "ResNet evaluation: {} floats are not {count} views",
                views.len()
            )));
        }
        let scopes = Scopes::push(&self.device);
        if let Err(e) = self.eval_graph(count) {
            drop(scopes.pop());
            return Err(e);
        }
        let graph = self
            .eval
            .as_ref()
            .ok_or_else(|| GpuError::Device("no graph".into()))?;
        self.queue
            .write_buffer(&graph.acts.views, 0, bytemuck::cast_slice(views));
        let (d, c) = (self.spec.shape.d, self.spec.shape.hidden_dim());
        let (f_len, h_len) = (padded_len(count, d), padded_len(count, c));
        let snapshot =
            super::kernel::zeroed_storage(&self.device, "resnet snapshot", f_len + h_len)?;
        let staging =
            buffers::staging_buffer(&self.device, "resnet snapshot staging", f_len + h_len);
        let mut encoder = self.encoder();
        {
            let mut pass = begin_pass(&mut encoder);
            graph.forward.iter().for_each(|b| b.encode(&mut pass));
        }
        let bytes = buffers::f32_bytes;
        encoder.copy_buffer_to_buffer(&graph.acts.f, 0, &snapshot, 0, bytes(f_len));
        encoder.copy_buffer_to_buffer(&graph.acts.hidden, 0, &snapshot, bytes(f_len), bytes(h_len));
        let data = buffers::submit_and_read(
            &self.device,
            &self.queue,
            encoder,
            (&snapshot, &staging),
            scopes,
            &self.lost,
        )
        .await?;
        Ok((
            unpack(count, d, &data[..f_len]),
            unpack(count, c, &data[f_len..]),
        ))
    }

    /// The current parameters (flat layout).
    pub async fn read_params(&mut self) -> Result<Vec<f32>, GpuError> {
        self.lost.check()?;
        let scopes = Scopes::push(&self.device);
        let staging =
            buffers::staging_buffer(&self.device, "resnet params staging", self.spec.total);
        let mut data = buffers::submit_and_read(
            &self.device,
            &self.queue,
            self.encoder(),
            (&self.shared.params, &staging),
            scopes,
            &self.lost,
        )
        .await?;
        data.truncate(self.spec.total);
        Ok(data)
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("resnet encoder"),
            })
    }
}

fn begin_pass(encoder: &mut wgpu::CommandEncoder) -> wgpu::ComputePass<'_> {
    encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("resnet pass"),
        timestamp_writes: None,
    })
}

impl DeepBackend for GpuDeepBackend {
    fn name(&self) -> String {
        self.name.clone()
    }

    async fn train(&mut self, views: &[f32], lr: f32) -> Result<(), BackendError> {
        Ok(self.train_step(views, lr).await?)
    }

    async fn evaluate(
        &mut self,
        views: &[f32],
        count: usize,
    ) -> Result<DeepSnapshot, BackendError> {
        let (embeddings, hidden) = self.evaluate_views(views, count).await?;
        Ok(DeepSnapshot { embeddings, hidden })
    }

    async fn params(&mut self) -> Result<Vec<f32>, BackendError> {
        Ok(self.read_params().await?)
    }
}
