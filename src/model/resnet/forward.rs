//! The forward pass over a batch of views, recording what the backward pass needs in a
//! [`Tape`] (docs/deep.md §1).

use super::kernels::ConvKernels;
use super::ops::{self, BnStats, ConvShape, Real};
use super::pool::Pool;
use super::shape::{BlockPlan, ConvUnit, Plan, ResNetShape};

/// What one conv unit (conv, then BN with batchnorm on) keeps for the backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTape<T> {
    /// The conv's output before BN (kept only with batchnorm on).
    pub z: Option<Vec<T>>,
    /// The BN's batch statistics (with batchnorm on).
    pub stats: Option<BnStats<T>>,
}

impl<T: Real> UnitTape<T> {
    /// Gives the unit's buffer to `pool`.
    fn recycle(self, pool: &mut Pool<T>) {
        if let Some(z) = self.z {
            pool.give(z);
        }
    }
}

/// What one basic block keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockTape<T> {
    pub conv1: UnitTape<T>,
    /// relu(bn1(conv1(input))).
    pub a1: Vec<T>,
    pub conv2: UnitTape<T>,
    pub shortcut: Option<UnitTape<T>>,
    /// relu(bn2(conv2(a1)) + shortcut(input)): the block's output.
    pub out: Vec<T>,
}

impl<T: Real> BlockTape<T> {
    /// Gives every buffer but the block's output to `pool`; returns the output.
    fn recycle_but_out(self, pool: &mut Pool<T>) -> Vec<T> {
        self.conv1.recycle(pool);
        self.conv2.recycle(pool);
        if let Some(sc) = self.shortcut {
            sc.recycle(pool);
        }
        pool.give(self.a1);
        self.out
    }
}

/// The activations of one forward pass over `count` views.
#[derive(Debug, Clone, PartialEq)]
pub struct Tape<T = f32> {
    pub count: usize,
    /// The input views, `[count, S, S, 3]`.
    pub input: Vec<T>,
    pub stem: UnitTape<T>,
    /// relu(bn(stem conv(input))).
    pub stem_out: Vec<T>,
    pub blocks: Vec<BlockTape<T>>,
    /// The input of each projector layer: `layers[0]` is the hidden representation (count x
    /// hidden_dim), `layers[l]` = relu(layers[l − 1]·W_{l−1}).
    pub layers: Vec<Vec<T>>,
    /// The embeddings, count x d.
    pub embeddings: Vec<T>,
}

impl<T: Real> Tape<T> {
    /// The global-average-pooled hidden representation, count x hidden_dim, row-major.
    pub fn hidden(&self) -> &[T] {
        &self.layers[0]
    }

    /// The embeddings, count x d, row-major.
    pub fn embeddings(&self) -> &[T] {
        &self.embeddings
    }

    /// Gives every buffer of the tape to `pool` (for the next forward pass).
    pub fn recycle(self, pool: &mut Pool<T>) {
        self.stem.recycle(pool);
        for b in self.blocks {
            let out = b.recycle_but_out(pool);
            pool.give(out);
        }
        for buf in [self.input, self.stem_out, self.embeddings]
            .into_iter()
            .chain(self.layers)
        {
            pool.give(buf);
        }
    }

    /// Floats stored (to compare with [`ResNetShape::activation_floats`]).
    pub fn floats(&self) -> usize {
        let unit = |u: &UnitTape<T>| u.z.as_ref().map_or(0, Vec::len);
        let blocks: usize = self
            .blocks
            .iter()
            .map(|b| {
                unit(&b.conv1)
                    + b.a1.len()
                    + unit(&b.conv2)
                    + b.out.len()
                    + b.shortcut.as_ref().map_or(0, unit)
            })
            .sum();
        let layers: usize = self.layers.iter().map(Vec::len).sum();
        self.input.len()
            + unit(&self.stem)
            + self.stem_out.len()
            + blocks
            + layers
            + self.embeddings.len()
    }
}

/// max(v, 0) in place (NaN stays NaN, so a diverged run shows in the embeddings).
pub(crate) fn relu_in_place<T: Real>(x: &mut [T]) {
    for v in x {
        *v = if *v < T::ZERO { T::ZERO } else { *v };
    }
}

/// Conv then (with batchnorm on) BN: the unit's record and its output.
fn unit_forward<T: Real, K: ConvKernels<T>>(
    kernels: &mut K,
    pool: &mut Pool<T>,
    unit: &ConvUnit,
    (count, params): (usize, &[T]),
    x: &[T],
) -> (UnitTape<T>, Vec<T>) {
    let s = unit.conv.with_batch(count);
    let mut z = pool.take(s.output_len());
    kernels.forward(&s, x, &params[unit.weight.clone()], &mut z);
    match &unit.bn {
        None => (
            UnitTape {
                z: None,
                stats: None,
            },
            z,
        ),
        Some((gamma, beta)) => {
            let stats = ops::batchnorm_stats(&z, s.cout);
            let mut n = pool.copy(&z);
            ops::batchnorm_apply(
                &mut n,
                &stats,
                &params[gamma.clone()],
                &params[beta.clone()],
            );
            let tape = UnitTape {
                z: Some(z),
                stats: Some(stats),
            };
            (tape, n)
        }
    }
}

fn block_forward<T: Real, K: ConvKernels<T>>(
    kernels: &mut K,
    pool: &mut Pool<T>,
    block: &BlockPlan,
    net: (usize, &[T]),
    input: &[T],
) -> BlockTape<T> {
    let (conv1, mut a1) = unit_forward(kernels, pool, &block.conv1, net, input);
    relu_in_place(&mut a1);
    let (conv2, mut out) = unit_forward(kernels, pool, &block.conv2, net, &a1);
    let shortcut = match &block.shortcut {
        Some(unit) => {
            let (tape, n) = unit_forward(kernels, pool, unit, net, input);
            out.iter_mut().zip(&n).for_each(|(o, &v)| *o += v);
            pool.give(n);
            Some(tape)
        }
        None => {
            out.iter_mut().zip(input).for_each(|(o, &v)| *o += v);
            None
        }
    };
    relu_in_place(&mut out);
    BlockTape {
        conv1,
        a1,
        conv2,
        shortcut,
        out,
    }
}

/// The forward pass of `count` views (`[count, S, S, 3]` NHWC) with the given conv kernels.
///
/// # Panics
/// When `params` or `views` do not have the sizes `shape` implies.
pub fn forward_with<T: Real, K: ConvKernels<T>>(
    shape: &ResNetShape,
    params: &[T],
    views: &[T],
    count: usize,
    kernels: &mut K,
) -> Tape<T> {
    forward_pooled(shape, params, views, count, kernels, &mut Pool::default())
}

/// [`forward_with`] taking every buffer from `pool` (no allocation once the pool holds a
/// recycled tape of the same size).
///
/// # Panics
/// When `params` or `views` do not have the sizes `shape` implies.
pub fn forward_pooled<T: Real, K: ConvKernels<T>>(
    shape: &ResNetShape,
    params: &[T],
    views: &[T],
    count: usize,
    kernels: &mut K,
    pool: &mut Pool<T>,
) -> Tape<T> {
    let plan = shape.plan();
    assert_eq!(params.len(), plan.layout.total, "parameter count");
    assert_eq!(
        views.len(),
        count * shape.side * shape.side * 3,
        "views' size"
    );
    let net = (count, params);
    let (stem, mut stem_out) = unit_forward(kernels, pool, &plan.stem, net, views);
    relu_in_place(&mut stem_out);
    let mut blocks: Vec<BlockTape<T>> = Vec::with_capacity(plan.blocks.len());
    for block in &plan.blocks {
        let input = blocks.last().map_or(&stem_out, |b| &b.out);
        let tape = block_forward(kernels, pool, block, net, input);
        blocks.push(tape);
    }
    let last = blocks.last().map_or(&stem_out, |b| &b.out);
    let side = final_side(&plan, shape.side);
    let mut hidden = pool.take(count * shape.hidden_dim());
    ops::global_avg_pool_into(last, side * side, shape.hidden_dim(), &mut hidden);
    let (layers, embeddings) = projector_forward(kernels, pool, &plan, net, hidden);
    Tape {
        count,
        input: pool.copy(views),
        stem,
        stem_out,
        blocks,
        layers,
        embeddings,
    }
}

/// The hidden representation (count x hidden_dim) and the embeddings (count x d) only, as in
/// [`forward_pooled`]'s tape (bit for bit) but keeping no tape: each block's buffers go back to
/// `pool` as soon as the next block has read them, so an evaluation over many views holds at
/// most 6 of the largest activations ([`ResNetShape::largest_layer_floats`]; tested) instead
/// of the whole tape ([`ResNetShape::activation_floats`]).
///
/// # Panics
/// When `params` or `views` do not have the sizes `shape` implies.
pub fn features_pooled<T: Real, K: ConvKernels<T>>(
    shape: &ResNetShape,
    params: &[T],
    views: &[T],
    count: usize,
    kernels: &mut K,
    pool: &mut Pool<T>,
) -> (Vec<T>, Vec<T>) {
    let plan = shape.plan();
    assert_eq!(params.len(), plan.layout.total, "parameter count");
    let view_len = shape.side * shape.side * 3;
    assert_eq!(views.len(), count * view_len, "views' size");
    let net = (count, params);
    let (stem, mut act) = unit_forward(kernels, pool, &plan.stem, net, views);
    relu_in_place(&mut act);
    stem.recycle(pool);
    for block in &plan.blocks {
        let out = block_forward(kernels, pool, block, net, &act).recycle_but_out(pool);
        pool.give(std::mem::replace(&mut act, out));
    }
    let side = final_side(&plan, shape.side);
    let mut hidden = pool.take(count * shape.hidden_dim());
    ops::global_avg_pool_into(&act, side * side, shape.hidden_dim(), &mut hidden);
    pool.give(act);
    let (mut layers, embeddings) = projector_forward(kernels, pool, &plan, net, hidden);
    layers.drain(1..).for_each(|buf| pool.give(buf));
    (layers.swap_remove(0), embeddings)
}

/// Side of the last block's output.
pub(crate) fn final_side(plan: &Plan, side: usize) -> usize {
    plan.blocks.last().map_or(side, |b| b.conv2.conv.out_side())
}

/// The projector's layer inputs (hidden first) and the embeddings.
fn projector_forward<T: Real, K: ConvKernels<T>>(
    kernels: &mut K,
    pool: &mut Pool<T>,
    plan: &Plan,
    (count, params): (usize, &[T]),
    hidden: Vec<T>,
) -> (Vec<Vec<T>>, Vec<T>) {
    let mut layers = vec![hidden];
    let mut embeddings = Vec::new();
    for (l, lin) in plan.projector.iter().enumerate() {
        let s = ConvShape::linear(count, lin.inputs, lin.outputs);
        let mut y = pool.take(count * lin.outputs);
        kernels.forward(&s, &layers[l], &params[lin.weight.clone()], &mut y);
        if l + 1 < plan.projector.len() {
            relu_in_place(&mut y);
            layers.push(y);
        } else {
            embeddings = y;
        }
    }
    (layers, embeddings)
}
