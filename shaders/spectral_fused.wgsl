// Several steps of an Appendix G loss variant (docs/math.md §8) in the eigenbasis (or
// truncated) solver in ONE dispatch of ONE workgroup of FUSED_LANES = 8 invocations, for
// d ≤ 8: with A = W V (d x K) and Γ's eigenvalues Λ, a step is
//   [preconditioning: M = A Σ Aᵀ;]  B from C (and M) as shaders/spectral_core.wgsl's
//   `update`;  A ← A − η B A Λ;  C = A Λ Aᵀ,
// the order of src/gpu/linear_backend.rs's unfused dispatches [R = AΣ; M = RAᵀ; B; update;
// P = AΛ; C = PWᵀ] and of src/experiment/cpu.rs. The Rust side (src/gpu/spectral_fused.rs)
// appends shaders/spectral_core.wgsl, which reads `c_in`, `m_in`, `basis` and writes `b_out`
// declared here. C is formed from A at the start (a run split into dispatches anywhere
// follows one trajectory) and after every step; A is updated in place in storage, C written
// back at the end.
//
// Who does what: invocation 0 alone solves for B (at d ≤ 8 the eigensolver has little to
// share, and one invocation needs no barriers: `sync` is empty); the eight share M (through
// R = AΣ in the `r` scratch buffer), the update of A (each owns whole vec4 columns of A, so
// it updates them in place) and C. Eight invocations are one lavapipe SIMD row: its barriers
// are cheap, unlike a 64-invocation workgroup's (shaders/linear_fused.wgsl).
//
// Storage: W (A) and R are d4 x 4k4, C is d4 x d4 (d4 = pad4(d), k4 = pad4(K)/4), Σ is
// 4k4 x 4k4, row-major, zero padded, as src/gpu/layout.rs; Λ is the padded 1 x K row.
// Workgroup memory: the core's 12.8 KiB plus `c_in`, `m_in` and `b_out`, 3 x 256 bytes:
// 13.6 KiB (WebGPU guarantees 16 KiB).
//
// Loop budget: lavapipe (Mesa 22.3) silently stops an invocation after 65,535 loop iterations
// counted over all its loops. Invocation 0 does the most: a step costs it the core's `update`
// (one invocation, d ≤ 8: at most sweeps x ((d − 1 + d%2) (d/2 + 2d² + 2) + d² + 4) for the
// sweeps, 4d³ + 10d² + 200 besides; spectral_update.wgsl's header), ceil(k4/8) (2 + d + d²)
// for A, ceil(d(d+1)/2 / 8) (k4 + 1) + 8 for C, and for preconditioning ceil(d k4 / 8)
// (4k4 + 1) + ceil(d² / 8) (k4 + 1) + 8 for M. src/gpu/spectral_fused.rs (`STEP_BUDGET`,
// 32,768) picks `steps` so a dispatch stays under it: App. G small (d = 4, K = 108, 16
// sweeps) costs at most ~2,700 a step (11 steps a dispatch), ~4,300 with preconditioning (7).

struct Params {
    // dimension, 1..=8
    d: u32,
    // pad4(d)
    d4: u32,
    // LossVariant::code (1 sharp, 2 smooth, 3 quartic, 4 precondition)
    variant: u32,
    // the preconditioner's shift a (read by precondition only)
    a: f32,
    // sharp's guard floor, relative to Σ|λ| (spectral_update.wgsl's Params)
    sharp_floor: f32,
    // most Jacobi sweeps a step
    sweeps: u32,
    // vec4s per row of A and of Λ
    k4: u32,
    // steps this dispatch runs (0 forms C only)
    steps: u32,
    // η
    lr: f32,
    // sharp's least guard floor (spectral_update.wgsl's Params)
    sharp_floor_min: f32,
    _pad1: u32,
    _pad2: u32,
}

// In a storage buffer: lavapipe re-optimizes a shader whose loops depend on uniform values at
// every dispatch whose uniform changed (src/gpu/kernel.rs: `Kernel::with_storage_params`).
@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> lambda: array<vec4<f32>>;
// Σ, K x K (precondition only; any other buffer otherwise)
@group(0) @binding(2) var<storage, read> sigma: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> w: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
// The eigenvectors of the last solve, the next one's warm start (spectral_update.wgsl).
@group(0) @binding(5) var<storage, read_write> basis: array<f32>;
// R = AΣ, d x K (precondition only; any other buffer otherwise)
@group(0) @binding(6) var<storage, read_write> r: array<vec4<f32>>;

const FUSED_LANES: u32 = 8u;
// The largest d, and C's and B's padded size.
const FUSED_D: u32 = 8u;
var<workgroup> c_in: array<f32, 64>;
var<workgroup> m_in: array<f32, 64>;
var<workgroup> b_out: array<f32, 64>;

// c_in ← A Λ Aᵀ (padded d4 x d4, zero padding), each entry of the lower triangle once and
// mirrored. Ends with a barrier.
fn correlate(lid: u32) {
    let d = params.d;
    let d4 = params.d4;
    let k4 = params.k4;
    for (var e = lid; e < d4 * d4; e += FUSED_LANES) {
        let i = e / d4;
        let j = e % d4;
        if (i >= d || j >= d || j > i) {
            continue;
        }
        var acc = vec4<f32>(0.0);
        for (var q = 0u; q < k4; q++) {
            acc = fma(w[i * k4 + q] * lambda[q], w[j * k4 + q], acc);
        }
        let v = (acc.x + acc.y) + (acc.z + acc.w);
        c_in[i * d4 + j] = v;
        c_in[j * d4 + i] = v;
    }
    workgroupBarrier();
}

// m_in ← A Σ Aᵀ: R = AΣ (vec4 entries of R shared out), a barrier, then M_ij = R_i · A_j.
// Ends with a barrier.
fn moment(lid: u32) {
    let d = params.d;
    let d4 = params.d4;
    let k4 = params.k4;
    for (var e = lid; e < d * k4; e += FUSED_LANES) {
        let i = e / k4;
        let q = e % k4;
        var acc = vec4<f32>(0.0);
        for (var k = 0u; k < 4u * k4; k++) {
            acc = fma(vec4<f32>(w[i * k4 + k / 4u][k % 4u]), sigma[k * k4 + q], acc);
        }
        r[e] = acc;
    }
    storageBarrier();
    for (var e = lid; e < d4 * d4; e += FUSED_LANES) {
        let i = e / d4;
        let j = e % d4;
        var acc = vec4<f32>(0.0);
        if (i < d && j < d) {
            for (var q = 0u; q < k4; q++) {
                acc = fma(r[i * k4 + q], w[j * k4 + q], acc);
            }
        }
        m_in[e] = (acc.x + acc.y) + (acc.z + acc.w);
    }
    workgroupBarrier();
}

// A ← A − η B A Λ, each invocation a vec4 column block at a time (its d entries held in
// registers, so it updates them in place). Ends with a barrier.
fn step(lid: u32) {
    let d = params.d;
    let d4 = params.d4;
    let k4 = params.k4;
    for (var q = lid; q < k4; q += FUSED_LANES) {
        var col: array<vec4<f32>, FUSED_D>;
        for (var j = 0u; j < d; j++) {
            col[j] = w[j * k4 + q];
        }
        let lam = lambda[q];
        for (var i = 0u; i < d; i++) {
            var acc = vec4<f32>(0.0);
            for (var j = 0u; j < d; j++) {
                acc = fma(vec4<f32>(b_out[i * d4 + j]), col[j], acc);
            }
            w[i * k4 + q] = col[i] - params.lr * (acc * lam);
        }
    }
    storageBarrier();
}

// The core runs in invocation 0 alone: no barriers inside it.
fn sync() {}

fn all_converged() -> bool {
    return converged == 1u;
}

@compute @workgroup_size(8)
fn main(@builtin(local_invocation_index) lid: u32) {
    lanes = 1u;
    for (var e = lid; e < params.d4 * params.d4; e += FUSED_LANES) {
        c_in[e] = 0.0;
    }
    workgroupBarrier();
    correlate(lid);
    for (var s = 0u; s < params.steps; s++) {
        if (params.variant == PRECONDITION) {
            moment(lid);
        }
        if (lid == 0u) {
            update(0u);
        }
        workgroupBarrier();
        step(lid);
        correlate(lid);
    }
    for (var e = lid; e < params.d4 * params.d4; e += FUSED_LANES) {
        c[e] = c_in[e];
    }
}
