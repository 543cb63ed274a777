//! The deep network's GPU buffers (docs/architecture.md §7), unit by unit as
//! `gpu::resnet_resources` creates them: per conv unit its output, with batch normalization
//! the activated output and the statistics' scratch; the gradients mirror the activations,
//! with each projection shortcut's input gradient and the conv weight gradients' partial sums.

use crate::model::resnet::ResNetShape;
use crate::model::resnet::{ConvUnit, Plan};

/// Output pixels per chunk of BN's statistics (`gpu::batchnorm::CHUNK`).
const BN_CHUNK: usize = 256;
/// Output pixels per chunk of a conv's weight-gradient partial sums (`gpu::conv2d::CHUNK`).
const CONV_CHUNK: usize = 1024;

fn pad4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

fn units(plan: &Plan) -> impl Iterator<Item = &ConvUnit> {
    let blocks = plan.blocks.iter().flat_map(|b| {
        [Some(&b.conv1), Some(&b.conv2), b.shortcut.as_ref()]
            .into_iter()
            .flatten()
    });
    std::iter::once(&plan.stem).chain(blocks)
}

/// f32 of one forward graph over `count` views (`gradients`: and its backward graph).
pub(super) fn graph_floats(shape: &ResNetShape, count: usize, gradients: bool) -> usize {
    let plan = shape.plan();
    let mut acts = plan.stem.conv.with_batch(count).input_len();
    let mut grads = 0;
    let mut partial = 0;
    for unit in units(&plan) {
        let conv = unit.conv.with_batch(count);
        let out = conv.output_len();
        let pixels = out / conv.cout.max(1);
        let bn = usize::from(unit.bn.is_some());
        acts += out * (1 + bn) + bn * (4 + 2 * pixels.div_ceil(BN_CHUNK)) * conv.cout;
        grads += out * (1 + bn);
        let weights = conv.k * conv.k * conv.cin * conv.cout;
        partial = partial.max(pixels.div_ceil(CONV_CHUNK) * weights);
    }
    let shortcuts = plan.blocks.iter().filter_map(|b| b.shortcut.as_ref());
    grads += shortcuts
        .map(|s| s.conv.with_batch(count).input_len())
        .sum::<usize>();
    let mut columns: Vec<usize> = plan.projector.iter().map(|l| l.inputs).collect();
    columns.push(shape.d);
    let padded: usize = columns.iter().map(|&c| pad4(count) * pad4(c)).sum();
    acts += padded;
    grads += padded + partial.max(4);
    if gradients {
        acts + grads
    } else {
        acts
    }
}

/// f32 of the projector's padded weights (`SharedBuffers::proj_w`).
pub(super) fn projector_floats(shape: &ResNetShape) -> usize {
    let plan = shape.plan();
    plan.projector
        .iter()
        .map(|l| pad4(l.inputs) * pad4(l.outputs))
        .sum()
}
