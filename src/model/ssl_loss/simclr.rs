//! SimCLR's NT-Xent loss over the N = 2n views at temperature τ:
//! u_i = f_i/||f_i||, s_ij = u_i·u_j/τ, L = (1/N) Σ_i [−s_{i,p(i)} + log Σ_{j≠i} exp(s_ij)].
//!
//! Gradient: with A_ij = (softmax_{j≠i}(s_i·)_j − δ_{j,p(i)})/N,
//! dL/du_i = (1/τ) Σ_j (A_ij + A_ji) u_j and dL/df_i = (dL/du_i − u_i (u_i·dL/du_i))/||f_i||.
//! No N x N matrix is stored: the similarities are recomputed in each pass. `exp` and `log`
//! are the `libm` crate's, the same bits natively and in wasm32 (docs/deep.md §6).

use super::LossValue;

/// A row with ||f_i|| below this (in particular an all-zero row, where the direction and the
/// gradient are undefined) gets u_i = 0 and a zero gradient instead of NaN or ~1/||f_i||. The
/// GPU kernel uses the same floor (representable in f32).
pub const NORM_FLOOR: f64 = 1e-30;

/// Unit rows u_i (N x d, zero for rows under [`NORM_FLOOR`]) and 1/||f_i|| (zero there too).
fn normalize(f: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let inv_norms: Vec<f64> = f
        .chunks_exact(d)
        .map(|r| {
            let norm = r.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm < NORM_FLOOR {
                0.0
            } else {
                1.0 / norm
            }
        })
        .collect();
    let u = f
        .chunks_exact(d)
        .zip(&inv_norms)
        .flat_map(|(r, inv)| r.iter().map(move |x| x * inv))
        .collect();
    (u, inv_norms)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// lse_i = log Σ_{j≠i} exp(s_ij), with the row maximum subtracted.
fn log_sum_exps(u: &[f64], d: usize, inv_tau: f64) -> Vec<f64> {
    let rows: Vec<&[f64]> = u.chunks_exact(d).collect();
    (0..rows.len())
        .map(|i| {
            let s = |j: usize| dot(rows[i], rows[j]) * inv_tau;
            let others = || (0..rows.len()).filter(move |&j| j != i);
            let max = others().map(s).fold(f64::NEG_INFINITY, f64::max);
            max + libm::log(others().map(|j| libm::exp(s(j) - max)).sum::<f64>())
        })
        .collect()
}

pub(super) fn loss_and_grad(f: &[f64], n: usize, d: usize, tau: f64) -> LossValue {
    let big = 2 * n;
    let inv_tau = 1.0 / tau;
    let (u, inv_norms) = normalize(f, d);
    let lse = log_sum_exps(&u, d, inv_tau);
    let row = |i: usize| &u[i * d..(i + 1) * d];
    let twin = |i: usize| (i + n) % big;
    let loss = (0..big)
        .map(|i| lse[i] - dot(row(i), row(twin(i))) * inv_tau)
        .sum::<f64>()
        / big as f64;
    let mut grad = vec![0.0; big * d];
    for (i, out) in grad.chunks_exact_mut(d).enumerate() {
        // dL/du_i = (1/(Nτ)) Σ_{j≠i} [e^{s_ij − lse_i} + e^{s_ij − lse_j} − 2δ_{j,p(i)}] u_j
        let mut g = vec![0.0; d];
        for j in (0..big).filter(|&j| j != i) {
            let s = dot(row(i), row(j)) * inv_tau;
            let positive = if j == twin(i) { 2.0 } else { 0.0 };
            let w = libm::exp(s - lse[i]) + libm::exp(s - lse[j]) - positive;
            g.iter_mut().zip(row(j)).for_each(|(g, x)| *g += w * x);
        }
        let radial = dot(row(i), &g);
        let scale = inv_tau * inv_norms[i] / big as f64;
        for ((o, gk), uk) in out.iter_mut().zip(&g).zip(row(i)) {
            *o = (gk - uk * radial) * scale;
        }
    }
    LossValue { loss, grad }
}
