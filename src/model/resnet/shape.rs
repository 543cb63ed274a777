//! The ResNet's sizes and the layout of its parameters in one flat vector (docs/deep.md §1).
//!
//! The network: a 3x3 stem conv (stride 1) → BN → ReLU; `channels.len()` stages of `blocks`
//! basic blocks (conv3x3(stride s) → BN → ReLU → conv3x3 → BN, + shortcut, → ReLU; s = 2 in
//! the first block of every stage but the first; the shortcut is the identity, or a 1x1 conv
//! with stride s → BN when the shape changes); global average pooling → the hidden
//! representation; a bias-free projector (Linear, ReLU between layers) → the embedding.

use std::ops::Range;

use thiserror::Error;

use super::ops::ConvShape;

/// Sizes of the network (docs/deep.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResNetShape {
    /// Side of the (square) input views, pixels.
    pub side: usize,
    /// Channels of each stage, e.g. `[16, 32, 64]`.
    pub channels: Vec<usize>,
    /// Basic blocks per stage.
    pub blocks: usize,
    /// Hidden widths of the projector, e.g. `[256]`.
    pub projector: Vec<usize>,
    /// Embedding dimension.
    pub d: usize,
    /// Batch normalization in the trunk (batch statistics; skipped entirely when false).
    pub batchnorm: bool,
}

/// A shape that describes no network.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResNetShapeError {
    #[error("the views' side must be at least 1 pixel")]
    Side,
    #[error("the network needs at least one stage (channels is empty)")]
    NoStages,
    #[error("stage {stage} has 0 channels")]
    Channels { stage: usize },
    #[error("every stage needs at least one block")]
    Blocks,
    #[error("projector layer {layer} has width 0")]
    Projector { layer: usize },
    #[error("the embedding dimension d must be at least 1")]
    Dimension,
}

/// What a parameter tensor is (initialization and weight decay may treat them differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Conv weights `[K·K·Cin, Cout]`.
    Conv,
    /// Batch-norm scale γ (per channel).
    BnGamma,
    /// Batch-norm shift β (per channel).
    BnBeta,
    /// Projector weights `[in, out]`; the index of the projector layer.
    Linear(usize),
}

/// One named tensor in the flat parameter vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamEntry {
    /// E.g. "stem.conv", "stem.bn.gamma", "stage1.block0.conv2", "stage1.block0.bn2.beta",
    /// "stage1.block0.shortcut.conv", "projector.0".
    pub name: String,
    pub kind: ParamKind,
    /// First index in the flat vector.
    pub offset: usize,
    /// Dimensions, row-major (conv `[K·K·Cin, Cout]`, linear `[in, out]`, BN `[C]`).
    pub dims: Vec<usize>,
}

impl ParamEntry {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// Always false: every tensor has at least one value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry's indices in the flat vector.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// Named offsets and shapes of every tensor in one flat `Vec<f32>` of parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamLayout {
    pub entries: Vec<ParamEntry>,
    /// Total number of parameters.
    pub total: usize,
}

impl ParamLayout {
    /// The entry called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&ParamEntry> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// A conv followed (with batchnorm on) by BN: where its tensors live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConvUnit {
    /// The conv's geometry for one view (`batch` = 1; set per call).
    pub conv: ConvShape,
    pub weight: Range<usize>,
    /// γ and β, with batchnorm on.
    pub bn: Option<(Range<usize>, Range<usize>)>,
}

/// A basic block: two 3x3 conv units and, when the shape changes, a 1x1 projection shortcut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockPlan {
    pub conv1: ConvUnit,
    pub conv2: ConvUnit,
    pub shortcut: Option<ConvUnit>,
}

/// A bias-free projector layer `[inputs, outputs]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinearPlan {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Range<usize>,
}

/// The whole network, unit by unit, with its parameters' places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub stem: ConvUnit,
    pub blocks: Vec<BlockPlan>,
    pub projector: Vec<LinearPlan>,
    pub layout: ParamLayout,
}

/// Builds the plan while appending entries to the layout.
struct Builder {
    batchnorm: bool,
    layout: ParamLayout,
}

impl Builder {
    fn push(&mut self, name: String, kind: ParamKind, dims: Vec<usize>) -> Range<usize> {
        let entry = ParamEntry {
            name,
            kind,
            offset: self.layout.total,
            dims,
        };
        self.layout.total += entry.len();
        let range = entry.range();
        self.layout.entries.push(entry);
        range
    }

    /// Entries "{name}.{conv}" and (with batchnorm on) "{name}.{bn}.gamma", "{name}.{bn}.beta".
    fn unit(&mut self, name: &str, [conv_name, bn]: [&str; 2], conv: ConvShape) -> ConvUnit {
        let dims = vec![conv.k * conv.k * conv.cin, conv.cout];
        let weight = self.push(format!("{name}.{conv_name}"), ParamKind::Conv, dims);
        let bn = self.batchnorm.then(|| {
            let gamma = self.push(
                format!("{name}.{bn}.gamma"),
                ParamKind::BnGamma,
                vec![conv.cout],
            );
            let beta = self.push(
                format!("{name}.{bn}.beta"),
                ParamKind::BnBeta,
                vec![conv.cout],
            );
            (gamma, beta)
        });
        ConvUnit { conv, weight, bn }
    }
}

/// A one-view conv geometry.
fn conv(side: usize, cin: usize, cout: usize, k: usize, stride: usize) -> ConvShape {
    ConvShape {
        batch: 1,
        side,
        cin,
        cout,
        k,
        stride,
    }
}

impl ResNetShape {
    /// Checks that the shape describes a network.
    pub fn validate(&self) -> Result<(), ResNetShapeError> {
        if self.side == 0 {
            return Err(ResNetShapeError::Side);
        }
        if self.channels.is_empty() {
            return Err(ResNetShapeError::NoStages);
        }
        if let Some(stage) = self.channels.iter().position(|&c| c == 0) {
            return Err(ResNetShapeError::Channels { stage });
        }
        if self.blocks == 0 {
            return Err(ResNetShapeError::Blocks);
        }
        if let Some(layer) = self.projector.iter().position(|&w| w == 0) {
            return Err(ResNetShapeError::Projector { layer });
        }
        if self.d == 0 {
            return Err(ResNetShapeError::Dimension);
        }
        Ok(())
    }

    /// Width of the hidden representation: the last stage's channels (after pooling).
    pub fn hidden_dim(&self) -> usize {
        self.channels.last().copied().unwrap_or(0)
    }

    /// Widths of the projector's layers' inputs and outputs: hidden_dim, projector…, d.
    pub fn projector_widths(&self) -> Vec<usize> {
        let mut widths = vec![self.hidden_dim()];
        widths.extend(&self.projector);
        widths.push(self.d);
        widths
    }

    /// The unit-by-unit plan (named offsets of every tensor).
    pub(crate) fn plan(&self) -> Plan {
        let mut b = Builder {
            batchnorm: self.batchnorm,
            layout: ParamLayout {
                entries: Vec::new(),
                total: 0,
            },
        };
        let first = self.channels.first().copied().unwrap_or(0);
        let stem = b.unit("stem", ["conv", "bn"], conv(self.side, 3, first, 3, 1));
        let (mut side, mut cin) = (self.side, first);
        let mut blocks = Vec::new();
        for (stage, &cout) in self.channels.iter().enumerate() {
            for block in 0..self.blocks {
                let stride = if stage > 0 && block == 0 { 2 } else { 1 };
                let name = format!("stage{stage}.block{block}");
                let conv1 = b.unit(&name, ["conv1", "bn1"], conv(side, cin, cout, 3, stride));
                let out = conv1.conv.out_side();
                let conv2 = b.unit(&name, ["conv2", "bn2"], conv(out, cout, cout, 3, 1));
                let shortcut = (stride != 1 || cin != cout).then(|| {
                    b.unit(
                        &format!("{name}.shortcut"),
                        ["conv", "bn"],
                        conv(side, cin, cout, 1, stride),
                    )
                });
                blocks.push(BlockPlan {
                    conv1,
                    conv2,
                    shortcut,
                });
                (side, cin) = (out, cout);
            }
        }
        let widths = self.projector_widths();
        let projector = widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| LinearPlan {
                inputs: w[0],
                outputs: w[1],
                weight: b.push(
                    format!("projector.{l}"),
                    ParamKind::Linear(l),
                    vec![w[0], w[1]],
                ),
            })
            .collect();
        Plan {
            stem,
            blocks,
            projector,
            layout: b.layout,
        }
    }

    /// Named offsets and shapes of every tensor in the flat parameter vector.
    pub fn layout(&self) -> ParamLayout {
        self.plan().layout
    }

    /// Number of parameters.
    pub fn parameters(&self) -> usize {
        self.layout().total
    }

    /// Side of the last stage's feature maps.
    pub fn final_side(&self) -> usize {
        let plan = self.plan();
        plan.blocks
            .last()
            .map_or(self.side, |b| b.conv2.conv.out_side())
    }

    /// Floating-point operations of one view's forward pass: 2 per multiply-add of the
    /// convs and linear layers (BN, ReLU, pooling and the residual adds are not counted;
    /// they are O(activations), under 2% here). A training step's forward + backward is
    /// about 3 times this per view.
    pub fn flops_per_view(&self) -> usize {
        let plan = self.plan();
        let convs = std::iter::once(&plan.stem).chain(plan.blocks.iter().flat_map(|b| {
            [Some(&b.conv1), Some(&b.conv2), b.shortcut.as_ref()]
                .into_iter()
                .flatten()
        }));
        let conv_flops: usize = convs
            .map(|u| 2 * u.conv.output_len() * u.conv.k * u.conv.k * u.conv.cin)
            .sum();
        let linear: usize = plan
            .projector
            .iter()
            .map(|l| 2 * l.inputs * l.outputs)
            .sum();
        conv_flops + linear
    }

    /// Floats that a forward [`super::Tape`] over `views` views stores (the input views
    /// included; not the 2 floats per BN channel of batch statistics): the memory bound of
    /// training's activations.
    pub fn activation_floats(&self, views: usize) -> usize {
        let plan = self.plan();
        let bn = usize::from(self.batchnorm);
        // each unit keeps its pre-BN output (with BN) and the activated output
        let unit = |u: &ConvUnit| u.conv.output_len() * (1 + bn);
        let mut per_view = plan.stem.conv.input_len() + unit(&plan.stem);
        for b in &plan.blocks {
            per_view += unit(&b.conv1) + unit(&b.conv2);
            per_view += b.shortcut.as_ref().map_or(0, |s| s.conv.output_len() * bn);
        }
        // each projector layer's input (the hidden representation first), and the embedding
        per_view += plan.projector.iter().map(|l| l.inputs).sum::<usize>() + self.d;
        per_view * views
    }

    /// Floats of the largest activation of `views` views (a conv unit's output or the input).
    pub fn largest_layer_floats(&self, views: usize) -> usize {
        let plan = self.plan();
        let units = plan.blocks.iter().flat_map(|b| [&b.conv1, &b.conv2]);
        let largest = std::iter::once(&plan.stem)
            .chain(units)
            .map(|u| u.conv.output_len())
            .chain([plan.stem.conv.input_len()])
            .max();
        largest.unwrap_or(0) * views
    }

    /// Upper bound of the floats a [`super::Workspace`] holds between training steps of `views`
    /// views: the tape ([`Self::activation_floats`]) plus the backward pass's scratch, at most
    /// 8 of the largest activations (tested; about 6 at the default shapes). The im2col
    /// scratch of [`super::Fast`] (2^18 floats, or one image's im2col if larger) comes on top.
    pub fn workspace_floats(&self, views: usize) -> usize {
        self.activation_floats(views) + 8 * self.largest_layer_floats(views)
    }
}
