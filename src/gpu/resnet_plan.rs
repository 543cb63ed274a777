//! The ResNet's units as the GPU backend runs them (docs/deep.md §1): the model's own plan
//! (the one that lays out the flat parameters, `model::resnet::shape`) with offsets in place
//! of ranges, so the GPU and the CPU cannot disagree on where a tensor lives.

use super::context::GpuError;
use crate::model::resnet::ops::ConvShape;
use crate::model::resnet::{ConvUnit, ResNetShape};

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

impl From<&ConvUnit> for UnitSpec {
    fn from(unit: &ConvUnit) -> Self {
        Self {
            conv: unit.conv,
            weight: unit.weight.start,
            bn: unit.bn.as_ref().map(|(g, b)| (g.start, b.start)),
        }
    }
}

impl NetSpec {
    /// The network of `shape` with its tensors' offsets, read off the model's own plan (the
    /// one that builds [`ResNetShape::layout`]), or [`GpuError::Shape`] if the shape is
    /// invalid.
    pub fn new(shape: &ResNetShape) -> Result<Self, GpuError> {
        shape
            .validate()
            .map_err(|e| GpuError::Shape(format!("ResNet shape: {e}")))?;
        let plan = shape.plan();
        let blocks = plan
            .blocks
            .iter()
            .map(|b| BlockSpec {
                conv1: (&b.conv1).into(),
                conv2: (&b.conv2).into(),
                shortcut: b.shortcut.as_ref().map(UnitSpec::from),
            })
            .collect();
        let projector = plan
            .projector
            .iter()
            .map(|l| LinearSpec {
                inputs: l.inputs,
                outputs: l.outputs,
                weight: l.weight.start,
            })
            .collect();
        Ok(Self {
            shape: shape.clone(),
            stem: (&plan.stem).into(),
            blocks,
            projector,
            total: plan.layout.total,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(batchnorm: bool) -> ResNetShape {
        ResNetShape {
            side: 9,
            channels: vec![4, 4, 8],
            blocks: 2,
            projector: vec![16, 12],
            d: 5,
            batchnorm,
        }
    }

    #[test]
    fn units_take_every_tensor_of_the_layout_once() {
        for bn in [true, false] {
            let shape = shape(bn);
            let spec = NetSpec::new(&shape).unwrap();
            let layout = shape.layout();
            assert_eq!(spec.total, layout.total);
            // stride 2 opens stages 1 and 2, a projection only where the channels change
            let strides: Vec<usize> = spec.blocks.iter().map(|b| b.conv1.conv.stride).collect();
            assert_eq!(strides, [1, 1, 2, 1, 2, 1]);
            let shortcuts: Vec<bool> = spec.blocks.iter().map(|b| b.shortcut.is_some()).collect();
            assert_eq!(shortcuts, [false, false, true, false, true, false]);
            assert_eq!(spec.final_side(), 3);
            let mut offsets: Vec<usize> = spec
                .units()
                .flat_map(|u| {
                    let (g, b) = u.bn.map_or((None, None), |(g, b)| (Some(g), Some(b)));
                    [Some(u.weight), g, b].into_iter().flatten()
                })
                .chain(spec.projector.iter().map(|l| l.weight))
                .collect();
            offsets.sort_unstable();
            let want: Vec<usize> = layout.entries.iter().map(|e| e.offset).collect();
            assert_eq!(offsets, want, "batchnorm {bn}");
        }
    }

    #[test]
    fn an_invalid_shape_is_a_shape_error() {
        let bad = ResNetShape {
            channels: vec![],
            ..shape(true)
        };
        assert!(matches!(NetSpec::new(&bad), Err(GpuError::Shape(_))));
    }
}
