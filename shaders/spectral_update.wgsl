// The update matrix B of a step W ← W − η B W Γ for Appendix G's loss variants (docs/math.md §8,
// src/model/spectral/mod.rs: `update_matrix`), from C (and M), in ONE workgroup of 64
// invocations (`main`), d ≤ 32, or in one invocation (`main_serial`), d ≤ 8. With C_sym = (C + Cᵀ)/2 and G = dL/dC:
//   baseline (0), precondition (4): G = 2 (C_sym − I), no eigendecomposition;
//   sharp (1), smooth (2), quartic (3): G = Q diag(ℓ'(λ)) Qᵀ, C_sym = Q diag(λ) Qᵀ by Jacobi;
//   B = 2G, except precondition: B = 2 (M_sym + aI)⁻¹ G, the inverse from M_sym = V diag(μ) Vᵀ
//   by Jacobi, as V diag(1/(max(μ, 0) + a)) Vᵀ.
//
// C, M and B are d x d in the padded layout of src/gpu/layout.rs (rows of d4 = pad4(d) f32,
// d4 rows, zero padded); every entry of B is written, its padding as zeros.
//
// Jacobi is src/linalg/jacobi.rs (`jacobi_warm`) step for step (its module documentation is
// the specification): warm-started from `basis`, the eigenvectors the previous dispatch left
// there (the identity at first), orthonormalized by modified Gram–Schmidt, with A rotated
// into it (A ← sym(Vᵀ A V)); then round-robin pairs, Numerical Recipes rotations, a round's
// disjoint rotations applied at once as A ← JᵀAJ, V ← VJ, at most `sweeps` sweeps, ending
// before a sweep in which no pair would rotate. C changes little per step, so the previous
// eigenvectors leave A nearly diagonal: a step runs one sweep, or none. A round: the pairs'
// invocations set J's columns, a barrier, every invocation computes its entries of the new A
// and V into private arrays, a barrier, writes them, a barrier. The eigenvectors end in
// `basis` (unsorted) for the next dispatch.
//
// Workgroup memory: three 32 x 32 f32 matrices and four 32-entry arrays, 12.8 KiB (WebGPU
// guarantees 16 KiB). Loop budget: lavapipe (Mesa 22.3) silently stops an invocation after
// 65535 loop iterations counted over all its loops (B is then left unwritten); a sweep costs
// each invocation at most 31 rounds x (1 + 16 + 16) ≈ 1,050 plus 16 for its convergence check,
// the warm start (Gram–Schmidt 32 x 64, the rotation 16 x 32 x 3) about 3,600 and the rest
// about 1,100, so the Rust side's 16 sweeps take ~22k and its cap of 40 ~48k; `main_serial`
// (d ≤ 8, one invocation) costs about 1,000 a sweep and 3,000 besides, ~44k at 40 sweeps. (Measured
// before the warm start with the early stop disabled, precondition at d = 32: 58 sweeps still
// right, 60 leave B all zeros.)

struct Params {
    // dimension, 1..=32
    d: u32,
    // f32 per padded row, pad4(d)
    d4: u32,
    // LossVariant::code: 0 baseline, 1 sharp, 2 smooth, 3 quartic, 4 precondition
    variant: u32,
    // the preconditioner's shift a (> 0; read by precondition only)
    a: f32,
    // SHARP_FLOOR_REL: sharp's ℓ' divides by sqrt(max(|λ|, floor)), the floor
    // max(sharp_floor Σ|λ_k|, sharp_floor_min) (model::spectral::sharp_floor)
    sharp_floor: f32,
    // most Jacobi sweeps
    sweeps: u32,
    // SHARP_FLOOR_MIN
    sharp_floor_min: f32,
    _pad1: u32,
}

// In a storage buffer, not a uniform one: lavapipe re-optimizes a shader whose loops depend on
// uniform values at every dispatch (src/gpu/kernel.rs: `Kernel::with_storage_params`).
@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> c_in: array<f32>;
// M (precondition only; any buffer otherwise)
@group(0) @binding(2) var<storage, read> m_in: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_out: array<f32>;
// The eigenvectors (columns) of the last solve, padded like C: read as the warm start,
// written back (the identity for a cold start; not touched by baseline).
@group(0) @binding(4) var<storage, read_write> basis: array<f32>;

// The rest (Jacobi, ℓ', `update`) is shaders/spectral_core.wgsl, appended by the Rust side
// (src/gpu/spectral_update.rs).

// The core's synchronization: a barrier, and `converged` loaded uniformly.
fn sync() {
    workgroupBarrier();
}

fn all_converged() -> bool {
    return workgroupUniformLoad(&converged) == 1u;
}

// d ≤ 32: 64 invocations share every loop.
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
    lanes = WG;
    update(lid);
}

// d ≤ SERIAL_D (8, so d² ≤ PER): one invocation runs it all. Lavapipe pays for every
// workgroup barrier, and at small d the 64 invocations have little to share.
@compute @workgroup_size(1)
fn main_serial() {
    lanes = 1u;
    update(0u);
}
