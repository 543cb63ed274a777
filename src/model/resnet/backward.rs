//! The backward pass: dL/dparams from a [`Tape`] and dL/d(embeddings) (docs/deep.md §1).

use super::forward::{final_side, BlockTape, Tape, UnitTape};
use super::kernels::ConvKernels;
use super::ops::{self, ConvShape, Real};
use super::pool::Pool;
use super::shape::{BlockPlan, ConvUnit, LinearPlan, ResNetShape};

/// One backward pass: the parameters (read), their gradients (written), the kernels and the
/// buffer pool.
struct Pass<'a, T, K> {
    params: &'a [T],
    grads: &'a mut [T],
    count: usize,
    kernels: &'a mut K,
    pool: &'a mut Pool<T>,
}

impl<T: Real, K: ConvKernels<T>> Pass<'_, T, K> {
    /// Backward through a conv unit (BN first, with batchnorm on) given dL/d(unit output) `dn`
    /// (consumed): writes the unit's parameter gradients and returns dL/d(conv output).
    fn unit(&mut self, unit: &ConvUnit, tape: &UnitTape<T>, input: &[T], dn: Vec<T>) -> Vec<T> {
        let s = unit.conv.with_batch(self.count);
        let dz = match (&unit.bn, &tape.z, &tape.stats) {
            (Some((gamma, beta)), Some(z), Some(stats)) => {
                let mut dz = self.pool.take(dn.len());
                let (dgamma, dbeta) = split_two(self.grads, gamma.clone(), beta.clone());
                let gamma = &self.params[gamma.clone()];
                ops::batchnorm_backward_into(z, gamma, stats, &dn, &mut dz, [dgamma, dbeta]);
                self.pool.give(dn);
                dz
            }
            _ => dn,
        };
        let dw = &mut self.grads[unit.weight.clone()];
        self.kernels.backward_weights(&s, input, &dz, dw);
        dz
    }

    /// dL/d(unit input) from dL/d(conv output).
    fn input(&mut self, unit: &ConvUnit, dz: &[T]) -> Vec<T> {
        let s = unit.conv.with_batch(self.count);
        let mut dx = self.pool.take(s.input_len());
        let w = &self.params[unit.weight.clone()];
        self.kernels.backward_input(&s, dz, w, &mut dx);
        dx
    }

    /// Backward through a basic block given dL/d(block output) (consumed); returns dL/d(block
    /// input).
    fn block(
        &mut self,
        block: &BlockPlan,
        tape: &BlockTape<T>,
        input: &[T],
        mut ds: Vec<T>,
    ) -> Vec<T> {
        ops::relu_backward_in_place(&tape.out, &mut ds);
        let mut d_input = match (&block.shortcut, &tape.shortcut) {
            (Some(unit), Some(sc)) => {
                let dn = self.pool.copy(&ds);
                let dz = self.unit(unit, sc, input, dn);
                let dx = self.input(unit, &dz);
                self.pool.give(dz);
                dx
            }
            _ => self.pool.copy(&ds),
        };
        let dz2 = self.unit(&block.conv2, &tape.conv2, &tape.a1, ds);
        let mut da1 = self.input(&block.conv2, &dz2);
        self.pool.give(dz2);
        ops::relu_backward_in_place(&tape.a1, &mut da1);
        let dz1 = self.unit(&block.conv1, &tape.conv1, input, da1);
        let dx = self.input(&block.conv1, &dz1);
        d_input.iter_mut().zip(&dx).for_each(|(a, &b)| *a += b);
        self.pool.give(dz1);
        self.pool.give(dx);
        d_input
    }

    /// dL/d(hidden) from dL/d(embeddings) through the projector, writing its weight gradients.
    fn projector(
        &mut self,
        layers: &[LinearPlan],
        tape: &Tape<T>,
        grad_embeddings: &[T],
    ) -> Vec<T> {
        let mut du = self.pool.copy(grad_embeddings);
        for (l, lin) in layers.iter().enumerate().rev() {
            let s = ConvShape::linear(self.count, lin.inputs, lin.outputs);
            let dw = &mut self.grads[lin.weight.clone()];
            self.kernels.backward_weights(&s, &tape.layers[l], &du, dw);
            let mut dx = self.pool.take(self.count * lin.inputs);
            let w = &self.params[lin.weight.clone()];
            self.kernels.backward_input(&s, &du, w, &mut dx);
            if l > 0 {
                ops::relu_backward_in_place(&tape.layers[l], &mut dx);
            }
            self.pool.give(std::mem::replace(&mut du, dx));
        }
        du
    }
}

/// The two disjoint ranges `a` < `b` of `v`, mutably.
fn split_two<T>(
    v: &mut [T],
    a: std::ops::Range<usize>,
    b: std::ops::Range<usize>,
) -> (&mut [T], &mut [T]) {
    let (lo, hi) = v.split_at_mut(b.start);
    (&mut lo[a], &mut hi[..b.len()])
}

/// dL/dparams (the flat layout of [`ResNetShape::layout`]) from the forward pass's tape and
/// dL/d(embeddings) (count x d), with the given conv kernels.
///
/// # Panics
/// When the sizes do not match `shape`.
pub fn backward_with<T: Real, K: ConvKernels<T>>(
    shape: &ResNetShape,
    params: &[T],
    tape: &Tape<T>,
    grad_embeddings: &[T],
    kernels: &mut K,
) -> Vec<T> {
    let mut grads = vec![T::ZERO; params.len()];
    let mut pool = Pool::default();
    backward_pooled(
        shape,
        params,
        tape,
        grad_embeddings,
        kernels,
        &mut pool,
        &mut grads,
    );
    grads
}

/// [`backward_with`] into `grads` (overwritten), taking its scratch buffers from `pool` (no
/// allocation once the pool has served one step of the same size).
///
/// # Panics
/// When the sizes do not match `shape`.
pub fn backward_pooled<T: Real, K: ConvKernels<T>>(
    shape: &ResNetShape,
    params: &[T],
    tape: &Tape<T>,
    grad_embeddings: &[T],
    kernels: &mut K,
    pool: &mut Pool<T>,
    grads: &mut [T],
) {
    let plan = shape.plan();
    assert_eq!(params.len(), plan.layout.total, "parameter count");
    assert_eq!(grads.len(), plan.layout.total, "gradient size");
    assert_eq!(
        grad_embeddings.len(),
        tape.count * shape.d,
        "embedding gradient size"
    );
    grads.fill(T::ZERO);
    let mut pass = Pass {
        params,
        grads,
        count: tape.count,
        kernels,
        pool,
    };
    let dh = pass.projector(&plan.projector, tape, grad_embeddings);
    let side = final_side(&plan, shape.side);
    let mut d_act = pass
        .pool
        .take(tape.count * side * side * shape.hidden_dim());
    ops::global_avg_pool_backward_into(&dh, side * side, shape.hidden_dim(), &mut d_act);
    pass.pool.give(dh);
    for (i, (block, bt)) in plan.blocks.iter().zip(&tape.blocks).enumerate().rev() {
        let input = if i == 0 {
            &tape.stem_out
        } else {
            &tape.blocks[i - 1].out
        };
        d_act = pass.block(block, bt, input, d_act);
    }
    ops::relu_backward_in_place(&tape.stem_out, &mut d_act);
    let dz = pass.unit(&plan.stem, &tape.stem, &tape.input, d_act);
    pass.pool.give(dz);
}
