//! The dispatches of the ResNet's forward pass, backward pass and SGD update (docs/deep.md
//! §1–2), bound once per batch size over the buffers of [`super::resnet_resources`]. The
//! backward mirrors `model::resnet::backward`: relu masks on the saved outputs, BN backward,
//! conv dW (chunked partial sums) and dX, the shortcut's gradient added into the input's.

use super::batchnorm::{BnBuffers, BnParams, RELU};
use super::context::GpuError;
use super::eltwise::{EltwiseParams, ADD};
use super::kernel::Binding;
use super::layout::pad4;
use super::matmul::MatmulShape;
use super::momentum_sgd::MomentumSgdParams;
use super::pool::PoolParams;
use super::relu::ReluParams;
use super::repack::RepackParams;
use super::resnet_plan::{NetSpec, UnitSpec};
use super::resnet_resources::{
    conv_params, Activations, Gradients, ResNetKernels, SharedBuffers, UnitBuffers,
};
use crate::model::resnet::ops::BN_EPS;

/// What every binding needs.
pub struct GraphCtx<'a> {
    pub device: &'a wgpu::Device,
    pub k: &'a ResNetKernels,
    pub spec: &'a NetSpec,
    pub sh: &'a SharedBuffers,
}

/// relu over a padded count x cols matrix (no frozen column).
fn relu_params(count: usize, cols: usize) -> ReluParams {
    ReluParams {
        rows4: pad4(count) as u32,
        cq: (pad4(cols) / 4) as u32,
        frozen: u32::MAX,
        _pad0: 0,
    }
}

impl GraphCtx<'_> {
    fn bn_params(&self, unit: &UnitSpec, count: usize, relu: bool) -> Result<BnParams, GpuError> {
        let (gamma, beta) = unit.bn.unwrap_or((0, 0));
        let pixels = count * unit.conv.out_side().pow(2);
        let flags = if relu { RELU } else { 0 };
        BnParams::new(
            (pixels, unit.conv.cout),
            (gamma, beta),
            (gamma, beta),
            flags,
            BN_EPS as f32,
        )
    }

    fn bn_buffers<'b>(&'b self, bufs: &'b UnitBuffers, stats: &'b wgpu::Buffer) -> BnBuffers<'b> {
        BnBuffers {
            x: &bufs.z,
            weights: &self.sh.params,
            stats,
            dummy: &self.sh.dummy,
        }
    }

    /// Conv, then BN (or nothing) with the residual add and relu.
    fn unit_forward(
        &self,
        out: &mut Vec<Binding>,
        (unit, bufs, count): (&UnitSpec, &UnitBuffers, usize),
        input: &wgpu::Buffer,
        (relu, residual): (bool, Option<&wgpu::Buffer>),
    ) -> Result<(), GpuError> {
        let p = conv_params(unit, count)?;
        let sh = self.sh;
        out.push(
            self.k
                .conv
                .bind_forward(self.device, p, (input, &sh.params, &bufs.z))?,
        );
        match (&bufs.out, &bufs.stats) {
            (Some(y), Some(stats)) => {
                let bp = self.bn_params(unit, count, relu)?;
                let b = self.bn_buffers(bufs, stats);
                out.extend(self.k.bn.bind_forward(self.device, bp, b, (residual, y))?);
            }
            _ => {
                let flags = if relu { RELU } else { 0 } | if residual.is_some() { ADD } else { 0 };
                if flags != 0 {
                    let ep = EltwiseParams::new(p.output_len(), flags)?;
                    let a = residual.unwrap_or(&sh.dummy);
                    out.push(
                        self.k
                            .eltwise
                            .bind_add_relu(self.device, ep, (a, &bufs.z))?,
                    );
                }
            }
        }
        Ok(())
    }

    /// The forward pass over `a.count` views: trunk, pool, projector (weights repacked
    /// from the flat parameters first).
    pub fn forward(&self, a: &Activations) -> Result<Vec<Binding>, GpuError> {
        let (spec, count) = (self.spec, a.count);
        let mut out = Vec::new();
        self.unit_forward(
            &mut out,
            (&spec.stem, &a.stem, count),
            &a.views,
            (true, None),
        )?;
        for (i, block) in spec.blocks.iter().enumerate() {
            let input = a.block_input(i);
            let [Some(u1), Some(u2), sc] = &a.blocks[i] else {
                return Err(GpuError::Shape("ResNet block without its convs".into()));
            };
            self.unit_forward(&mut out, (&block.conv1, u1, count), input, (true, None))?;
            let residual = match (&block.shortcut, sc) {
                (Some(s), Some(sb)) => {
                    self.unit_forward(&mut out, (s, sb, count), input, (false, None))?;
                    sb.output()
                }
                _ => input,
            };
            let conv2 = (&block.conv2, u2, count);
            self.unit_forward(&mut out, conv2, u1.output(), (true, Some(residual)))?;
        }
        let side = spec.final_side();
        let pp = PoolParams::new(count, side * side, spec.shape.hidden_dim())?;
        let pool = &self.k.pool;
        out.push(pool.bind_forward(self.device, pp, (a.trunk_output(), &a.hidden))?);
        self.projector_forward(&mut out, a)?;
        Ok(out)
    }

    fn projector_forward(&self, out: &mut Vec<Binding>, a: &Activations) -> Result<(), GpuError> {
        let (d, k, sh, count) = (self.device, self.k, self.sh, a.count);
        let last = self.spec.projector.len() - 1;
        for (l, lin) in self.spec.projector.iter().enumerate() {
            let rp = RepackParams::unflatten((lin.inputs, lin.outputs), lin.weight)?;
            out.push(k.repack.bind(d, rp, (&sh.params, &sh.proj_w[l]))?);
            let input = if l == 0 { &a.hidden } else { &a.layers[l - 1] };
            let output = if l == last { &a.f } else { &a.layers[l] };
            let shape = MatmulShape::ab(count, lin.outputs, lin.inputs);
            out.push(
                k.matmul
                    .bind(d, "resnet linear", shape, (input, &sh.proj_w[l], output))?,
            );
            if l < last {
                let rp = relu_params(count, lin.outputs);
                out.push(k.relu.bind_forward(d, rp, (output, &sh.dummy))?);
            }
        }
        Ok(())
    }

    /// BN backward (with BN) and the conv's dW from dL/d(unit output) `dy`; returns the
    /// buffer holding dL/d(conv output).
    fn unit_backward<'b>(
        &self,
        out: &mut Vec<Binding>,
        (unit, bufs, count): (&UnitSpec, &'b UnitBuffers, usize),
        (input, dy, dz): (&wgpu::Buffer, &'b wgpu::Buffer, Option<&'b wgpu::Buffer>),
        partial: &wgpu::Buffer,
    ) -> Result<&'b wgpu::Buffer, GpuError> {
        let sh = self.sh;
        let dz = match (&bufs.stats, dz) {
            (Some(stats), Some(dz)) => {
                let bp = self.bn_params(unit, count, false)?;
                let b = self.bn_buffers(bufs, stats);
                out.extend(
                    self.k
                        .bn
                        .bind_backward(self.device, bp, b, (dy, &sh.grad, dz))?,
                );
                dz
            }
            _ => dy,
        };
        let p = conv_params(unit, count)?;
        let conv = &self.k.conv;
        out.extend(conv.bind_backward_weights(self.device, p, (input, dz), (partial, &sh.grad))?);
        Ok(dz)
    }

    /// The backward pass from dL/dF (in `g.f`) to every parameter's gradient.
    pub fn backward(&self, a: &Activations, g: &Gradients) -> Result<Vec<Binding>, GpuError> {
        let (d, k, spec, count) = (self.device, self.k, self.spec, a.count);
        let sh = self.sh;
        let mut out = Vec::new();
        self.projector_backward(&mut out, a, g)?;
        let side = spec.final_side();
        let pp = PoolParams::new(count, side * side, spec.shape.hidden_dim())?;
        let last = g.block_input(spec.blocks.len());
        out.push(k.pool.bind_backward(d, pp, (&g.hidden, last))?);
        let missing = || GpuError::Shape("ResNet block without its buffers".into());
        for (i, block) in spec.blocks.iter().enumerate().rev() {
            let (input, d_input) = (a.block_input(i), g.block_input(i));
            let (u1, u2) = (
                a.block(i, 0).ok_or_else(missing)?,
                a.block(i, 1).ok_or_else(missing)?,
            );
            let (g1, g2) = (
                g.block(i, 0).ok_or_else(missing)?,
                g.block(i, 1).ok_or_else(missing)?,
            );
            let len2 = conv_params(&block.conv2, count)?.output_len();
            out.push(k.eltwise.bind_relu_mask(d, len2, (u2.output(), &g2.dout))?);
            let ds = &g2.dout;
            let conv2 = (&block.conv2, u2, count);
            let dz2 = self.unit_backward(
                &mut out,
                conv2,
                (u1.output(), ds, g2.dz.as_ref()),
                &g.partial,
            )?;
            let p2 = conv_params(&block.conv2, count)?;
            out.push(
                k.conv
                    .bind_backward_input(d, p2, (dz2, &sh.params, &g1.dout))?,
            );
            let len1 = conv_params(&block.conv1, count)?.output_len();
            out.push(k.eltwise.bind_relu_mask(d, len1, (u1.output(), &g1.dout))?);
            let conv1 = (&block.conv1, u1, count);
            let dz1 = self.unit_backward(
                &mut out,
                conv1,
                (input, &g1.dout, g1.dz.as_ref()),
                &g.partial,
            )?;
            let p1 = conv_params(&block.conv1, count)?;
            out.push(
                k.conv
                    .bind_backward_input(d, p1, (dz1, &sh.params, d_input))?,
            );
            let in_len = p1.input_len();
            let skip = match (
                &block.shortcut,
                a.block(i, 2),
                g.block(i, 2),
                &g.blocks[i].1,
            ) {
                (Some(s), Some(us), Some(gs), Some(skip)) => {
                    let sc = (s, us, count);
                    let dzs =
                        self.unit_backward(&mut out, sc, (input, ds, gs.dz.as_ref()), &g.partial)?;
                    let ps = conv_params(s, count)?;
                    out.push(k.conv.bind_backward_input(d, ps, (dzs, &sh.params, skip))?);
                    skip
                }
                _ => ds,
            };
            let ep = EltwiseParams::new(in_len, ADD)?;
            out.push(k.eltwise.bind_add_relu(d, ep, (skip, d_input))?);
        }
        let stem_len = conv_params(&spec.stem, count)?.output_len();
        out.push(
            k.eltwise
                .bind_relu_mask(d, stem_len, (a.stem.output(), &g.stem.dout))?,
        );
        let stem = (&spec.stem, &a.stem, count);
        let stem_grads = (&a.views, &g.stem.dout, g.stem.dz.as_ref());
        self.unit_backward(&mut out, stem, stem_grads, &g.partial)?;
        Ok(out)
    }

    fn projector_backward(
        &self,
        out: &mut Vec<Binding>,
        a: &Activations,
        g: &Gradients,
    ) -> Result<(), GpuError> {
        let (d, k, sh, count) = (self.device, self.k, self.sh, a.count);
        let mut du = &g.f;
        for (l, lin) in self.spec.projector.iter().enumerate().rev() {
            let input = if l == 0 { &a.hidden } else { &a.layers[l - 1] };
            let shape = MatmulShape::atb(lin.inputs, lin.outputs, count);
            out.push(
                k.matmul
                    .bind(d, "resnet linear dW", shape, (input, du, &sh.proj_dw[l]))?,
            );
            let rp = RepackParams::flatten((lin.inputs, lin.outputs), lin.weight)?;
            out.push(k.repack.bind(d, rp, (&sh.proj_dw[l], &sh.grad))?);
            let dx = if l == 0 { &g.hidden } else { &g.layers[l - 1] };
            let shape = MatmulShape::abt(count, lin.inputs, lin.outputs);
            out.push(
                k.matmul
                    .bind(d, "resnet linear dX", shape, (du, &sh.proj_w[l], dx))?,
            );
            if l > 0 {
                let rp = relu_params(count, lin.inputs);
                out.push(k.relu.bind_backward(d, rp, (input, dx, &sh.dummy))?);
            }
            du = dx;
        }
        Ok(())
    }

    /// v = μ v + (g + wd·w); w = w − η v over the flat parameters, η from `hyper[0]`.
    pub fn update(&self, momentum: f32, weight_decay: f32) -> Result<Binding, GpuError> {
        let sh = self.sh;
        let p = MomentumSgdParams::new(self.spec.total, momentum, weight_decay)?;
        self.k.sgd.bind(
            self.device,
            p,
            (&sh.grad, &sh.hyper),
            (&sh.velocity, &sh.params),
        )
    }
}
