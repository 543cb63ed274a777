// The core of Appendix G's update matrix B (docs/math.md §8), shared by two shaders: the
// Rust side appends this file to shaders/spectral_update.wgsl (B alone) and to
// shaders/spectral_fused.wgsl (B and the step, several steps a dispatch). It is not a shader
// by itself: the including file declares `params` (with the fields d, d4, variant, a,
// sharp_floor, sharp_floor_min and sweeps of spectral_update.wgsl's Params), `c_in` and `m_in` (C and M,
// padded d x d, read), `b_out` (B, written) and `basis` (the warm start, read and written),
// in whatever address space suits it, sets `lanes` before calling `update`, and defines
// `sync()` (a workgroup barrier, or nothing for one invocation) and `all_converged()`
// (`converged` == 1 as every invocation sees it).
// The algorithm, workgroup memory and loop budget are described in spectral_update.wgsl.

const WG: u32 = 64u;
const MAX_D: u32 = 32u;
// The most entries of a d x d matrix one invocation handles: MAX_D² / WG in `main`,
// SERIAL_D² in `main_serial`.
const PER: u32 = 64u;
const NEGLIGIBLE: f32 = 1e-30;
// f32 only: a pair whose |a_pq| is below this times sqrt(|a_pp a_qq|) is already diagonal to
// working precision (rotating it would move an eigenvalue by at most ~1e-14 of the pair's
// geometric mean), so it is left alone; without this, clusters of equal eigenvalues never
// fall below NEGLIGIBLE in f32 and every solve ran all its sweeps.
const RELATIVE: f32 = 1e-7;
// f32 only: a pair whose |a_pq| is below this times Σ|a_ii| (taken once the matrix is in the
// warm basis) is rounding noise at the matrix's scale: C's own f32 entries carry errors of
// that size, so rotating it changes B by no more than they do. Without this, a cluster of
// equal eigenvalues (every mode learned, λ ≈ 1) kept the noise rotating for all `sweeps`
// sweeps every step.
const ABSOLUTE: f32 = 2e-7;
const THETA_LARGE: f32 = 1e10;

const BASELINE: u32 = 0u;
const PRECONDITION: u32 = 4u;

// The matrix being diagonalized, row i at i * MAX_D; its diagonal ends as the eigenvalues.
var<workgroup> work: array<f32, 1024>;
// The eigenvectors, as columns.
var<workgroup> vecs: array<f32, 1024>;
// G (precondition only).
var<workgroup> grad: array<f32, 1024>;
// This round's J, column j: J_jj = own[j], J_{partner[j], j} = other[j].
var<workgroup> partner: array<u32, 32>;
var<workgroup> own: array<f32, 32>;
var<workgroup> other: array<f32, 32>;
// A function of each eigenvalue (2ℓ'(λ) or 1/(μ + a)).
var<workgroup> scale: array<f32, 32>;
// Pairs that would still rotate, and whether none would.
var<workgroup> pending: atomic<u32>;
var<workgroup> converged: u32;
// ABSOLUTE x Σ|a_ii| of the matrix being diagonalized (the same in every invocation).
var<private> noise: f32;

// (C_sym)_ij and (M_sym)_ij from the padded inputs.
fn sym_c(i: u32, j: u32) -> f32 {
    return 0.5 * (c_in[i * params.d4 + j] + c_in[j * params.d4 + i]);
}

fn sym_m(i: u32, j: u32) -> f32 {
    return 0.5 * (m_in[i * params.d4 + j] + m_in[j * params.d4 + i]);
}

// ℓ'(λ) of LossVariant::slope for sharp (below `guard` as at it), smooth and quartic.
fn slope(lambda: f32, guard: f32) -> f32 {
    let x = lambda - 1.0;
    switch params.variant {
        case 1u: {
            let root = sign(lambda) * sqrt(abs(lambda));
            return (root - 1.0) / sqrt(max(abs(lambda), guard));
        }
        case 2u: {
            return select(0.02 * x, 2.0 * x, lambda <= 1.0);
        }
        default: {
            return 4.0 * x * x * x;
        }
    }
}

// Whether the pair p < q of `work` is not yet negligible (jacobi.rs: `rotation`, plus the
// f32 kernel's RELATIVE and ABSOLUTE rules).
fn would_rotate(p: u32, q: u32) -> bool {
    let app = work[p * MAX_D + p];
    let aqq = work[q * MAX_D + q];
    let apq = work[p * MAX_D + q];
    let tiny = abs(apq) <= NEGLIGIBLE * (abs(app) + abs(aqq)) || abs(apq) <= noise;
    return !(apq == 0.0 || tiny || abs(apq) <= RELATIVE * sqrt(abs(app) * abs(aqq)));
}

// Pair k of round r over `even` indices, (p, q) with p < q (jacobi.rs: `round_pair`).
fn round_pair(even: u32, r: u32, k: u32) -> vec2<u32> {
    let m = even - 1u;
    var x = 0u;
    var y = 1u + r % m;
    if (k != 0u) {
        x = 1u + (k + r) % m;
        y = 1u + (m - k + r) % m;
    }
    return vec2<u32>(min(x, y), max(x, y));
}

fn leave_alone(j: u32) {
    partner[j] = j;
    own[j] = 1.0;
    other[j] = 0.0;
}

// Invocation k < even/2 sets the columns of round r's pair k (jacobi.rs: `rotation`).
fn set_pair(even: u32, r: u32, k: u32) {
    let pq = round_pair(even, r, k);
    let p = pq.x;
    let q = pq.y;
    if (q >= params.d) {
        leave_alone(p);
        return;
    }
    let app = work[p * MAX_D + p];
    let aqq = work[q * MAX_D + q];
    let apq = work[p * MAX_D + q];
    if (!would_rotate(p, q)) {
        leave_alone(p);
        leave_alone(q);
        return;
    }
    let theta = (aqq - app) / (2.0 * apq);
    var t: f32;
    if (abs(theta) > THETA_LARGE) {
        t = 1.0 / (2.0 * theta);
    } else {
        let sgn = select(1.0, -1.0, theta < 0.0);
        t = sgn / (abs(theta) + sqrt(theta * theta + 1.0));
    }
    let c = 1.0 / sqrt(t * t + 1.0);
    let s = t * c;
    partner[p] = q;
    own[p] = c;
    other[p] = -s;
    partner[q] = p;
    own[q] = c;
    other[q] = s;
}

// work ← Jᵀ work J and vecs ← vecs J for this round's J (jacobi.rs: `apply_round`).
fn apply_round(lid: u32) {
    let d = params.d;
    var new_w: array<f32, PER>;
    var new_v: array<f32, PER>;
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        let i = e / d;
        let j = e % d;
        let pi = partner[i];
        let pj = partner[j];
        let oi = own[i];
        let oj = own[j];
        let ti = other[i];
        let tj = other[j];
        if (pi == j && i != j) {
            new_w[k] = 0.0;
        } else {
            new_w[k] = (oi * oj * work[i * MAX_D + j] + ti * tj * work[pi * MAX_D + pj])
                + (oi * tj * work[i * MAX_D + pj] + ti * oj * work[pi * MAX_D + j]);
        }
        new_v[k] = oj * vecs[i * MAX_D + j] + tj * vecs[i * MAX_D + pj];
    }
    sync();
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        let i = e / d;
        let j = e % d;
        work[i * MAX_D + j] = new_w[k];
        vecs[i * MAX_D + j] = new_v[k];
    }
}

// vecs ← `basis`, orthonormalized by modified Gram–Schmidt (jacobi.rs: `orthonormalize`):
// column c normalized after invocation j > c removes it from column j.
fn load_basis(lid: u32) {
    let d = params.d;
    for (var e = lid; e < d * d; e += lanes) {
        vecs[(e / d) * MAX_D + e % d] = basis[(e / d) * params.d4 + e % d];
    }
    sync();
    for (var c = 0u; c < d; c++) {
        var norm2 = 0.0;
        for (var r = 0u; r < d; r++) {
            norm2 = fma(vecs[r * MAX_D + c], vecs[r * MAX_D + c], norm2);
        }
        for (var j = lid; j < d; j += lanes) {
            if (j <= c) {
                continue;
            }
            var dot = 0.0;
            for (var r = 0u; r < d; r++) {
                dot = fma(vecs[r * MAX_D + c], vecs[r * MAX_D + j], dot);
            }
            let proj = dot / norm2;
            for (var r = 0u; r < d; r++) {
                vecs[r * MAX_D + j] -= proj * vecs[r * MAX_D + c];
            }
        }
        sync();
        if (lid == c % lanes) {
            let inv = 1.0 / sqrt(norm2);
            for (var r = 0u; r < d; r++) {
                vecs[r * MAX_D + c] *= inv;
            }
        }
        sync();
    }
}

// work ← Vᵀ work V, symmetrized: T = work V, then (Vᵀ T + Tᵀ V)/2 (jacobi.rs: `jacobi_warm`).
fn rotate_into_basis(lid: u32) {
    let d = params.d;
    var next: array<f32, PER>;
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        let i = e / d;
        let j = e % d;
        var acc = 0.0;
        for (var t = 0u; t < d; t++) {
            acc = fma(work[i * MAX_D + t], vecs[t * MAX_D + j], acc);
        }
        next[k] = acc;
    }
    sync();
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        work[(e / d) * MAX_D + e % d] = next[k];
    }
    sync();
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        let i = e / d;
        let j = e % d;
        var ij = 0.0;
        var ji = 0.0;
        for (var t = 0u; t < d; t++) {
            ij = fma(vecs[t * MAX_D + i], work[t * MAX_D + j], ij);
            ji = fma(vecs[t * MAX_D + j], work[t * MAX_D + i], ji);
        }
        next[k] = 0.5 * (ij + ji);
    }
    sync();
    for (var k = 0u; k < PER; k++) {
        let e = lid + k * lanes;
        if (e >= d * d) {
            break;
        }
        work[(e / d) * MAX_D + e % d] = next[k];
    }
    sync();
}

// Diagonalizes `work` (already loaded, symmetric) into its diagonal and `vecs`, warm-started
// from `basis`.
fn jacobi(lid: u32) {
    let d = params.d;
    load_basis(lid);
    rotate_into_basis(lid);
    var diagonal = 0.0;
    for (var i = 0u; i < d; i++) {
        diagonal += abs(work[i * MAX_D + i]);
    }
    noise = ABSOLUTE * diagonal;
    let even = d + d % 2u;
    for (var sweep = 0u; sweep < params.sweeps; sweep++) {
        if (lid == 0u) {
            atomicStore(&pending, 0u);
        }
        sync();
        for (var e = lid; e < d * d; e += lanes) {
            if (e / d < e % d && would_rotate(e / d, e % d)) {
                atomicAdd(&pending, 1u);
            }
        }
        sync();
        if (lid == 0u) {
            converged = select(0u, 1u, atomicLoad(&pending) == 0u);
        }
        if (all_converged()) {
            break;
        }
        for (var r = 0u; r + 1u < even; r++) {
            sync();
            for (var k = lid; k < even / 2u; k += lanes) {
                set_pair(even, r, k);
            }
            sync();
            apply_round(lid);
        }
    }
    sync();
}

// out_ij = Σ_k vecs_ik scale_k vecs_jk (i, j < d).
fn spectral(i: u32, j: u32) -> f32 {
    var acc = 0.0;
    for (var k = 0u; k < params.d; k++) {
        acc = fma(vecs[i * MAX_D + k] * scale[k], vecs[j * MAX_D + k], acc);
    }
    return acc;
}

// Invocations sharing the work: WG in `main`, 1 in `main_serial`.
var<private> lanes: u32;

fn update(lid: u32) {
    let d = params.d;
    let d4 = params.d4;
    let variant = params.variant;
    if (variant == BASELINE) {
        for (var e = lid; e < d4 * d4; e += lanes) {
            let i = e / d4;
            let j = e % d4;
            var b = 0.0;
            if (i < d && j < d) {
                b = 4.0 * (sym_c(i, j) - select(0.0, 1.0, i == j));
            }
            b_out[e] = b;
        }
        return;
    }
    for (var e = lid; e < d * d; e += lanes) {
        let i = e / d;
        let j = e % d;
        if (variant == PRECONDITION) {
            grad[i * MAX_D + j] = 2.0 * (sym_c(i, j) - select(0.0, 1.0, i == j));
            work[i * MAX_D + j] = sym_m(i, j);
        } else {
            work[i * MAX_D + j] = sym_c(i, j);
        }
    }
    jacobi(lid);
    // sharp's floor (model::spectral::sharp_floor): d ≤ 32 more iterations of the budget
    var total = 0.0;
    for (var k = 0u; k < d; k++) {
        total += abs(work[k * MAX_D + k]);
    }
    let guard = max(params.sharp_floor * total, params.sharp_floor_min);
    for (var i = lid; i < d; i += lanes) {
        let lambda = work[i * MAX_D + i];
        if (variant == PRECONDITION) {
            scale[i] = 1.0 / (max(lambda, 0.0) + params.a);
        } else {
            scale[i] = 2.0 * slope(lambda, guard);
        }
    }
    sync();
    if (variant == PRECONDITION) {
        // work ← (M_sym + aI)⁻¹, then B = 2 work G
        for (var e = lid; e < d * d; e += lanes) {
            work[(e / d) * MAX_D + e % d] = spectral(e / d, e % d);
        }
        sync();
    }
    for (var e = lid; e < d4 * d4; e += lanes) {
        let i = e / d4;
        let j = e % d4;
        var b = 0.0;
        if (i < d && j < d) {
            if (variant == PRECONDITION) {
                for (var k = 0u; k < d; k++) {
                    b = fma(work[i * MAX_D + k], grad[k * MAX_D + j], b);
                }
                b *= 2.0;
            } else {
                b = spectral(i, j);
            }
        }
        b_out[e] = b;
        basis[e] = select(0.0, vecs[i * MAX_D + j], i < d && j < d);
    }
}
