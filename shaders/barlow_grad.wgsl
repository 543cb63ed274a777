// dL/dF of simplified Barlow Twins, L = ||C − I||_F² with C = (ZᵀZ' + Z'ᵀZ)/(2n):
// dL/dZ = (2/n) Z'(C − I) and dL/dZ' = (2/n) Z(C − I).
//
// F and the gradient are N x d in the padded layout of src/gpu/layout.rs (rows4 x dq vec4s,
// zero padded; rows 0..n are Z, rows n..2n are Z'). One workgroup does everything: each
// invocation one 4 x 4 block of C − I (d ≤ 32: at most 64 blocks, 4 KiB) into workgroup
// memory, a barrier, then gradient rows, padding written as zeros.
//
// Loop budget: lavapipe (Mesa 22.3) silently stops an invocation after 65535 loop iterations
// counted over all its loops, so no invocation here loops more than about 3.3 n times in all
// (n for its block of C, (2n/64 + 1)(dq + dq²) for its rows); the Rust side caps n.

struct Params {
    // pairs: rows of Z and of Z'
    n: u32,
    // embedding dimension, at most 4 MAX_DQ
    d: u32,
    // vec4s per padded row, pad4(d)/4
    dq: u32,
    // padded rows, pad4(2n)
    rows4: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> f: array<vec4<f32>>;
// binding 2 (F again) is the shared kernel layout's second input, unused here
@group(0) @binding(3) var<storage, read_write> grad: array<vec4<f32>>;

const WG: u32 = 64u;
const MAX_DQ: u32 = 8u;

// C − I: row j, columns 4q..4q+3 at j * MAX_DQ + q
var<workgroup> m: array<vec4<f32>, 256>;

// Row j of the identity, columns 4q..4q+3 (zero in the padding: j ≥ d).
fn identity_row(j: u32, q: u32) -> vec4<f32> {
    var e = vec4<f32>(0.0);
    if (j < params.d && j / 4u == q) {
        e[j % 4u] = 1.0;
    }
    return e;
}

// Rows 4jq..4jq+3, columns 4kq..4kq+3 of C − I, into `m`.
fn c_block(jq: u32, kq: u32) {
    let n = params.n;
    let dq = params.dq;
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    for (var i = 0u; i < n; i++) {
        let zj = f[i * dq + jq];
        let zk = f[i * dq + kq];
        let pj = f[(i + n) * dq + jq];
        let pk = f[(i + n) * dq + kq];
        c0 = fma(vec4<f32>(zj.x), pk, fma(vec4<f32>(pj.x), zk, c0));
        c1 = fma(vec4<f32>(zj.y), pk, fma(vec4<f32>(pj.y), zk, c1));
        c2 = fma(vec4<f32>(zj.z), pk, fma(vec4<f32>(pj.z), zk, c2));
        c3 = fma(vec4<f32>(zj.w), pk, fma(vec4<f32>(pj.w), zk, c3));
    }
    let s = 1.0 / f32(2u * n);
    let j = 4u * jq;
    m[j * MAX_DQ + kq] = c0 * s - identity_row(j, kq);
    m[(j + 1u) * MAX_DQ + kq] = c1 * s - identity_row(j + 1u, kq);
    m[(j + 2u) * MAX_DQ + kq] = c2 * s - identity_row(j + 2u, kq);
    m[(j + 3u) * MAX_DQ + kq] = c3 * s - identity_row(j + 3u, kq);
}

// Row r of the gradient: (2/n) · (twin row of the other block) · (C − I).
fn gradient_row(r: u32) {
    let n = params.n;
    let dq = params.dq;
    if (r >= 2u * n) {
        for (var q = 0u; q < dq; q++) {
            grad[r * dq + q] = vec4<f32>(0.0);
        }
        return;
    }
    let t = ((r + n) % (2u * n)) * dq;
    let scale = 2.0 / f32(n);
    for (var q = 0u; q < dq; q++) {
        var acc = vec4<f32>(0.0);
        for (var kq = 0u; kq < dq; kq++) {
            let x = f[t + kq];
            let k = 4u * kq * MAX_DQ + q;
            acc = fma(vec4<f32>(x.x), m[k], acc);
            acc = fma(vec4<f32>(x.y), m[k + MAX_DQ], acc);
            acc = fma(vec4<f32>(x.z), m[k + 2u * MAX_DQ], acc);
            acc = fma(vec4<f32>(x.w), m[k + 3u * MAX_DQ], acc);
        }
        grad[r * dq + q] = acc * scale;
    }
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
    let dq = params.dq;
    if (lid < dq * dq) {
        c_block(lid / dq, lid % dq);
    }
    workgroupBarrier();
    for (var r = lid; r < params.rows4; r += WG) {
        gradient_row(r);
    }
}
