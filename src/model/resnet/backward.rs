//! The backward pass: dL/dparams from a [`Tape`] and dL/d(embeddings) (docs/deep.md §1).

use super::forward::{final_side, BlockTape, Tape, UnitTape};
use super::kernels::ConvKernels;
use super::ops::{self, ConvShape, Real};
use super::shape::{BlockPlan, ConvUnit, LinearPlan, ResNetShape};

/// Where one backward pass writes: the parameters (read) and their gradients (written).
struct Grads<'a, T> {
    params: &'a [T],
    grads: Vec<T>,
    count: usize,
}

impl<T: Real> Grads<'_, T> {
    /// Backward through a conv unit (BN first, with batchnorm on) given dL/d(unit output) `dn`:
    /// writes the unit's parameter gradients and returns dL/d(conv output).
    fn unit<K: ConvKernels<T>>(
        &mut self,
        kernels: &mut K,
        unit: &ConvUnit,
        tape: &UnitTape<T>,
        input: &[T],
        dn: Vec<T>,
    ) -> Vec<T> {
        let s = unit.conv.with_batch(self.count);
        let dz = match (&unit.bn, &tape.z, &tape.stats) {
            (Some((gamma, beta)), Some(z), Some(stats)) => {
                let g = ops::batchnorm_backward(z, &self.params[gamma.clone()], stats, &dn);
                self.grads[gamma.clone()].copy_from_slice(&g.dgamma);
                self.grads[beta.clone()].copy_from_slice(&g.dbeta);
                g.dx
            }
            _ => dn,
        };
        kernels.backward_weights(&s, input, &dz, &mut self.grads[unit.weight.clone()]);
        dz
    }

    /// dL/d(unit input) from dL/d(conv output).
    fn input<K: ConvKernels<T>>(&self, kernels: &mut K, unit: &ConvUnit, dz: &[T]) -> Vec<T> {
        let s = unit.conv.with_batch(self.count);
        let mut dx = vec![T::ZERO; s.input_len()];
        kernels.backward_input(&s, dz, &self.params[unit.weight.clone()], &mut dx);
        dx
    }

    /// Backward through a basic block given dL/d(block output); returns dL/d(block input).
    fn block<K: ConvKernels<T>>(
        &mut self,
        kernels: &mut K,
        block: &BlockPlan,
        tape: &BlockTape<T>,
        input: &[T],
        d_out: &[T],
    ) -> Vec<T> {
        let ds = ops::relu_backward(&tape.out, d_out);
        let mut d_input = match (&block.shortcut, &tape.shortcut) {
            (Some(unit), Some(sc)) => {
                let dz = self.unit(kernels, unit, sc, input, ds.clone());
                self.input(kernels, unit, &dz)
            }
            _ => ds.clone(),
        };
        let dz2 = self.unit(kernels, &block.conv2, &tape.conv2, &tape.a1, ds);
        let da1 = self.input(kernels, &block.conv2, &dz2);
        let dn1 = ops::relu_backward(&tape.a1, &da1);
        let dz1 = self.unit(kernels, &block.conv1, &tape.conv1, input, dn1);
        let dx = self.input(kernels, &block.conv1, &dz1);
        d_input.iter_mut().zip(dx).for_each(|(a, b)| *a += b);
        d_input
    }
}

/// dL/d(hidden) from dL/d(embeddings) through the projector, writing its weight gradients.
fn projector_backward<T: Real, K: ConvKernels<T>>(
    kernels: &mut K,
    layers: &[LinearPlan],
    tape: &Tape<T>,
    g: &mut Grads<'_, T>,
    grad_embeddings: &[T],
) -> Vec<T> {
    let mut du = grad_embeddings.to_vec();
    for (l, lin) in layers.iter().enumerate().rev() {
        let s = ConvShape::linear(tape.count, lin.inputs, lin.outputs);
        kernels.backward_weights(&s, &tape.layers[l], &du, &mut g.grads[lin.weight.clone()]);
        let mut dx = vec![T::ZERO; tape.count * lin.inputs];
        kernels.backward_input(&s, &du, &g.params[lin.weight.clone()], &mut dx);
        du = if l > 0 {
            ops::relu_backward(&tape.layers[l], &dx)
        } else {
            dx
        };
    }
    du
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
    let plan = shape.plan();
    assert_eq!(params.len(), plan.layout.total, "parameter count");
    assert_eq!(
        grad_embeddings.len(),
        tape.count * shape.d,
        "embedding gradient size"
    );
    let mut g = Grads {
        params,
        grads: vec![T::ZERO; plan.layout.total],
        count: tape.count,
    };
    let dh = projector_backward(kernels, &plan.projector, tape, &mut g, grad_embeddings);
    let side = final_side(&plan, shape.side);
    let mut d_act = ops::global_avg_pool_backward(&dh, tape.count, side * side, shape.hidden_dim());
    for (i, (block, bt)) in plan.blocks.iter().zip(&tape.blocks).enumerate().rev() {
        let input = if i == 0 {
            &tape.stem_out
        } else {
            &tape.blocks[i - 1].out
        };
        d_act = g.block(kernels, block, bt, input, &d_act);
    }
    let dn = ops::relu_backward(&tape.stem_out, &d_act);
    g.unit(kernels, &plan.stem, &tape.stem, &tape.input, dn);
    g.grads
}
