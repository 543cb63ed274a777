// C = A·B (entry point `ab`), C = A·Bᵀ (entry point `abt`) or C = Aᵀ·B (entry point `atb`)
// in f32, register-blocked: each invocation computes an 8 x 8 tile of C (eight rows, two
// vec4s of columns) with no workgroup memory.
//
// Storage convention (see src/gpu/layout.rs): a logical r x c matrix is stored row-major as
// pad4(r) x pad4(c) floats, zero padded, and read as vec4s along its rows. So A is m4 x 4kq,
// C is m4 x 4nq, and B is 4kq x 4nq (`ab`, `atb`) or 4nq x 4kq (`abt`); for `atb`, A is
// 4kq x m4. Padding only ever adds zero terms, so any logical M, N, K works; the tiles need
// not divide the padded sizes either: loads past an edge are clamped into range and their
// results are not stored.
//
// On CPU-emulated GPUs (lavapipe, SwiftShader) every invocation is a SIMD lane and every
// storage load a gather, so the tile is as large as the gathers it saves are worth: an 8 x 8
// tile does 64 multiply-adds per 16 gathered floats (a 4 x 8 one: 32 per 12), and ran
// 1.5–1.7x faster than 4 x 8 on lavapipe (`stepwise bench matmul`). Shared-memory tiling
// was slower still there: a naive 16 x 16 shared-memory tile ran at ~1 GFLOP/s on lavapipe
// against ~5–10 for register blocking.

struct Params {
    // padded rows of A and C (a multiple of 4)
    m4: u32,
    // vec4s per row of C
    nq: u32,
    // vec4s along K
    kq: u32,
    // tiles per row block of C (8 rows): vec4 column pairs
    tiles_n: u32,
    // what `epilogue` does to each stored vec4: 0 nothing, 1 relu, 2 the relu mask,
    // 3 a gradient-descent step
    epilogue: u32,
    // the column that epilogue 2 zeroes (the MLP's constant bias unit)
    frozen: u32,
    // η of epilogue 3
    lr: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;
// epilogue 2's mask source, laid out as C (bound to A when unused)
@group(0) @binding(4) var<storage, read> aux: array<vec4<f32>>;

const WG: u32 = 64u;

// The flat tile index of this invocation, or an index past the last tile.
fn tile_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Row i0 + r of C, clamped into the padded rows (its results are then not stored).
fn row_of(i0: u32, r: u32) -> u32 {
    return min(i0 + r, params.m4 - 1u);
}

// The fused epilogue (docs/architecture.md §3) of the vec4 about to be stored at c[o]:
// 0: v itself; 1: relu(v) (the MLP's hidden layer: Z = X̃ W̃1ᵀ and H = relu(Z) in one pass);
// 2: v ⊙ 1[aux[o] > 0] with column `frozen` zeroed (the MLP's backward, aux holding H:
// Δ = (dL/dF W̃2) ⊙ relu'(Z)); 3: c[o] − lr · v, C holding the weights and v their gradient
// (the update w ← w − η g without a gradient buffer or a pass of its own).
fn epilogue(o: u32, v: vec4<f32>) -> vec4<f32> {
    switch params.epilogue {
        case 1u: {
            return max(v, vec4<f32>(0.0));
        }
        case 2u: {
            let col0 = 4u * (o % params.nq);
            let cols = vec4<u32>(col0, col0 + 1u, col0 + 2u, col0 + 3u);
            let keep = (aux[o] > vec4<f32>(0.0)) & (cols != vec4<u32>(params.frozen));
            return select(vec4<f32>(0.0), v, keep);
        }
        case 3u: {
            return fma(vec4<f32>(-params.lr), v, c[o]);
        }
        default: {
            return v;
        }
    }
}

// Stores the tile's row r (two vec4s at o, o + 1) if the row and the second vec4 exist.
fn store(o: u32, i: u32, two: bool, lo: vec4<f32>, hi: vec4<f32>) {
    if (i < params.m4) {
        c[o] = epilogue(o, lo);
        if (two) {
            c[o + 1u] = epilogue(o + 1u, hi);
        }
    }
}

// A·B: rows i0..i0+7 and columns 8q..8q+7 of C; A is read as vec4s along k (four k-steps
// per load, written out: an indexed vec4 component costs a select chain).
@compute @workgroup_size(64)
fn ab(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 + 4u) / 8u * params.tiles_n) {
        return;
    }
    let nq = params.nq;
    let kq = params.kq;
    let i0 = (tile / params.tiles_n) * 8u;
    let q0 = (tile % params.tiles_n) * 2u;
    let q1 = min(q0 + 1u, nq - 1u);
    let r0 = row_of(i0, 0u) * kq;
    let r1 = row_of(i0, 1u) * kq;
    let r2 = row_of(i0, 2u) * kq;
    let r3 = row_of(i0, 3u) * kq;
    let r4 = row_of(i0, 4u) * kq;
    let r5 = row_of(i0, 5u) * kq;
    let r6 = row_of(i0, 6u) * kq;
    let r7 = row_of(i0, 7u) * kq;
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    var c40 = vec4<f32>(0.0);
    var c41 = vec4<f32>(0.0);
    var c50 = vec4<f32>(0.0);
    var c51 = vec4<f32>(0.0);
    var c60 = vec4<f32>(0.0);
    var c61 = vec4<f32>(0.0);
    var c70 = vec4<f32>(0.0);
    var c71 = vec4<f32>(0.0);
    var row = 0u;
    for (var kk = 0u; kk < kq; kk++) {
        let a0 = a[r0 + kk];
        let a1 = a[r1 + kk];
        let a2 = a[r2 + kk];
        let a3 = a[r3 + kk];
        let a4 = a[r4 + kk];
        let a5 = a[r5 + kk];
        let a6 = a[r6 + kk];
        let a7 = a[r7 + kk];
        let bx0 = b[row + q0];
        let bx1 = b[row + q1];
        c00 = fma(vec4<f32>(a0.x), bx0, c00);
        c01 = fma(vec4<f32>(a0.x), bx1, c01);
        c10 = fma(vec4<f32>(a1.x), bx0, c10);
        c11 = fma(vec4<f32>(a1.x), bx1, c11);
        c20 = fma(vec4<f32>(a2.x), bx0, c20);
        c21 = fma(vec4<f32>(a2.x), bx1, c21);
        c30 = fma(vec4<f32>(a3.x), bx0, c30);
        c31 = fma(vec4<f32>(a3.x), bx1, c31);
        c40 = fma(vec4<f32>(a4.x), bx0, c40);
        c41 = fma(vec4<f32>(a4.x), bx1, c41);
        c50 = fma(vec4<f32>(a5.x), bx0, c50);
        c51 = fma(vec4<f32>(a5.x), bx1, c51);
        c60 = fma(vec4<f32>(a6.x), bx0, c60);
        c61 = fma(vec4<f32>(a6.x), bx1, c61);
        c70 = fma(vec4<f32>(a7.x), bx0, c70);
        c71 = fma(vec4<f32>(a7.x), bx1, c71);
        row += nq;
        let by0 = b[row + q0];
        let by1 = b[row + q1];
        c00 = fma(vec4<f32>(a0.y), by0, c00);
        c01 = fma(vec4<f32>(a0.y), by1, c01);
        c10 = fma(vec4<f32>(a1.y), by0, c10);
        c11 = fma(vec4<f32>(a1.y), by1, c11);
        c20 = fma(vec4<f32>(a2.y), by0, c20);
        c21 = fma(vec4<f32>(a2.y), by1, c21);
        c30 = fma(vec4<f32>(a3.y), by0, c30);
        c31 = fma(vec4<f32>(a3.y), by1, c31);
        c40 = fma(vec4<f32>(a4.y), by0, c40);
        c41 = fma(vec4<f32>(a4.y), by1, c41);
        c50 = fma(vec4<f32>(a5.y), by0, c50);
        c51 = fma(vec4<f32>(a5.y), by1, c51);
        c60 = fma(vec4<f32>(a6.y), by0, c60);
        c61 = fma(vec4<f32>(a6.y), by1, c61);
        c70 = fma(vec4<f32>(a7.y), by0, c70);
        c71 = fma(vec4<f32>(a7.y), by1, c71);
        row += nq;
        let bz0 = b[row + q0];
        let bz1 = b[row + q1];
        c00 = fma(vec4<f32>(a0.z), bz0, c00);
        c01 = fma(vec4<f32>(a0.z), bz1, c01);
        c10 = fma(vec4<f32>(a1.z), bz0, c10);
        c11 = fma(vec4<f32>(a1.z), bz1, c11);
        c20 = fma(vec4<f32>(a2.z), bz0, c20);
        c21 = fma(vec4<f32>(a2.z), bz1, c21);
        c30 = fma(vec4<f32>(a3.z), bz0, c30);
        c31 = fma(vec4<f32>(a3.z), bz1, c31);
        c40 = fma(vec4<f32>(a4.z), bz0, c40);
        c41 = fma(vec4<f32>(a4.z), bz1, c41);
        c50 = fma(vec4<f32>(a5.z), bz0, c50);
        c51 = fma(vec4<f32>(a5.z), bz1, c51);
        c60 = fma(vec4<f32>(a6.z), bz0, c60);
        c61 = fma(vec4<f32>(a6.z), bz1, c61);
        c70 = fma(vec4<f32>(a7.z), bz0, c70);
        c71 = fma(vec4<f32>(a7.z), bz1, c71);
        row += nq;
        let bw0 = b[row + q0];
        let bw1 = b[row + q1];
        c00 = fma(vec4<f32>(a0.w), bw0, c00);
        c01 = fma(vec4<f32>(a0.w), bw1, c01);
        c10 = fma(vec4<f32>(a1.w), bw0, c10);
        c11 = fma(vec4<f32>(a1.w), bw1, c11);
        c20 = fma(vec4<f32>(a2.w), bw0, c20);
        c21 = fma(vec4<f32>(a2.w), bw1, c21);
        c30 = fma(vec4<f32>(a3.w), bw0, c30);
        c31 = fma(vec4<f32>(a3.w), bw1, c31);
        c40 = fma(vec4<f32>(a4.w), bw0, c40);
        c41 = fma(vec4<f32>(a4.w), bw1, c41);
        c50 = fma(vec4<f32>(a5.w), bw0, c50);
        c51 = fma(vec4<f32>(a5.w), bw1, c51);
        c60 = fma(vec4<f32>(a6.w), bw0, c60);
        c61 = fma(vec4<f32>(a6.w), bw1, c61);
        c70 = fma(vec4<f32>(a7.w), bw0, c70);
        c71 = fma(vec4<f32>(a7.w), bw1, c71);
        row += nq;
    }
    let o = i0 * nq + q0;
    let two = q0 + 1u < nq;
    store(o + 0u * nq, i0 + 0u, two, c00, c01);
    store(o + 1u * nq, i0 + 1u, two, c10, c11);
    store(o + 2u * nq, i0 + 2u, two, c20, c21);
    store(o + 3u * nq, i0 + 3u, two, c30, c31);
    store(o + 4u * nq, i0 + 4u, two, c40, c41);
    store(o + 5u * nq, i0 + 5u, two, c50, c51);
    store(o + 6u * nq, i0 + 6u, two, c60, c61);
    store(o + 7u * nq, i0 + 7u, two, c70, c71);
}

// Row x of A against eight rows of B (one vec4 each along k): the eight dot products.
fn dots(x: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(dot(x, b0), dot(x, b1), dot(x, b2), dot(x, b3));
}

// A·Bᵀ: rows i0..i0+7 of C and columns 8q..8q+7, i.e. rows 8q..8q+7 of B (clamped).
@compute @workgroup_size(64)
fn abt(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 + 4u) / 8u * params.tiles_n) {
        return;
    }
    let nq = params.nq;
    let kq = params.kq;
    let i0 = (tile / params.tiles_n) * 8u;
    let q0 = (tile % params.tiles_n) * 2u;
    let last = 4u * nq - 1u;
    let r0 = row_of(i0, 0u) * kq;
    let r1 = row_of(i0, 1u) * kq;
    let r2 = row_of(i0, 2u) * kq;
    let r3 = row_of(i0, 3u) * kq;
    let r4 = row_of(i0, 4u) * kq;
    let r5 = row_of(i0, 5u) * kq;
    let r6 = row_of(i0, 6u) * kq;
    let r7 = row_of(i0, 7u) * kq;
    let s0 = min(4u * q0 + 0u, last) * kq;
    let s1 = min(4u * q0 + 1u, last) * kq;
    let s2 = min(4u * q0 + 2u, last) * kq;
    let s3 = min(4u * q0 + 3u, last) * kq;
    let s4 = min(4u * q0 + 4u, last) * kq;
    let s5 = min(4u * q0 + 5u, last) * kq;
    let s6 = min(4u * q0 + 6u, last) * kq;
    let s7 = min(4u * q0 + 7u, last) * kq;
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    var c40 = vec4<f32>(0.0);
    var c41 = vec4<f32>(0.0);
    var c50 = vec4<f32>(0.0);
    var c51 = vec4<f32>(0.0);
    var c60 = vec4<f32>(0.0);
    var c61 = vec4<f32>(0.0);
    var c70 = vec4<f32>(0.0);
    var c71 = vec4<f32>(0.0);
    for (var kk = 0u; kk < kq; kk++) {
        let b0 = b[s0 + kk];
        let b1 = b[s1 + kk];
        let b2 = b[s2 + kk];
        let b3 = b[s3 + kk];
        let b4 = b[s4 + kk];
        let b5 = b[s5 + kk];
        let b6 = b[s6 + kk];
        let b7 = b[s7 + kk];
        let x0 = a[r0 + kk];
        c00 += dots(x0, b0, b1, b2, b3);
        c01 += dots(x0, b4, b5, b6, b7);
        let x1 = a[r1 + kk];
        c10 += dots(x1, b0, b1, b2, b3);
        c11 += dots(x1, b4, b5, b6, b7);
        let x2 = a[r2 + kk];
        c20 += dots(x2, b0, b1, b2, b3);
        c21 += dots(x2, b4, b5, b6, b7);
        let x3 = a[r3 + kk];
        c30 += dots(x3, b0, b1, b2, b3);
        c31 += dots(x3, b4, b5, b6, b7);
        let x4 = a[r4 + kk];
        c40 += dots(x4, b0, b1, b2, b3);
        c41 += dots(x4, b4, b5, b6, b7);
        let x5 = a[r5 + kk];
        c50 += dots(x5, b0, b1, b2, b3);
        c51 += dots(x5, b4, b5, b6, b7);
        let x6 = a[r6 + kk];
        c60 += dots(x6, b0, b1, b2, b3);
        c61 += dots(x6, b4, b5, b6, b7);
        let x7 = a[r7 + kk];
        c70 += dots(x7, b0, b1, b2, b3);
        c71 += dots(x7, b4, b5, b6, b7);
    }
    let o = i0 * nq + q0;
    let two = q0 + 1u < nq;
    store(o + 0u * nq, i0 + 0u, two, c00, c01);
    store(o + 1u * nq, i0 + 1u, two, c10, c11);
    store(o + 2u * nq, i0 + 2u, two, c20, c21);
    store(o + 3u * nq, i0 + 3u, two, c30, c31);
    store(o + 4u * nq, i0 + 4u, two, c40, c41);
    store(o + 5u * nq, i0 + 5u, two, c50, c51);
    store(o + 6u * nq, i0 + 6u, two, c60, c61);
    store(o + 7u * nq, i0 + 7u, two, c70, c71);
}

// Aᵀ·B: A is stored K x M, so row kk of A gives two vec4s down rows i0..i0+7 of C. Each
// invocation computes those rows and columns 8q..8q+7, like `ab`.
@compute @workgroup_size(64)
fn atb(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 + 4u) / 8u * params.tiles_n) {
        return;
    }
    let nq = params.nq;
    let mq = params.m4 / 4u;
    let i0 = (tile / params.tiles_n) * 8u;
    let p0 = i0 / 4u;
    let p1 = min(p0 + 1u, mq - 1u);
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
    var c40 = vec4<f32>(0.0);
    var c41 = vec4<f32>(0.0);
    var c50 = vec4<f32>(0.0);
    var c51 = vec4<f32>(0.0);
    var c60 = vec4<f32>(0.0);
    var c61 = vec4<f32>(0.0);
    var c70 = vec4<f32>(0.0);
    var c71 = vec4<f32>(0.0);
    let rows = 4u * params.kq;
    for (var kk = 0u; kk < rows; kk++) {
        let x = a[kk * mq + p0];
        let y = a[kk * mq + p1];
        let b0 = b[kk * nq + q0];
        let b1 = b[kk * nq + q1];
        c00 = fma(vec4<f32>(x.x), b0, c00);
        c01 = fma(vec4<f32>(x.x), b1, c01);
        c10 = fma(vec4<f32>(x.y), b0, c10);
        c11 = fma(vec4<f32>(x.y), b1, c11);
        c20 = fma(vec4<f32>(x.z), b0, c20);
        c21 = fma(vec4<f32>(x.z), b1, c21);
        c30 = fma(vec4<f32>(x.w), b0, c30);
        c31 = fma(vec4<f32>(x.w), b1, c31);
        c40 = fma(vec4<f32>(y.x), b0, c40);
        c41 = fma(vec4<f32>(y.x), b1, c41);
        c50 = fma(vec4<f32>(y.y), b0, c50);
        c51 = fma(vec4<f32>(y.y), b1, c51);
        c60 = fma(vec4<f32>(y.z), b0, c60);
        c61 = fma(vec4<f32>(y.z), b1, c61);
        c70 = fma(vec4<f32>(y.w), b0, c70);
        c71 = fma(vec4<f32>(y.w), b1, c71);
    }
    let o = i0 * nq + q0;
    let two = q0 + 1u < nq;
    store(o + 0u * nq, i0 + 0u, two, c00, c01);
    store(o + 1u * nq, i0 + 1u, two, c10, c11);
    store(o + 2u * nq, i0 + 2u, two, c20, c21);
    store(o + 3u * nq, i0 + 3u, two, c30, c31);
    store(o + 4u * nq, i0 + 4u, two, c40, c41);
    store(o + 5u * nq, i0 + 5u, two, c50, c51);
    store(o + 6u * nq, i0 + 6u, two, c60, c61);
    store(o + 7u * nq, i0 + 7u, two, c70, c71);
}
