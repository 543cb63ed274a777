// C = A·B (entry point `ab`), C = A·Bᵀ (entry point `abt`) or C = Aᵀ·B (entry point `atb`)
// in f32, register-blocked, no workgroup memory.
//
// Storage convention (see src/gpu/layout.rs): a logical r x c matrix is stored row-major as
// pad4(r) x pad4(c) floats, zero padded, and read as vec4s along its rows. So A is m4 x 4kq,
// C is m4 x 4nq, and B is 4kq x 4nq (`ab`, `atb`) or 4nq x 4kq (`abt`); for `atb`, A is
// 4kq x m4. Padding only ever adds zero
// terms, so any logical M, N, K works; the tiles below need not divide the padded sizes
// either: loads past an edge are clamped into range and their results are not stored.
//
// On CPU-emulated GPUs (lavapipe, SwiftShader), vec4 loads and a register tile per
// invocation beat shared-memory tiling; see NOTES.

struct Params {
    // padded rows of A and C (a multiple of 4)
    m4: u32,
    // vec4s per row of C
    nq: u32,
    // vec4s along K
    kq: u32,
    // tiles per row of C
    tiles_n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;

const WG: u32 = 64u;

// The flat tile index of this invocation, or an index past the last tile.
fn tile_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// A·B: each invocation computes rows i0..i0+3 and columns 8q..8q+7 (two vec4s) of C.
@compute @workgroup_size(64)
fn ab(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 / 4u) * params.tiles_n) {
        return;
    }
    let nq = params.nq;
    let i0 = (tile / params.tiles_n) * 4u;
    let q0 = (tile % params.tiles_n) * 2u;
    let q1 = min(q0 + 1u, nq - 1u);
    let r0 = i0 * params.kq;
    let r1 = r0 + params.kq;
    let r2 = r1 + params.kq;
    let r3 = r2 + params.kq;
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    var row = 0u;
    for (var kk = 0u; kk < params.kq; kk++) {
        let x0 = a[r0 + kk];
        let x1 = a[r1 + kk];
        let x2 = a[r2 + kk];
        let x3 = a[r3 + kk];
        for (var u = 0u; u < 4u; u++) {
            let b0 = b[row + q0];
            let b1 = b[row + q1];
            c00 = fma(vec4<f32>(x0[u]), b0, c00);
            c01 = fma(vec4<f32>(x0[u]), b1, c01);
            c10 = fma(vec4<f32>(x1[u]), b0, c10);
            c11 = fma(vec4<f32>(x1[u]), b1, c11);
            c20 = fma(vec4<f32>(x2[u]), b0, c20);
            c21 = fma(vec4<f32>(x2[u]), b1, c21);
            c30 = fma(vec4<f32>(x3[u]), b0, c30);
            c31 = fma(vec4<f32>(x3[u]), b1, c31);
            row += nq;
        }
    }
    let o = i0 * nq + q0;
    c[o] = c00;
    c[o + nq] = c10;
    c[o + 2u * nq] = c20;
    c[o + 3u * nq] = c30;
    if (q0 + 1u < nq) {
        c[o + 1u] = c01;
        c[o + nq + 1u] = c11;
        c[o + 2u * nq + 1u] = c21;
        c[o + 3u * nq + 1u] = c31;
    }
}

// Row r of C's tile: the dot products of x with b0..b3, added to acc.
fn dots(acc: vec4<f32>, x: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
    return acc + vec4<f32>(dot(x, b0), dot(x, b1), dot(x, b2), dot(x, b3));
}

// A·Bᵀ: each invocation computes rows i0..i0+3 and columns 4q..4q+3 (one vec4) of C.
@compute @workgroup_size(64)
fn abt(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 / 4u) * params.tiles_n) {
        return;
    }
    let kq = params.kq;
    let i0 = (tile / params.tiles_n) * 4u;
    let q = tile % params.tiles_n;
    let r0 = i0 * kq;
    let s0 = 4u * q * kq;
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    for (var kk = 0u; kk < kq; kk++) {
        let b0 = b[s0 + kk];
        let b1 = b[s0 + kq + kk];
        let b2 = b[s0 + 2u * kq + kk];
        let b3 = b[s0 + 3u * kq + kk];
        c0 = dots(c0, a[r0 + kk], b0, b1, b2, b3);
        c1 = dots(c1, a[r0 + kq + kk], b0, b1, b2, b3);
        c2 = dots(c2, a[r0 + 2u * kq + kk], b0, b1, b2, b3);
        c3 = dots(c3, a[r0 + 3u * kq + kk], b0, b1, b2, b3);
    }
    let nq = params.nq;
    let o = i0 * nq + q;
    c[o] = c0;
    c[o + nq] = c1;
    c[o + 2u * nq] = c2;
    c[o + 3u * nq] = c3;
}

// Aᵀ·B: A is stored K x M, so each row kk of A gives a vec4 down four rows of C. Each
// invocation computes rows i0..i0+3 and columns 8q..8q+7 (two vec4s) of C, like `ab`.
@compute @workgroup_size(64)
fn atb(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 / 4u) * params.tiles_n) {
        return;
    }
    let nq = params.nq;
    let mq = params.m4 / 4u;
    let iq = tile / params.tiles_n;
    let q0 = (tile % params.tiles_n) * 2u;
    let q1 = min(q0 + 1u, nq - 1u);
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    let rows = 4u * params.kq;
    for (var kk = 0u; kk < rows; kk++) {
        let x = a[kk * mq + iq];
        let b0 = b[kk * nq + q0];
        let b1 = b[kk * nq + q1];
        c00 = fma(vec4<f32>(x[0]), b0, c00);
        c01 = fma(vec4<f32>(x[0]), b1, c01);
        c10 = fma(vec4<f32>(x[1]), b0, c10);
        c11 = fma(vec4<f32>(x[1]), b1, c11);
        c20 = fma(vec4<f32>(x[2]), b0, c20);
        c21 = fma(vec4<f32>(x[2]), b1, c21);
        c30 = fma(vec4<f32>(x[3]), b0, c30);
        c31 = fma(vec4<f32>(x[3]), b1, c31);
    }
    let o = 4u * iq * nq + q0;
    c[o] = c00;
    c[o + nq] = c10;
    c[o + 2u * nq] = c20;
    c[o + 3u * nq] = c30;
    if (q0 + 1u < nq) {
        c[o + 1u] = c01;
        c[o + nq + 1u] = c11;
        c[o + 2u * nq + 1u] = c21;
        c[o + 3u * nq + 1u] = c31;
    }
}
