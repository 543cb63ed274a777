// dL/dF of VICReg (weights 25 / 25 / 1, unbiased covariances, std = sqrt(var + 1e-4)); for a
// row i of branch Z (Z' alike, with the branches swapped) and column j:
//   50 (Z_ij − Z'_ij)/(n d) − 25·1[std_j < 1] Zc_ij/(2 d std_j (n − 1))
//   + 4 Σ_{k≠j} Zc_ik Cov_kj/(d (n − 1)),
// where Zc is the column-centred branch and Cov = ZcᵀZc/(n − 1). See src/model/ssl_loss.
//
// F and the gradient are N x d in the padded layout of src/gpu/layout.rs (rows4 x dq vec4s,
// zero padded; rows 0..n are Z, rows n..2n are Z'). One workgroup: both branches' column
// means, then centred (two-pass) covariances in 4 x 4 blocks into workgroup memory (8.25 KiB
// at d = 32), then the gradient rows, padding written as zeros. Zero-padded columns have zero
// mean, covariance and gradient, so only padded rows need care.
//
// Loop budget: lavapipe (Mesa 22.3) silently stops an invocation after 65535 loop iterations
// counted over all its loops; here an invocation loops at most about 5.3 n times in all
// (n for a mean, 2n for two covariance blocks, (2n/64 + 1)(dq + dq²) for its rows).

struct Params {
    // pairs: rows of Z and of Z' (at least 2)
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
const INV_WEIGHT: f32 = 25.0;
const VAR_WEIGHT: f32 = 25.0;
const COV_WEIGHT: f32 = 1.0;
const VAR_EPS: f32 = 1e-4;

// column means of branch b, columns 4q..4q+3 at b * MAX_DQ + q
var<workgroup> mean: array<vec4<f32>, 16>;
// Cov of branch b: row j, columns 4q..4q+3 at b * 4 MAX_DQ² + j * MAX_DQ + q
var<workgroup> cov: array<vec4<f32>, 512>;

fn cov_index(b: u32, j: u32, q: u32) -> u32 {
    return b * 4u * MAX_DQ * MAX_DQ + j * MAX_DQ + q;
}

fn column_means(b: u32, q: u32) {
    var acc = vec4<f32>(0.0);
    for (var i = 0u; i < params.n; i++) {
        acc += f[(b * params.n + i) * params.dq + q];
    }
    mean[b * MAX_DQ + q] = acc / f32(params.n);
}

// Rows 4jq..4jq+3, columns 4kq..4kq+3 of branch b's covariance, into `cov`.
fn cov_block(b: u32, jq: u32, kq: u32) {
    let dq = params.dq;
    let mj = mean[b * MAX_DQ + jq];
    let mk = mean[b * MAX_DQ + kq];
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    for (var i = 0u; i < params.n; i++) {
        let row = (b * params.n + i) * dq;
        let x = f[row + jq] - mj;
        let y = f[row + kq] - mk;
        c0 = fma(vec4<f32>(x.x), y, c0);
        c1 = fma(vec4<f32>(x.y), y, c1);
        c2 = fma(vec4<f32>(x.z), y, c2);
        c3 = fma(vec4<f32>(x.w), y, c3);
    }
    let s = 1.0 / f32(params.n - 1u);
    cov[cov_index(b, 4u * jq, kq)] = c0 * s;
    cov[cov_index(b, 4u * jq + 1u, kq)] = c1 * s;
    cov[cov_index(b, 4u * jq + 2u, kq)] = c2 * s;
    cov[cov_index(b, 4u * jq + 3u, kq)] = c3 * s;
}

// Row k of branch b's covariance at columns 4q..4q+3, with the diagonal entry k = j zeroed.
fn off_diagonal(b: u32, k: u32, q: u32) -> vec4<f32> {
    var v = cov[cov_index(b, k, q)];
    if (k / 4u == q) {
        v[k % 4u] = 0.0;
    }
    return v;
}

// Columns 4q..4q+3 of the gradient's row r < 2n.
fn gradient_quad(r: u32, q: u32) -> vec4<f32> {
    let n = params.n;
    let dq = params.dq;
    let b = r / n;
    var acc = vec4<f32>(0.0);
    for (var kq = 0u; kq < dq; kq++) {
        let zc = f[r * dq + kq] - mean[b * MAX_DQ + kq];
        acc = fma(vec4<f32>(zc.x), off_diagonal(b, 4u * kq, q), acc);
        acc = fma(vec4<f32>(zc.y), off_diagonal(b, 4u * kq + 1u, q), acc);
        acc = fma(vec4<f32>(zc.z), off_diagonal(b, 4u * kq + 2u, q), acc);
        acc = fma(vec4<f32>(zc.w), off_diagonal(b, 4u * kq + 3u, q), acc);
    }
    let x = f[r * dq + q];
    let twin = f[((r + n) % (2u * n)) * dq + q];
    let zc = x - mean[b * MAX_DQ + q];
    let diag = vec4<f32>(
        cov[cov_index(b, 4u * q, q)].x,
        cov[cov_index(b, 4u * q + 1u, q)].y,
        cov[cov_index(b, 4u * q + 2u, q)].z,
        cov[cov_index(b, 4u * q + 3u, q)].w,
    );
    let d = f32(params.d);
    let nm1 = f32(n - 1u);
    let sd = sqrt(diag + VAR_EPS);
    let hinge = select(vec4<f32>(0.0), VAR_WEIGHT * zc / (2.0 * d * sd * nm1), sd < vec4<f32>(1.0));
    return 2.0 * INV_WEIGHT * (x - twin) / (f32(n) * d) + 4.0 * COV_WEIGHT * acc / (d * nm1)
        - hinge;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
    let dq = params.dq;
    if (lid < 2u * dq) {
        column_means(lid / dq, lid % dq);
    }
    workgroupBarrier();
    for (var e = lid; e < 2u * dq * dq; e += WG) {
        let block = e % (dq * dq);
        cov_block(e / (dq * dq), block / dq, block % dq);
    }
    workgroupBarrier();
    for (var r = lid; r < params.rows4; r += WG) {
        for (var q = 0u; q < dq; q++) {
            var g = vec4<f32>(0.0);
            if (r < 2u * params.n) {
                g = gradient_quad(r, q);
            }
            grad[r * dq + q] = g;
        }
    }
}
