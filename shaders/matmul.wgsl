// C = A · B in f32, register-blocked, no workgroup memory.
//
// C is M x N row-major. A[i, k] = a[i * a_rs + k * a_cs] and B[k, j] = b[k * b_rs + j * b_cs],
// so the strides select A·B (b_rs = N, b_cs = 1) or A·Bᵀ with B stored N x K (b_rs = 1,
// b_cs = K). Each invocation computes one 4 x 4 tile of C; tiles are numbered row-major over
// the (ceil(M/4) x ceil(N/4)) grid, one tile per invocation, so a flat M = 10 problem wastes
// no invocations on empty rows. Edge tiles clamp their load indices into range and store
// only the entries inside C, so any M, N, K >= 1 works (K = 0 gives zeros).

struct Params {
    m: u32,
    n: u32,
    k: u32,
    tiles_n: u32,
    a_rs: u32,
    a_cs: u32,
    b_rs: u32,
    b_cs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const WG: u32 = 64u;

fn store_row(i: u32, j0: u32, v: vec4<f32>) {
    if (i >= params.m) {
        return;
    }
    let base = i * params.n;
    for (var t = 0u; t < 4u; t++) {
        if (j0 + t < params.n) {
            c[base + j0 + t] = v[t];
        }
    }
}

@compute @workgroup_size(64)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = gid.x + gid.y * groups.x * WG;
    let tiles_m = (params.m + 3u) / 4u;
    if (tile >= tiles_m * params.tiles_n) {
        return;
    }
    let i0 = (tile / params.tiles_n) * 4u;
    let j0 = (tile % params.tiles_n) * 4u;
    let last_i = params.m - 1u;
    let last_j = params.n - 1u;
    // Clamped row offsets into A and column offsets into B.
    let a0 = min(i0, last_i) * params.a_rs;
    let a1 = min(i0 + 1u, last_i) * params.a_rs;
    let a2 = min(i0 + 2u, last_i) * params.a_rs;
    let a3 = min(i0 + 3u, last_i) * params.a_rs;
    let b0 = min(j0, last_j) * params.b_cs;
    let b1 = min(j0 + 1u, last_j) * params.b_cs;
    let b2 = min(j0 + 2u, last_j) * params.b_cs;
    let b3 = min(j0 + 3u, last_j) * params.b_cs;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var ak = 0u;
    var bk = 0u;
    for (var kk = 0u; kk < params.k; kk++) {
        let bv = vec4<f32>(b[bk + b0], b[bk + b1], b[bk + b2], b[bk + b3]);
        acc0 = fma(vec4<f32>(a[a0 + ak]), bv, acc0);
        acc1 = fma(vec4<f32>(a[a1 + ak]), bv, acc1);
        acc2 = fma(vec4<f32>(a[a2 + ak]), bv, acc2);
        acc3 = fma(vec4<f32>(a[a3 + ak]), bv, acc3);
        ak += params.a_cs;
        bk += params.b_rs;
    }
    store_row(i0, j0, acc0);
    store_row(i0 + 1u, j0, acc1);
    store_row(i0 + 2u, j0, acc2);
    store_row(i0 + 3u, j0, acc3);
}
