// The gradient step of linear Barlow Twins, fused: W ← W − 4η (C − I) P, with P = W Γ.
// With eye = 0 and X = B it is Appendix G's step W ← W − η B P (scale = η): in general
// W ← W − scale (X − eye I) P.
//
// Same storage convention as matmul.wgsl: W and P are d4 x 4mq, C is d4 x d4 (d4 = pad4(d)),
// row-major, zero padded, read as vec4s along rows. Padded rows and columns stay zero: their
// (C − I) P terms are zero because P's padded rows and columns are. Each invocation owns
// rows i0..i0+3 and columns 8q..8q+7 of W, forms (C − I)·P for them with the identity
// subtracted in-kernel, and writes only its own entries, so updating W in place is safe.

struct Params {
    // padded rows of W (a multiple of 4)
    d4: u32,
    // vec4s per row of W and P
    mq: u32,
    // tiles per row of W
    tiles_m: u32,
    // 4η (Barlow Twins) or η (Appendix G's B)
    scale: f32,
    // 1 to subtract the identity from X (Barlow Twins' C − I), 0 to use X as it is
    eye: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> c: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> p: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> w: array<vec4<f32>>;

const WG: u32 = 64u;

// Entries 4kk..4kk+3 of row i of (X − eye I).
fn c_minus_i(i: u32, kk: u32) -> vec4<f32> {
    let cols = vec4<u32>(4u * kk) + vec4<u32>(0u, 1u, 2u, 3u);
    let eye = select(vec4<f32>(0.0), vec4<f32>(params.eye), cols == vec4<u32>(i));
    return c[i * (params.d4 / 4u) + kk] - eye;
}

@compute @workgroup_size(64)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = gid.x + gid.y * groups.x * WG;
    if (tile >= (params.d4 / 4u) * params.tiles_m) {
        return;
    }
    let mq = params.mq;
    let i0 = (tile / params.tiles_m) * 4u;
    let q0 = (tile % params.tiles_m) * 2u;
    let q1 = min(q0 + 1u, mq - 1u);
    var g00 = vec4<f32>(0.0);
    var g01 = vec4<f32>(0.0);
    var g10 = vec4<f32>(0.0);
    var g11 = vec4<f32>(0.0);
    var g20 = vec4<f32>(0.0);
    var g21 = vec4<f32>(0.0);
    var g30 = vec4<f32>(0.0);
    var g31 = vec4<f32>(0.0);
    var row = 0u;
    for (var kk = 0u; kk < params.d4 / 4u; kk++) {
        let x0 = c_minus_i(i0, kk);
        let x1 = c_minus_i(i0 + 1u, kk);
        let x2 = c_minus_i(i0 + 2u, kk);
        let x3 = c_minus_i(i0 + 3u, kk);
        for (var u = 0u; u < 4u; u++) {
            let p0 = p[row + q0];
            let p1 = p[row + q1];
            g00 = fma(vec4<f32>(x0[u]), p0, g00);
            g01 = fma(vec4<f32>(x0[u]), p1, g01);
            g10 = fma(vec4<f32>(x1[u]), p0, g10);
            g11 = fma(vec4<f32>(x1[u]), p1, g11);
            g20 = fma(vec4<f32>(x2[u]), p0, g20);
            g21 = fma(vec4<f32>(x2[u]), p1, g21);
            g30 = fma(vec4<f32>(x3[u]), p0, g30);
            g31 = fma(vec4<f32>(x3[u]), p1, g31);
            row += mq;
        }
    }
    let s = params.scale;
    let o = i0 * mq + q0;
    w[o] -= s * g00;
    w[o + mq] -= s * g10;
    w[o + 2u * mq] -= s * g20;
    w[o + 3u * mq] -= s * g30;
    if (q0 + 1u < mq) {
        w[o + 1u] -= s * g01;
        w[o + mq + 1u] -= s * g11;
        w[o + 2u * mq + 1u] -= s * g21;
        w[o + 3u * mq + 1u] -= s * g31;
    }
}
