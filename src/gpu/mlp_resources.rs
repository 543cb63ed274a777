//! The MLP's device buffers (padded layout) and the dispatches of one training step, bound
//! once: forward, loss gradient, backward, update, in the fewest passes the math allows
//! (docs/architecture.md §3): the relu is fused into the first product's store, its
//! derivative into the store of Δ, and the weight update w ← w − η g into the stores of the
//! weight gradients: 6 dispatches a step. With momentum the gradients are stored and one
//! dispatch updates both layers (7); SimCLR's gradient takes three dispatches (+2).

use super::context::GpuError;
use super::kernel::{matrix_storage, Binding};
use super::layout::padded_len;
use super::loss_grad::LossGrad;
use super::matmul::{Epilogue, MatmulKernel, MatmulShape};
use super::sgd::{SgdKernel, SgdParams};
use crate::model::mlp::MlpShape;
use crate::model::ssl_loss::SslLoss;

/// Every buffer of a run, padded: X̃ (N x (m+1)), weights, activations, gradients.
pub struct MlpBuffers {
    pub x: wgpu::Buffer,
    pub w1: wgpu::Buffer,
    pub w2: wgpu::Buffer,
    pub hidden: wgpu::Buffer,
    /// Δ = dL/dZ̃ (N x (h+1)).
    pub delta: wgpu::Buffer,
    pub f: wgpu::Buffer,
    pub grad_f: wgpu::Buffer,
    /// Only with momentum: the gradients of W̃1 and W̃2, then their velocities.
    pub momentum: Option<[wgpu::Buffer; 4]>,
    /// H̃ H̃ᵀ (N x N), only when hidden eigenvalues are tracked.
    pub gram: Option<wgpu::Buffer>,
}

/// Sizes of a run on the device.
#[derive(Debug, Clone, Copy)]
pub struct MlpDims {
    pub shape: MlpShape,
    /// N = 2n.
    pub rows: usize,
}

impl MlpDims {
    pub fn hp(&self) -> usize {
        self.shape.hidden_aug()
    }

    pub fn m1(&self) -> usize {
        self.shape.inputs_aug()
    }

    pub fn d(&self) -> usize {
        self.shape.outputs
    }
}

impl MlpBuffers {
    /// Bytes of each buffer.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let fixed = [
            &self.x,
            &self.w1,
            &self.w2,
            &self.hidden,
            &self.delta,
            &self.f,
            &self.grad_f,
        ];
        let momentum = self.momentum.iter().flatten();
        let all = fixed.into_iter().chain(momentum).chain(&self.gram);
        all.map(wgpu::Buffer::size).collect()
    }

    /// Uploads X̃ and the weights (row-major, unpadded) and allocates the rest.
    pub fn upload(
        device: &wgpu::Device,
        dims: MlpDims,
        (x, w1, w2): (&[f32], &[f32], &[f32]),
        (momentum, gram): (bool, bool),
    ) -> Result<Self, GpuError> {
        let (n, hp, m1, d) = (dims.rows, dims.hp(), dims.m1(), dims.d());
        if x.len() != n * m1 || w1.len() != hp * m1 || w2.len() != d * hp {
            return Err(GpuError::Shape("mlp: operands have wrong lengths".into()));
        }
        let zeros = |label, dims: (usize, usize)| {
            matrix_storage(device, label, dims, &vec![0.0; dims.0 * dims.1])
        };
        let momentum = if momentum {
            Some([
                zeros("mlp dW1", (hp, m1))?,
                zeros("mlp dW2", (d, hp))?,
                zeros("mlp V1", (hp, m1))?,
                zeros("mlp V2", (d, hp))?,
            ])
        } else {
            None
        };
        Ok(Self {
            x: matrix_storage(device, "mlp X", (n, m1), x)?,
            w1: matrix_storage(device, "mlp W1", (hp, m1), w1)?,
            w2: matrix_storage(device, "mlp W2", (d, hp), w2)?,
            hidden: zeros("mlp H", (n, hp))?,
            delta: zeros("mlp delta", (n, hp))?,
            f: zeros("mlp F", (n, d))?,
            grad_f: zeros("mlp dL/dF", (n, d))?,
            momentum,
            gram: if gram {
                Some(zeros("mlp hidden Gram", (n, n))?)
            } else {
                None
            },
        })
    }
}

/// The dispatches of a forward pass, a training step and the hidden Gram matrix.
pub struct MlpBindings {
    forward: Vec<Binding>,
    loss: LossGrad,
    backward: Vec<Binding>,
    gram: Option<Binding>,
}

impl MlpBindings {
    /// Bytes of the loss gradient's scratch buffers.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        self.loss.buffer_bytes()
    }

    pub fn new(
        device: &wgpu::Device,
        dims: MlpDims,
        b: &MlpBuffers,
        (loss, lr, momentum): (SslLoss, f32, f32),
    ) -> Result<Self, GpuError> {
        let (n, hp, m1, d) = (dims.rows, dims.hp(), dims.m1(), dims.d());
        let mm = MatmulKernel::new(device);
        let forward = vec![
            mm.bind_with(
                device,
                "mlp H = relu(Z)",
                (MatmulShape::abt(n, hp, m1), Epilogue::Relu),
                (&b.x, &b.w1, &b.hidden),
                &b.x,
            )?,
            mm.bind(
                device,
                "mlp F",
                MatmulShape::abt(n, d, hp),
                (&b.hidden, &b.w2, &b.f),
            )?,
        ];
        let loss = LossGrad::new(device, loss, n / 2, d, &b.f, &b.grad_f)?;
        let backward = backward(device, &mm, dims, b, (lr, momentum))?;
        let gram = match &b.gram {
            Some(g) => {
                let shape = MatmulShape::abt(n, n, hp);
                Some(mm.bind(device, "mlp Gram", shape, (&b.hidden, &b.hidden, g))?)
            }
            None => None,
        };
        Ok(Self {
            forward,
            loss,
            backward,
            gram,
        })
    }

    /// One training step: forward, dL/dF, backward, update.
    pub fn encode_step(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.encode_forward(pass);
        self.loss.encode(pass);
        for b in &self.backward {
            b.encode(pass);
        }
    }

    /// The dispatches of [`Self::encode_step`], in order.
    pub fn step_dispatches(&self) -> Vec<&Binding> {
        let loss = self.loss.bindings().iter();
        self.forward
            .iter()
            .chain(loss)
            .chain(&self.backward)
            .collect()
    }

    /// The forward pass at the current weights.
    pub fn encode_forward(&self, pass: &mut wgpu::ComputePass<'_>) {
        for b in &self.forward {
            b.encode(pass);
        }
    }

    /// H̃ H̃ᵀ of the current hidden activations (after a forward pass); false if not bound.
    pub fn encode_gram(&self, pass: &mut wgpu::ComputePass<'_>) -> bool {
        match &self.gram {
            Some(g) => {
                g.encode(pass);
                true
            }
            None => false,
        }
    }
}

/// Δ, then the weight gradients with the update fused into their stores (or stored, and one
/// momentum update of both layers).
fn backward(
    device: &wgpu::Device,
    mm: &MatmulKernel,
    dims: MlpDims,
    b: &MlpBuffers,
    (lr, momentum): (f32, f32),
) -> Result<Vec<Binding>, GpuError> {
    let (n, hp, m1, d) = (dims.rows, dims.hp(), dims.m1(), dims.d());
    // Δ = (dL/dF W̃2) ⊙ relu'(Z̃), the bias unit's error zeroed (before W̃2 changes)
    let mask = Epilogue::ReluMask { frozen: hp - 1 };
    let (delta_shape, delta_bufs) = (MatmulShape::ab(n, hp, d), (&b.grad_f, &b.w2, &b.delta));
    let mut out = vec![mm.bind_with(
        device,
        "mlp delta",
        (delta_shape, mask),
        delta_bufs,
        &b.hidden,
    )?];
    let (g2, g1) = (MatmulShape::atb(d, hp, n), MatmulShape::atb(hp, m1, n));
    match &b.momentum {
        // w ← w − η g in the gradients' stores
        None => {
            let descend = Epilogue::Descend { lr };
            out.extend([
                mm.bind_with(
                    device,
                    "mlp W2 step",
                    (g2, descend),
                    (&b.grad_f, &b.hidden, &b.w2),
                    &b.grad_f,
                )?,
                mm.bind_with(
                    device,
                    "mlp W1 step",
                    (g1, descend),
                    (&b.delta, &b.x, &b.w1),
                    &b.delta,
                )?,
            ]);
        }
        Some([dw1, dw2, v1, v2]) => {
            let params = SgdParams::new((padded_len(hp, m1), padded_len(d, hp)), lr, momentum)?;
            let layers = ((dw1, &b.w1), (dw2, &b.w2));
            out.extend([
                mm.bind(device, "mlp dW2", g2, (&b.grad_f, &b.hidden, dw2))?,
                mm.bind(device, "mlp dW1", g1, (&b.delta, &b.x, dw1))?,
                SgdKernel::new(device).bind_momentum(device, params, layers, (v1, v2))?,
            ]);
        }
    }
    Ok(out)
}
