// Several steps of linear Barlow Twins in the eigenbasis (or truncated) solver in ONE
// dispatch of ONE workgroup of WG = 8 invocations (docs/math.md §3, src/experiment/modal.rs):
// with A = W V (d x K) and Γ's eigenvalues Λ, a step is
//   A ← A − scale (C − I) A Λ,   then C = A Λ Aᵀ   (scale = 4η),
// the order of src/gpu/linear_backend.rs's three dispatches [update; P = AΛ; C = PWᵀ] and of
// src/experiment/cpu.rs. A and Λ live in workgroup memory for all `steps` steps; C is formed
// from A at the start (so a run split into dispatches anywhere follows one trajectory) and
// after every step, and A and C are written back at the end. `steps` = 0 only forms C.
//
// Storage: W (A) is d4 x 4k4 and C is d4 x d4 (d4 = pad4(d), k4 = pad4(K)/4), row-major,
// zero padded, as src/gpu/layout.rs; Λ is the padded 1 x K row (its first k4 vec4s). Padding
// stays zero: padded columns of A have λ = 0 and padded rows are never touched.
//
// Workgroup memory: `pool` holds A (d x k4 vec4s, row i at i * k4) then Λ (k4 vec4s): at
// most POOL = 760 vec4s, 12,160 bytes; `cw` holds C (d x d, d ≤ 32), 4,096 bytes: 16,256 in
// all, under WebGPU's guaranteed 16 KiB. src/gpu/linear_fused.rs checks (d + 1) k4 ≤ POOL.
//
// Loop budget: Mesa 22.3's lavapipe silently stops an invocation after 65,535 loop iterations
// counted over all its loops. With na = ceil(d k4 / WG) entries of A and nc = ceil(d(d+1)/2 /
// WG) entries of C per invocation, a step costs each invocation na (d + 2) (the update and its
// write-back, each with a last iteration that breaks) + nc (k4 + 1) (C) + 3 iterations;
// loading, the first C and the write-back cost at most ceil((d + 1) k4 / WG) + nc (k4 + 1) +
// d4² / WG + na + 8. src/gpu/linear_fused.rs (`STEP_BUDGET`, 32,768, half the limit) picks
// `steps` so the whole dispatch stays under it: e.g. fig1 truncated (d = 10, K = 24: na = 8,
// nc = 7) costs 148 a step and runs 220 steps a dispatch; App. G small (d = 4, K = 108:
// na = 14, nc = 2) costs 143 and runs 228; the largest shape that fits (d = 32, k4 = 23)
// still runs 6.

struct Params {
    // rows of A and C
    d: u32,
    // pad4(d): the row length of C in storage
    d4: u32,
    // vec4s per row of A and of Λ
    k4: u32,
    // steps this dispatch runs (0 forms C only)
    steps: u32,
    // 4η
    scale: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

// In a storage buffer: lavapipe re-optimizes a shader whose loops depend on uniform values at
// every dispatch whose uniform changed (src/gpu/kernel.rs: `Kernel::with_storage_params`).
@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> lambda: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> w: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// Invocations: one lavapipe SIMD row (8 f32 on 256-bit AVX). Lavapipe runs a workgroup's
// groups of 8 as coroutines and switches at every barrier: with 64 invocations a step took
// 11 µs at d = 4, K = 108, with 8 it took 4.8 µs (measured on lavapipe, one dispatch of 700
// steps).
const WG: u32 = 8u;
const POOL: u32 = 760u;
// ceil(POOL / WG): the most entries of A one invocation updates.
const PER: u32 = 95u;

var<workgroup> pool: array<vec4<f32>, 760>;
var<workgroup> cw: array<f32, 1024>;

// Row i >= column j of the lower triangle's entry e (e = i(i+1)/2 + j).
fn triangle(e: u32) -> vec2<u32> {
    var i = u32((sqrt(8.0 * f32(e) + 1.0) - 1.0) * 0.5);
    if ((i + 1u) * (i + 2u) / 2u <= e) {
        i += 1u;
    }
    if (i * (i + 1u) / 2u > e) {
        i -= 1u;
    }
    return vec2<u32>(i, e - i * (i + 1u) / 2u);
}

// cw ← A Λ Aᵀ, each entry of the lower triangle once and mirrored (C exactly symmetric, as
// src/experiment/modal.rs keeps it). Ends with a barrier.
fn correlate(lid: u32) {
    let d = params.d;
    let k4 = params.k4;
    let lam = d * k4;
    for (var e = lid; e < d * (d + 1u) / 2u; e += WG) {
        let ij = triangle(e);
        var acc = vec4<f32>(0.0);
        for (var q = 0u; q < k4; q++) {
            acc = fma(pool[ij.x * k4 + q] * pool[lam + q], pool[ij.y * k4 + q], acc);
        }
        let v = (acc.x + acc.y) + (acc.z + acc.w);
        cw[ij.x * d + ij.y] = v;
        cw[ij.y * d + ij.x] = v;
    }
    workgroupBarrier();
}

// A ← A − scale (C − I) A Λ: every invocation computes its entries into registers, then all
// write after a barrier (the update reads every row of A). Ends with a barrier.
fn update(lid: u32) {
    let d = params.d;
    let k4 = params.k4;
    let lam = d * k4;
    var next: array<vec4<f32>, PER>;
    for (var t = 0u; t < PER; t++) {
        let e = lid + t * WG;
        if (e >= lam) {
            break;
        }
        let i = e / k4;
        let q = e % k4;
        var acc = vec4<f32>(0.0);
        for (var j = 0u; j < d; j++) {
            let coef = cw[i * d + j] - select(0.0, 1.0, i == j);
            acc = fma(vec4<f32>(coef), pool[j * k4 + q], acc);
        }
        next[t] = pool[e] - params.scale * (acc * pool[lam + q]);
    }
    workgroupBarrier();
    for (var t = 0u; t < PER; t++) {
        let e = lid + t * WG;
        if (e >= lam) {
            break;
        }
        pool[e] = next[t];
    }
    workgroupBarrier();
}

@compute @workgroup_size(8)
fn main(@builtin(local_invocation_index) lid: u32) {
    let d = params.d;
    let k4 = params.k4;
    let lam = d * k4;
    for (var e = lid; e < lam + k4; e += WG) {
        if (e < lam) {
            pool[e] = w[e];
        } else {
            pool[e] = lambda[e - lam];
        }
    }
    workgroupBarrier();
    correlate(lid);
    for (var s = 0u; s < params.steps; s++) {
        update(lid);
        correlate(lid);
    }
    for (var e = lid; e < lam; e += WG) {
        w[e] = pool[e];
    }
    let d4 = params.d4;
    for (var e = lid; e < d4 * d4; e += WG) {
        let i = e / d4;
        let j = e % d4;
        c[e] = select(0.0, cw[i * d + j], i < d && j < d);
    }
}
