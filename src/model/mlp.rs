//! The one-hidden-layer ReLU network of docs/math.md §7, f(x) = W2 relu(W1 x + b1) + b2, as plain
//! f32 math with faer (the CPU backend and the reference of the GPU kernels).
//!
//! Biases ride along as an extra unit: inputs get a trailing 1 (X̃ = [X, 1]), the hidden layer
//! gets a constant unit (row h of W̃1 is (0, …, 0, 1), so z_h = 1 = relu(z_h)), and
//! W̃1 = [W1, b1; 0, 1] ((h+1) x (m+1)), W̃2 = [W2, b2] (d x (h+1)). Then every product is a
//! plain matmul, and zeroing the constant unit's backpropagated error keeps row h fixed.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use crate::data::rng::{stream, Rng};
use crate::data::Pairs;

/// Sizes of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MlpShape {
    /// Input dimension m.
    pub inputs: usize,
    /// Hidden width h.
    pub hidden: usize,
    /// Embedding dimension d.
    pub outputs: usize,
}

impl MlpShape {
    /// Columns of X̃ and W̃1: m + 1.
    pub fn inputs_aug(&self) -> usize {
        self.inputs + 1
    }

    /// Rows of W̃1, columns of H̃ and W̃2: h + 1.
    pub fn hidden_aug(&self) -> usize {
        self.hidden + 1
    }

    /// Parameters of the network (weights and biases).
    pub fn parameters(&self) -> usize {
        self.hidden * self.inputs_aug() + self.outputs * self.hidden_aug()
    }
}

/// The augmented weights W̃1 ((h+1) x (m+1)) and W̃2 (d x (h+1)).
#[derive(Debug, Clone, PartialEq)]
pub struct MlpWeights {
    pub shape: MlpShape,
    pub w1: Mat<f32>,
    pub w2: Mat<f32>,
}

/// Gradients with respect to W̃1 and W̃2 (row h of `w1` is always zero).
#[derive(Debug, Clone)]
pub struct MlpGrads {
    pub w1: Mat<f32>,
    pub w2: Mat<f32>,
}

/// The activations of one forward pass over the N = 2n views.
#[derive(Debug, Clone)]
pub struct Forward {
    /// H̃ = relu(X̃ W̃1ᵀ), N x (h+1), last column 1.
    pub hidden: Mat<f32>,
    /// F = H̃ W̃2ᵀ, N x d.
    pub embeddings: Mat<f32>,
}

impl MlpWeights {
    /// PyTorch's default `nn.Linear` initialization (weights and biases uniform in
    /// ±1/√fan_in), the hidden layer scaled by `hidden_scale`, the readout by `readout_scale`.
    pub fn init(shape: MlpShape, hidden_scale: f64, readout_scale: f64, seed: u64) -> Self {
        let mut rng = Rng::new(seed, stream::INIT);
        let (m, h, d) = (shape.inputs, shape.hidden, shape.outputs);
        let mut uniform = |bound: f64| ((2.0 * rng.uniform_open() - 1.0) * bound) as f32;
        let b1 = hidden_scale / (m as f64).sqrt();
        let mut w1 = Mat::zeros(h + 1, m + 1);
        for i in 0..h {
            for j in 0..=m {
                w1[(i, j)] = uniform(b1);
            }
        }
        w1[(h, m)] = 1.0;
        let b2 = readout_scale / (h as f64).sqrt();
        let w2 = Mat::from_fn(d, h + 1, |_, _| uniform(b2));
        Self { shape, w1, w2 }
    }

    /// The forward pass over `x` (N x (m+1), from [`augmented_inputs`]).
    pub fn forward(&self, x: MatRef<'_, f32>) -> Forward {
        let mut hidden = Mat::zeros(x.nrows(), self.shape.hidden_aug());
        let mut embeddings = Mat::zeros(x.nrows(), self.shape.outputs);
        self.forward_into(x, &mut hidden, &mut embeddings);
        Forward { hidden, embeddings }
    }

    /// The forward pass into preallocated buffers.
    pub fn forward_into(&self, x: MatRef<'_, f32>, hidden: &mut Mat<f32>, f: &mut Mat<f32>) {
        matmul(
            hidden.as_mut(),
            Accum::Replace,
            x,
            self.w1.transpose(),
            1.0,
            Par::Seq,
        );
        relu_in_place(hidden);
        matmul(
            f.as_mut(),
            Accum::Replace,
            hidden.as_ref(),
            self.w2.transpose(),
            1.0,
            Par::Seq,
        );
    }

    /// Backpropagates dL/dF (N x d) through the pass `fw` over `x`.
    pub fn backward(&self, x: MatRef<'_, f32>, fw: &Forward, grad_f: MatRef<'_, f32>) -> MlpGrads {
        let mut grads = MlpGrads {
            w1: Mat::zeros(self.w1.nrows(), self.w1.ncols()),
            w2: Mat::zeros(self.w2.nrows(), self.w2.ncols()),
        };
        let mut delta = Mat::zeros(x.nrows(), self.shape.hidden_aug());
        self.backward_into(x, fw.hidden.as_ref(), grad_f, &mut delta, &mut grads);
        grads
    }

    /// Backpropagation into preallocated buffers; `delta` (N x (h+1)) is scratch.
    pub fn backward_into(
        &self,
        x: MatRef<'_, f32>,
        hidden: MatRef<'_, f32>,
        grad_f: MatRef<'_, f32>,
        delta: &mut Mat<f32>,
        grads: &mut MlpGrads,
    ) {
        matmul(
            grads.w2.as_mut(),
            Accum::Replace,
            grad_f.transpose(),
            hidden,
            1.0,
            Par::Seq,
        );
        matmul(
            delta.as_mut(),
            Accum::Replace,
            grad_f,
            self.w2.as_ref(),
            1.0,
            Par::Seq,
        );
        relu_backward_in_place(delta, hidden);
        matmul(
            grads.w1.as_mut(),
            Accum::Replace,
            delta.transpose(),
            x,
            1.0,
            Par::Seq,
        );
    }
}

/// relu on every entry.
pub fn relu_in_place(z: &mut Mat<f32>) {
    for j in 0..z.ncols() {
        for v in z.col_mut(j).iter_mut() {
            *v = v.max(0.0);
        }
    }
}

/// delta ⊙ 1[hidden > 0], with the constant unit (last column) zeroed.
pub fn relu_backward_in_place(delta: &mut Mat<f32>, hidden: MatRef<'_, f32>) {
    let last = delta.ncols() - 1;
    for j in 0..delta.ncols() {
        for i in 0..delta.nrows() {
            if j == last || hidden[(i, j)] <= 0.0 {
                delta[(i, j)] = 0.0;
            }
        }
    }
}

/// X̃ = [X; X'] with a trailing column of ones: N x (m+1), rows 0..n the first views.
pub fn augmented_inputs(p: &Pairs) -> Mat<f32> {
    Mat::from_fn(2 * p.n, p.m + 1, |i, j| {
        if j == p.m {
            1.0
        } else if i < p.n {
            p.x[i * p.m + j]
        } else {
            p.x_prime[(i - p.n) * p.m + j]
        }
    })
}

/// A matrix as row-major values.
pub fn row_major(a: MatRef<'_, f32>) -> Vec<f32> {
    (0..a.nrows())
        .flat_map(|i| (0..a.ncols()).map(move |j| a[(i, j)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> (MlpWeights, Mat<f32>) {
        let shape = MlpShape {
            inputs: 5,
            hidden: 7,
            outputs: 3,
        };
        let w = MlpWeights::init(shape, 1.0, 0.5, 3);
        let mut rng = Rng::new(9, 0);
        let x = Mat::from_fn(6, 6, |_, j| if j == 5 { 1.0 } else { rng.normal() as f32 });
        (w, x)
    }

    /// Σ F ⊙ G: a scalar whose gradient with respect to F is G.
    fn probe(w: &MlpWeights, x: MatRef<'_, f32>, g: MatRef<'_, f32>) -> f64 {
        let f = w.forward(x).embeddings;
        (0..f.nrows())
            .flat_map(|i| (0..f.ncols()).map(move |j| (i, j)))
            .map(|(i, j)| f64::from(f[(i, j)]) * f64::from(g[(i, j)]))
            .sum()
    }

    #[test]
    fn init_follows_pytorch_bounds_and_keeps_the_bias_unit() {
        let (w, _) = tiny();
        let b1 = 1.0 / 5f32.sqrt();
        assert!((0..7).all(|i| (0..6).all(|j| w.w1[(i, j)].abs() <= b1)));
        assert_eq!(w.w1[(7, 5)], 1.0);
        assert!((0..5).all(|j| w.w1[(7, j)] == 0.0));
        let b2 = 0.5 / 7f32.sqrt();
        assert!((0..3).all(|i| (0..8).all(|j| w.w2[(i, j)].abs() <= b2)));
    }

    #[test]
    fn forward_has_a_constant_hidden_unit() {
        let (w, x) = tiny();
        let fw = w.forward(x.as_ref());
        assert!((0..6).all(|i| fw.hidden[(i, 7)] == 1.0));
        assert!((0..6).all(|i| (0..7).all(|j| fw.hidden[(i, j)] >= 0.0)));
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (w, x) = tiny();
        let mut rng = Rng::new(4, 0);
        let g = Mat::from_fn(6, 3, |_, _| rng.normal() as f32);
        let fw = w.forward(x.as_ref());
        let grads = w.backward(x.as_ref(), &fw, g.as_ref());
        let eps = 1e-3f32;
        let mut worst = 0.0f64;
        // row 7 of W̃1 is the frozen bias unit: its gradient is zero by design
        for (which, rows, cols) in [(1, 7, 6), (2, 3, 8)] {
            for i in 0..rows {
                for j in 0..cols {
                    let bump = |s: f32| {
                        let mut v = w.clone();
                        let m = if which == 1 { &mut v.w1 } else { &mut v.w2 };
                        m[(i, j)] += s;
                        probe(&v, x.as_ref(), g.as_ref())
                    };
                    let fd = (bump(eps) - bump(-eps)) / (2.0 * f64::from(eps));
                    let an = if which == 1 {
                        grads.w1[(i, j)]
                    } else {
                        grads.w2[(i, j)]
                    };
                    worst = worst.max((fd - f64::from(an)).abs());
                }
            }
        }
        assert!(worst < 2e-3, "worst |fd − analytic| = {worst}");
        assert!(
            (0..6).all(|j| grads.w1[(7, j)] == 0.0),
            "bias unit row moves"
        );
    }
}
