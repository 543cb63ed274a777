//! A cyclic Jacobi eigensolver for small symmetric matrices, in f64, written step for step as
//! `shaders/spectral_update.wgsl` runs it (in f32, one workgroup): the reference the GPU's
//! eigendecomposition is checked against, and its documentation.
//!
//! **Ordering.** Parallel ("tournament", round-robin) ordering: with n' = d rounded up to
//! even, a sweep is n' − 1 rounds of n'/2 disjoint pairs ([`round_pair`]), index 0 fixed and
//! the others turning one place per round, so every pair of indices meets exactly once a
//! sweep. A pair holding the dummy index d (odd d) is skipped.
//!
//! **Rotation** (Numerical Recipes §11.1, [`rotation`]): for a pair p < q, skip it if a_pq
//! is exactly 0 or |a_pq| ≤ 1e-30 (|a_pp| + |a_qq|); else θ = (a_qq − a_pp)/(2 a_pq),
//! t = sign(θ)/(|θ| + sqrt(θ² + 1)) with sign(0) = +1 (t = 1/(2θ) once |θ| > 1e10, where θ²
//! could overflow f32),
//! c = 1/sqrt(t² + 1), s = t c. J is the identity except J_pp = J_qq = c, J_pq = s,
//! J_qp = −s, and a'_pq = 0.
//!
//! **Rounds.** A round's rotations touch disjoint rows and columns, so they are applied at
//! once, entry by entry (on the GPU, the 64 invocations share the d² entries): A ← JᵀAJ,
//! V ← VJ. Column j of J has two entries, J_jj = o_j (`own`) and J_{π(j) j} = u_j (`other`),
//! where π(j) is j's partner this round (π(j) = j, o_j = 1, u_j = 0 for an index left alone),
//! so (JᵀAJ)_ij = (o_i o_j A_ij + u_i u_j A_π(i)π(j)) + (o_i u_j A_iπ(j) + u_i o_j A_π(i)j),
//! summed in that order (symmetric in i and j), and exactly 0 for a rotated pair {i, j};
//! (VJ)_ij = o_j V_ij + u_j V_iπ(j).
//!
//! **Warm start** ([`jacobi_warm`]). The solve starts from a basis V (the GPU keeps the
//! previous step's eigenvectors; the identity is the cold start): V is orthonormalized by
//! modified Gram–Schmidt (f32 drift never accumulates), A is rotated into it,
//! A ← sym(Vᵀ(AV)), and the sweeps rotate from V. C moves little per step, so A starts
//! nearly diagonal and, in f32, one sweep or none finishes it (the cold solve takes 5–9).
//!
//! **Stopping.** At most `sweeps` sweeps (the GPU's `Params.sweeps`); the run ends before a
//! sweep in which no pair would rotate, on both sides (such a sweep would change nothing).
//! Within a cluster of (nearly) equal eigenvalues rounding noise can keep rotations going long
//! after convergence (in f32, ~30 sweeps for eigenvalues 2, 2, 2, 1, 1, 0.5 repeated at
//! d = 32), so the f32 kernel alone also skips a pair once |a_pq| ≤ 1e-7 sqrt(|a_pp a_qq|)
//! (diagonal to working precision, the classic criterion for relative accuracy) or once
//! |a_pq| ≤ 2e-7 Σ_i |a_ii| (rounding noise at the matrix's scale, the size of C's own f32
//! errors: without it a converged run, every λ ≈ 1, rotated noise for all its sweeps every
//! step, even warm-started); in f64 the
//! rule above already stops within a few sweeps of convergence. The two sides therefore
//! agree sweep for sweep until the f32 solve has converged.

use faer::{Mat, MatRef};

use super::{check_finite, LinalgError, SymEigen};

/// The sweeps the GPU's spectral update runs. Cyclic Jacobi converges quadratically for
/// distinct eigenvalues: random symmetric matrices at d = 32 (the largest the kernel takes)
/// reach f64 rounding in 7–9 sweeps and stop there. Large clusters of equal eigenvalues
/// converge more slowly in this ordering: at d = 32 with eigenvalues 3, 1, 1, 0 repeated (16
/// equal values) f64 needs 14 sweeps, f32 about 10. 16 sweeps cover both with room, and stay
/// far inside lavapipe's per-invocation loop budget (about 1,050 iterations a sweep).
pub const JACOBI_SWEEPS: u32 = 16;

/// |a_pq| at or below this times |a_pp| + |a_qq| is left alone.
pub const NEGLIGIBLE: f64 = 1e-30;

/// Beyond this |θ|, t = 1/(2θ) (θ² would overflow f32 near 1.8e19).
pub const THETA_LARGE: f64 = 1e10;

/// Indices n' = d rounded up to even (index d is the dummy of an odd d).
pub fn padded_even(d: usize) -> usize {
    d + d % 2
}

/// Pair `k` (0..n'/2) of round `r` (0..n' − 1) of a sweep over n' = `even` ≥ 2 indices, as
/// (p, q) with p < q: index 0 meets 1 + r mod (n' − 1); for k ≥ 1, 1 + (k + r) mod (n' − 1)
/// meets 1 + (n' − 1 − k + r) mod (n' − 1).
pub fn round_pair(even: usize, r: usize, k: usize) -> (usize, usize) {
    let m = even - 1;
    let (x, y) = if k == 0 {
        (0, 1 + r % m)
    } else {
        (1 + (k + r) % m, 1 + (m - k + r) % m)
    };
    (x.min(y), x.max(y))
}

/// (c, s) of the rotation that zeroes a_pq, or None if a_pq is negligible.
pub fn rotation(app: f64, aqq: f64, apq: f64) -> Option<(f64, f64)> {
    if apq == 0.0 || apq.abs() <= NEGLIGIBLE * (app.abs() + aqq.abs()) {
        return None;
    }
    let theta = (aqq - app) / (2.0 * apq);
    let t = if theta.abs() > THETA_LARGE {
        1.0 / (2.0 * theta)
    } else {
        let sign = if theta < 0.0 { -1.0 } else { 1.0 };
        sign / (theta.abs() + (theta * theta + 1.0).sqrt())
    };
    let c = 1.0 / (t * t + 1.0).sqrt();
    Some((c, t * c))
}

/// Column j of a round's J: J_jj = `own`, J_{partner j} = `other`.
#[derive(Debug, Clone, Copy)]
struct Column {
    partner: usize,
    own: f64,
    other: f64,
}

/// The columns of J for round `r`, or None if the round rotates nothing.
fn round_columns(a: &[f64], d: usize, r: usize) -> Option<Vec<Column>> {
    let even = padded_even(d);
    let mut cols: Vec<Column> = (0..d)
        .map(|j| Column {
            partner: j,
            own: 1.0,
            other: 0.0,
        })
        .collect();
    let mut rotated = false;
    for k in 0..even / 2 {
        let (p, q) = round_pair(even, r, k);
        if q >= d {
            continue;
        }
        if let Some((c, s)) = rotation(a[p * d + p], a[q * d + q], a[p * d + q]) {
            cols[p] = Column {
                partner: q,
                own: c,
                other: -s,
            };
            cols[q] = Column {
                partner: p,
                own: c,
                other: s,
            };
            rotated = true;
        }
    }
    rotated.then_some(cols)
}

/// A ← JᵀAJ and V ← VJ for one round's columns (both d x d, row-major).
fn apply_round(a: &mut [f64], v: &mut [f64], d: usize, cols: &[Column]) {
    let old_a = a.to_vec();
    let old_v = v.to_vec();
    for i in 0..d {
        let ci = cols[i];
        for j in 0..d {
            let cj = cols[j];
            let (pi, pj) = (ci.partner, cj.partner);
            a[i * d + j] = if pi == j && i != j {
                0.0
            } else {
                (ci.own * cj.own * old_a[i * d + j] + ci.other * cj.other * old_a[pi * d + pj])
                    + (ci.own * cj.other * old_a[i * d + pj]
                        + ci.other * cj.own * old_a[pi * d + j])
            };
            v[i * d + j] = cj.own * old_v[i * d + j] + cj.other * old_v[i * d + pj];
        }
    }
}

/// Eigenpairs of the symmetric part (A + Aᵀ)/2 of a square `a` by at most `sweeps` cyclic
/// Jacobi sweeps (see the module documentation), eigenvalues descending, unit eigenvectors
/// as columns. Fails on non-finite entries or a non-square `a`.
pub fn jacobi_eigen(a: MatRef<'_, f64>, sweeps: u32) -> Result<SymEigen, LinalgError> {
    let d = a.nrows();
    Ok(jacobi_warm(a, Mat::<f64>::identity(d, d).as_ref(), sweeps)?.eigen)
}

/// A warm-started solve ([`jacobi_warm`]).
#[derive(Debug, Clone)]
pub struct WarmSolve {
    /// Eigenvalues descending, eigenvectors as columns.
    pub eigen: SymEigen,
    /// The eigenvectors unsorted, as the GPU keeps them for the next step's warm start.
    pub basis: Mat<f64>,
    /// Sweeps run.
    pub sweeps: u32,
}

/// Modified Gram–Schmidt on the columns of row-major `v` (d x d), column by column: column
/// c is normalized, then removed from every later column (as the GPU does it).
fn orthonormalize(v: &mut [f64], d: usize) {
    for c in 0..d {
        let norm2: f64 = (0..d).map(|r| v[r * d + c] * v[r * d + c]).sum();
        for j in c + 1..d {
            let dot: f64 = (0..d).map(|r| v[r * d + c] * v[r * d + j]).sum();
            let proj = dot / norm2;
            for r in 0..d {
                v[r * d + j] -= proj * v[r * d + c];
            }
        }
        let inv = 1.0 / norm2.sqrt();
        for r in 0..d {
            v[r * d + c] *= inv;
        }
    }
}

/// Whether some pair p < q of `w` would still rotate ([`rotation`]).
fn any_rotation(w: &[f64], d: usize) -> bool {
    (0..d).any(|p| (p + 1..d).any(|q| rotation(w[p * d + p], w[q * d + q], w[p * d + q]).is_some()))
}

/// Eigenpairs of (A + Aᵀ)/2 by Jacobi started from `basis` (d x d, near orthogonal: the
/// previous step's eigenvectors): the basis is orthonormalized ([`orthonormalize`]), A is
/// rotated into it (A' = sym(Vᵀ (A V))), and sweeps run from V, ending before a sweep in
/// which no pair would rotate (the old "sweep that rotates nothing", without running it), at
/// most `sweeps`. From the identity this is the cold solve ([`jacobi_eigen`]) exactly; from
/// a basis that nearly diagonalizes A it needs fewer sweeps (in f64 still a few to reach
/// rounding; the f32 kernel, stopping at its noise floor, one or none).
pub fn jacobi_warm(
    a: MatRef<'_, f64>,
    basis: MatRef<'_, f64>,
    sweeps: u32,
) -> Result<WarmSolve, LinalgError> {
    let d = a.nrows();
    if a.ncols() != d {
        return Err(LinalgError::NotSquare {
            rows: d,
            cols: a.ncols(),
        });
    }
    if basis.nrows() != d || basis.ncols() != d {
        return Err(LinalgError::NotSquare {
            rows: basis.nrows(),
            cols: basis.ncols(),
        });
    }
    check_finite(a)?;
    check_finite(basis)?;
    let s: Vec<f64> = (0..d * d)
        .map(|e| 0.5 * (a[(e / d, e % d)] + a[(e % d, e / d)]))
        .collect();
    let mut v: Vec<f64> = (0..d * d).map(|e| basis[(e / d, e % d)]).collect();
    orthonormalize(&mut v, d);
    // T = S V, then W = (Vᵀ T + Tᵀ V)/2
    let t: Vec<f64> = (0..d * d)
        .map(|e| (0..d).map(|k| s[(e / d) * d + k] * v[k * d + e % d]).sum())
        .collect();
    let vt = |i: usize, j: usize| -> f64 { (0..d).map(|k| v[k * d + i] * t[k * d + j]).sum() };
    let mut w: Vec<f64> = (0..d * d)
        .map(|e| 0.5 * (vt(e / d, e % d) + vt(e % d, e / d)))
        .collect();
    let rounds = padded_even(d).saturating_sub(1);
    let mut ran = 0;
    while ran < sweeps && any_rotation(&w, d) {
        for r in 0..rounds {
            if let Some(cols) = round_columns(&w, d, r) {
                apply_round(&mut w, &mut v, d, &cols);
            }
        }
        ran += 1;
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&x, &y| w[y * d + y].total_cmp(&w[x * d + x]));
    Ok(WarmSolve {
        eigen: SymEigen {
            values: order.iter().map(|&k| w[k * d + k]).collect(),
            vectors: Mat::from_fn(d, d, |i, j| v[i * d + order[j]]),
        },
        basis: Mat::from_fn(d, d, |i, j| v[i * d + j]),
        sweeps: ran,
    })
}

#[cfg(test)]
mod tests;
