//! The ResNet's device buffers (docs/deep.md §1–2): the flat parameters with their gradient
//! and momentum, the projector's weights in the padded matmul layout, and per batch size the
//! activations of a forward pass and the gradients of a backward pass. Every buffer is
//! checked against the device's limits ([`GpuError::TooLarge`]).

use super::batchnorm::{stats_len, BnKernel};
use super::context::GpuError;
use super::conv2d::{ConvKernel, ConvParams, ConvStyle};
use super::eltwise::EltwiseKernel;
use super::kernel::zeroed_storage;
use super::layout::padded_len;
use super::matmul::MatmulKernel;
use super::momentum_sgd::MomentumSgdKernel;
use super::pool::PoolKernel;
use super::relu::ReluKernel;
use super::repack::RepackKernel;
use super::resnet_plan::{NetSpec, UnitSpec};

/// Every compiled pipeline of the network, shared by the training and evaluation graphs.
pub struct ResNetKernels {
    pub conv: ConvKernel,
    pub bn: BnKernel,
    pub eltwise: EltwiseKernel,
    pub pool: PoolKernel,
    pub repack: RepackKernel,
    pub matmul: MatmulKernel,
    pub relu: ReluKernel,
    pub sgd: MomentumSgdKernel,
}

impl ResNetKernels {
    /// Every pipeline, the convolutions in `style`.
    pub fn new(device: &wgpu::Device, style: ConvStyle) -> Self {
        Self {
            conv: ConvKernel::new(device, style),
            bn: BnKernel::new(device),
            eltwise: EltwiseKernel::new(device),
            pool: PoolKernel::new(device),
            repack: RepackKernel::new(device),
            matmul: MatmulKernel::new(device),
            relu: ReluKernel::new(device),
            sgd: MomentumSgdKernel::new(device),
        }
    }
}

/// Buffers that do not depend on the batch: parameters, their gradient and momentum (flat),
/// η (`hyper[0]`, rewritten before every step), the projector's weights and weight
/// gradients in the padded layout, and a dummy for unused binding slots.
pub struct SharedBuffers {
    pub params: wgpu::Buffer,
    pub grad: wgpu::Buffer,
    pub velocity: wgpu::Buffer,
    pub hyper: wgpu::Buffer,
    pub proj_w: Vec<wgpu::Buffer>,
    pub proj_dw: Vec<wgpu::Buffer>,
    pub dummy: wgpu::Buffer,
}

impl SharedBuffers {
    /// Bytes of each buffer.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let fixed = [
            &self.params,
            &self.grad,
            &self.velocity,
            &self.hyper,
            &self.dummy,
        ];
        let projector = self.proj_w.iter().chain(&self.proj_dw);
        fixed
            .into_iter()
            .chain(projector)
            .map(wgpu::Buffer::size)
            .collect()
    }

    /// Uploads `params` (the flat layout of `spec`).
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        spec: &NetSpec,
        params: &[f32],
    ) -> Result<Self, GpuError> {
        if params.len() != spec.total {
            return Err(GpuError::Shape(format!(
                "ResNet: {} parameters given, the network has {}",
                params.len(),
                spec.total
            )));
        }
        let padded = |label, l: &super::resnet_plan::LinearSpec| {
            zeroed_storage(device, label, padded_len(l.inputs, l.outputs))
        };
        let buffer = zeroed_storage(device, "resnet params", spec.total)?;
        queue.write_buffer(&buffer, 0, bytemuck::cast_slice(params));
        Ok(Self {
            params: buffer,
            grad: zeroed_storage(device, "resnet grad", spec.total)?,
            velocity: zeroed_storage(device, "resnet velocity", spec.total)?,
            hyper: zeroed_storage(device, "resnet lr", 4)?,
            proj_w: spec
                .projector
                .iter()
                .map(|l| padded("resnet projector W", l))
                .collect::<Result<_, _>>()?,
            proj_dw: spec
                .projector
                .iter()
                .map(|l| padded("resnet projector dW", l))
                .collect::<Result<_, _>>()?,
            dummy: zeroed_storage(device, "resnet dummy", 4)?,
        })
    }
}

/// A conv unit's activations: the conv output z, the unit output (BN, residual, relu; None
/// when they are done in place on z, i.e. without batchnorm) and BN's statistics scratch.
pub struct UnitBuffers {
    pub z: wgpu::Buffer,
    pub out: Option<wgpu::Buffer>,
    pub stats: Option<wgpu::Buffer>,
}

impl UnitBuffers {
    fn buffers(&self) -> impl Iterator<Item = &wgpu::Buffer> {
        std::iter::once(&self.z).chain(&self.out).chain(&self.stats)
    }

    fn new(device: &wgpu::Device, unit: &UnitSpec, count: usize) -> Result<Self, GpuError> {
        let len = unit.conv.with_batch(count).output_len();
        let bn = unit.bn.is_some();
        Ok(Self {
            z: zeroed_storage(device, "resnet conv output", len)?,
            out: bn
                .then(|| zeroed_storage(device, "resnet unit output", len))
                .transpose()?,
            stats: bn
                .then(|| {
                    let pixels = len / unit.conv.cout;
                    let stats = stats_len(pixels, unit.conv.cout);
                    zeroed_storage(device, "resnet bn stats", stats)
                })
                .transpose()?,
        })
    }

    /// What the next layer reads.
    pub fn output(&self) -> &wgpu::Buffer {
        self.out.as_ref().unwrap_or(&self.z)
    }
}

/// The activations of one forward pass over `count` views.
pub struct Activations {
    pub count: usize,
    pub views: wgpu::Buffer,
    pub stem: UnitBuffers,
    /// conv1, conv2 (whose output is the block's), shortcut.
    pub blocks: Vec<[Option<UnitBuffers>; 3]>,
    /// The hidden representation (padded count x hidden_dim).
    pub hidden: wgpu::Buffer,
    /// Inputs of projector layers 1.. (padded), after their relu.
    pub layers: Vec<wgpu::Buffer>,
    /// The embeddings F (padded count x d).
    pub f: wgpu::Buffer,
}

impl Activations {
    /// Bytes of each buffer.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let units = self.blocks.iter().flatten().flatten();
        let units = std::iter::once(&self.stem).chain(units);
        let plain = [&self.views, &self.hidden, &self.f].into_iter();
        let all = plain
            .chain(&self.layers)
            .chain(units.flat_map(UnitBuffers::buffers));
        all.map(wgpu::Buffer::size).collect()
    }

    pub fn new(device: &wgpu::Device, spec: &NetSpec, count: usize) -> Result<Self, GpuError> {
        let unit = |u: &UnitSpec| UnitBuffers::new(device, u, count);
        let blocks = spec
            .blocks
            .iter()
            .map(|b| {
                Ok([
                    Some(unit(&b.conv1)?),
                    Some(unit(&b.conv2)?),
                    b.shortcut.as_ref().map(unit).transpose()?,
                ])
            })
            .collect::<Result<_, GpuError>>()?;
        let padded = |label, cols| zeroed_storage(device, label, padded_len(count, cols));
        Ok(Self {
            count,
            views: zeroed_storage(device, "resnet views", count * spec.view_len())?,
            stem: unit(&spec.stem)?,
            blocks,
            hidden: padded("resnet hidden", spec.shape.hidden_dim())?,
            layers: spec.projector[1..]
                .iter()
                .map(|l| padded("resnet projector layer", l.inputs))
                .collect::<Result<_, _>>()?,
            f: padded("resnet embeddings", spec.shape.d)?,
        })
    }

    /// Block `i`'s unit `j` (0: conv1, 1: conv2, 2: shortcut).
    pub fn block(&self, i: usize, j: usize) -> Option<&UnitBuffers> {
        self.blocks.get(i).and_then(|b| b[j].as_ref())
    }

    /// The input of block `i`: the stem's output or the previous block's.
    pub fn block_input(&self, i: usize) -> &wgpu::Buffer {
        match i.checked_sub(1).and_then(|p| self.block(p, 1)) {
            Some(prev) => prev.output(),
            None => self.stem.output(),
        }
    }

    /// The last block's output (what the pool reads).
    pub fn trunk_output(&self) -> &wgpu::Buffer {
        self.block_input(self.blocks.len())
    }
}

/// A unit's gradients: dL/d(unit output) and, with BN, dL/d(conv output).
pub struct UnitGrads {
    pub dout: wgpu::Buffer,
    pub dz: Option<wgpu::Buffer>,
}

impl UnitGrads {
    fn buffers(&self) -> impl Iterator<Item = &wgpu::Buffer> {
        std::iter::once(&self.dout).chain(&self.dz)
    }

    fn new(device: &wgpu::Device, unit: &UnitSpec, count: usize) -> Result<Self, GpuError> {
        let len = unit.conv.with_batch(count).output_len();
        Ok(Self {
            dout: zeroed_storage(device, "resnet d(unit output)", len)?,
            dz: unit
                .bn
                .is_some()
                .then(|| zeroed_storage(device, "resnet d(conv output)", len))
                .transpose()?,
        })
    }
}

/// The gradients of one backward pass over `count` views.
pub struct Gradients {
    pub stem: UnitGrads,
    /// conv1, conv2 (dout = dL/d(block output)), shortcut; and dL/d(input) through the
    /// shortcut's conv (added into the input's gradient).
    pub blocks: Vec<([Option<UnitGrads>; 3], Option<wgpu::Buffer>)>,
    pub hidden: wgpu::Buffer,
    /// dL/d(input) of projector layers 1.. (padded).
    pub layers: Vec<wgpu::Buffer>,
    pub f: wgpu::Buffer,
    /// Partial sums of the conv weight gradients (the largest conv's).
    pub partial: wgpu::Buffer,
}

impl Gradients {
    /// Bytes of each buffer.
    pub fn buffer_bytes(&self) -> Vec<u64> {
        let units = self.blocks.iter().flat_map(|(u, _)| u.iter().flatten());
        let units = std::iter::once(&self.stem).chain(units);
        let skips = self.blocks.iter().filter_map(|(_, s)| s.as_ref());
        let plain = [&self.hidden, &self.f, &self.partial].into_iter();
        let all = plain
            .chain(&self.layers)
            .chain(skips)
            .chain(units.flat_map(UnitGrads::buffers));
        all.map(wgpu::Buffer::size).collect()
    }

    pub fn new(device: &wgpu::Device, spec: &NetSpec, count: usize) -> Result<Self, GpuError> {
        let unit = |u: &UnitSpec| UnitGrads::new(device, u, count);
        let blocks = spec
            .blocks
            .iter()
            .map(|b| {
                let skip = b
                    .shortcut
                    .as_ref()
                    .map(|s| {
                        zeroed_storage(
                            device,
                            "resnet d(skip)",
                            s.conv.with_batch(count).input_len(),
                        )
                    })
                    .transpose()?;
                let units = [
                    Some(unit(&b.conv1)?),
                    Some(unit(&b.conv2)?),
                    b.shortcut.as_ref().map(unit).transpose()?,
                ];
                Ok((units, skip))
            })
            .collect::<Result<_, GpuError>>()?;
        let mut partial = 0;
        for u in spec.units() {
            let p = conv_params(u, count)?;
            partial = partial.max(p.partial_len());
        }
        let padded = |label, cols| zeroed_storage(device, label, padded_len(count, cols));
        Ok(Self {
            stem: unit(&spec.stem)?,
            blocks,
            hidden: padded("resnet d(hidden)", spec.shape.hidden_dim())?,
            layers: spec.projector[1..]
                .iter()
                .map(|l| padded("resnet d(projector layer)", l.inputs))
                .collect::<Result<_, _>>()?,
            f: padded("resnet dL/dF", spec.shape.d)?,
            partial: zeroed_storage(device, "resnet conv dW partial sums", partial)?,
        })
    }

    /// Block `i`'s unit `j` gradients.
    pub fn block(&self, i: usize, j: usize) -> Option<&UnitGrads> {
        self.blocks.get(i).and_then(|b| b.0[j].as_ref())
    }

    /// dL/d(input of block `i`): the stem's output gradient or the previous block's.
    pub fn block_input(&self, i: usize) -> &wgpu::Buffer {
        match i.checked_sub(1).and_then(|p| self.block(p, 1)) {
            Some(prev) => &prev.dout,
            None => &self.stem.dout,
        }
    }
}

/// The conv's kernel parameters over `count` views, weights and dW at the unit's offset
/// (the parameters and their gradient share the flat layout).
pub fn conv_params(unit: &UnitSpec, count: usize) -> Result<ConvParams, GpuError> {
    let s = &unit.conv;
    let offset = unit.weight;
    ConvParams::new(
        (count, s.side, s.cin, s.cout),
        (s.k, s.stride),
        (offset, offset),
    )
}
