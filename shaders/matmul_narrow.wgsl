// C = A·Bᵀ (entry point `abt_narrow`) in f32 with a 4 x 4 register tile per invocation: the
// small-output companion of `matmul.wgsl` (same parameters, bindings and padded layout; see
// there). `tiles_n` counts vec4 columns here.

struct Params {
    // padded rows of A and C (a multiple of 4)
    m4: u32,
    // vec4s per row of C
    nq: u32,
    // vec4s along K
    kq: u32,
    // tiles per 4-row block of C: vec4 columns
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

// Row r of C's tile: the dot products of x with b0..b3, added to acc.
fn dots4(acc: vec4<f32>, x: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
    return acc + vec4<f32>(dot(x, b0), dot(x, b1), dot(x, b2), dot(x, b3));
}

// A·Bᵀ: each invocation computes rows i0..i0+3 and columns 4q..4q+3 (one vec4) of C:
// four times the invocations of `matmul.wgsl`'s 8 x 8 tiles, for small outputs over a long k
// (C = P Wᵀ of the linear step: d x d over m), where those would leave most SIMD lanes idle.
@compute @workgroup_size(64)
fn abt_narrow(
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
        c0 = dots4(c0, a[r0 + kk], b0, b1, b2, b3);
        c1 = dots4(c1, a[r0 + kq + kk], b0, b1, b2, b3);
        c2 = dots4(c2, a[r0 + 2u * kq + kk], b0, b1, b2, b3);
        c3 = dots4(c3, a[r0 + 3u * kq + kk], b0, b1, b2, b3);
    }
    let nq = params.nq;
    let o = i0 * nq + q;
    c[o] = c0;
    c[o + nq] = c1;
    c[o + 2u * nq] = c2;
    c[o + 3u * nq] = c3;
}
