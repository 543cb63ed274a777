//! The ResNet's units as the GPU backend runs them (docs/deep.md §1), read off the flat
//! parameter layout of [`ResNetShape::layout`]: every tensor is taken in layout order and
//! checked against the architecture (kind and dimensions), so a layout that does not
//! describe the network is a typed error, never a wrong offset.

use super::context::GpuError;
use crate::model::resnet::ops::ConvShape;
use crate::model::resnet::{ParamEntry, ParamKind, ResNetShape};

/// A conv (weights at `weight`) followed, with batchnorm on, by BN (γ, β offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSpec {
    /// Geometry for one view (`batch` = 1).
    pub conv: ConvShape,
    pub weight: usize,
    pub bn: Option<(usize, usize)>,
}

/// A basic block: conv1 → BN → ReLU → conv2 → BN, + shortcut, → ReLU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSpec {
    pub conv1: UnitSpec,
    pub conv2: UnitSpec,
    /// The 1x1 projection shortcut when the shape changes (identity otherwise).
    pub shortcut: Option<UnitSpec>,
}

/// A bias-free projector layer `[inputs, outputs]` at `weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinearSpec {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: usize,
}

/// The whole network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetSpec {
    pub shape: ResNetShape,
    pub stem: UnitSpec,
    pub blocks: Vec<BlockSpec>,
    pub projector: Vec<LinearSpec>,
    /// Parameters in the flat vector.
    pub total: usize,
}

/// Takes the layout's entries in order, checking each against what the network expects.
struct Reader<'a> {
    entries: std::slice::Iter<'a, ParamEntry>,
    batchnorm: bool,
}

impl Reader<'_> {
    fn take(&mut self, kind: ParamKind, dims: &[usize]) -> Result<usize, GpuError> {
        match self.entries.next() {
            Some(e) if e.kind == kind && e.dims == dims => Ok(e.offset),
            other => Err(GpuError::Shape(format!(
                "the parameter layout does not describe the network: expected {kind:?} {dims:?}, \
                 found {:?}",
                other.map(|e| (&e.name, e.kind, &e.dims))
            ))),
        }
    }

    fn unit(&mut self, conv: ConvShape) -> Result<UnitSpec, GpuError> {
        let weight = self.take(ParamKind::Conv, &[conv.k * conv.k * conv.cin, conv.cout])?;
        let bn = if self.batchnorm {
            let gamma = self.take(ParamKind::BnGamma, &[conv.cout])?;
            let beta = self.take(ParamKind::BnBeta, &[conv.cout])?;
            Some((gamma, beta))
        } else {
            None
        };
        Ok(UnitSpec { conv, weight, bn })
    }
}

fn conv(side: usize, (cin, cout): (usize, usize), k: usize, stride: usize) -> ConvShape {
    ConvShape {
        batch: 1,
        side,
        cin,
        cout,
        k,
        stride,
    }
}

impl NetSpec {
    /// The network of `shape`, or [`GpuError::Shape`] if the shape is invalid or its layout
    /// does not match the architecture.
    pub fn new(shape: &ResNetShape) -> Result<Self, GpuError> {
        shape
            .validate()
            .map_err(|e| GpuError::Shape(format!("ResNet shape: {e}")))?;
        let layout = shape.layout();
        let mut r = Reader {
            entries: layout.entries.iter(),
            batchnorm: shape.batchnorm,
        };
        let first = shape.channels[0];
        let stem = r.unit(conv(shape.side, (3, first), 3, 1))?;
        let (mut side, mut cin) = (shape.side, first);
        let mut blocks = Vec::new();
        for (stage, &cout) in shape.channels.iter().enumerate() {
            for block in 0..shape.blocks {
                let stride = if stage > 0 && block == 0 { 2 } else { 1 };
                let conv1 = r.unit(conv(side, (cin, cout), 3, stride))?;
                let out = conv1.conv.out_side();
                let conv2 = r.unit(conv(out, (cout, cout), 3, 1))?;
                let shortcut = if stride != 1 || cin != cout {
                    Some(r.unit(conv(side, (cin, cout), 1, stride))?)
                } else {
                    None
                };
                blocks.push(BlockSpec {
                    conv1,
                    conv2,
                    shortcut,
                });
                (side, cin) = (out, cout);
            }
        }
        let widths = shape.projector_widths();
        let projector = widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let weight = r.take(ParamKind::Linear(l), &[w[0], w[1]])?;
                Ok(LinearSpec {
                    inputs: w[0],
                    outputs: w[1],
                    weight,
                })
            })
            .collect::<Result<Vec<_>, GpuError>>()?;
        if r.entries.next().is_some() {
            return Err(GpuError::Shape(
                "the parameter layout has more tensors than the network".into(),
            ));
        }
        Ok(Self {
            shape: shape.clone(),
            stem,
            blocks,
            projector,
            total: layout.total,
        })
    }

    /// Every conv unit in forward order.
    pub fn units(&self) -> impl Iterator<Item = &UnitSpec> {
        std::iter::once(&self.stem).chain(self.blocks.iter().flat_map(|b| {
            [Some(&b.conv1), Some(&b.conv2), b.shortcut.as_ref()]
                .into_iter()
                .flatten()
        }))
    }

    /// Side of the last block's output.
    pub fn final_side(&self) -> usize {
        self.blocks
            .last()
            .map_or(self.shape.side, |b| b.conv2.conv.out_side())
    }

    /// Floats of one view: S·S·3.
    pub fn view_len(&self) -> usize {
        self.shape.side * self.shape.side * 3
    }
}
