// dL/dF of the three SSL losses (SPEC §4) on embeddings F (N = 2n rows, d ≤ 32 columns, row
// stride `stride` = pad4(d) floats, the padded layout of matmul.wgsl). Rows 0..n are the
// first views Z, rows n..2n the second views Z'; row r's positive twin is (r + n) mod N.
// The gradient G has F's layout; padding entries are never written (they stay zero).
//
// `barlow`, `vicreg`: one workgroup of 64 invocations; the d x d matrices go to workgroup
// memory (at most 2·32² floats = 8 KiB), then every invocation writes gradient entries.
// `simclr_norms`, `simclr_lse`, `simclr_grad`: one invocation per row, no N x N matrix.

struct Params {
    n: u32,
    d: u32,
    stride: u32,
    temperature: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> aux: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;
const MAX_D: u32 = 32u;

var<workgroup> mats: array<f32, 2048>;
var<workgroup> means: array<f32, 64>;

fn twin(r: u32) -> u32 {
    return select(r + params.n, r - params.n, r >= params.n);
}

// Barlow Twins, L = ||C − I||², C = (ZᵀZ' + Z'ᵀZ)/(2n): dL/dZ = (2/n) Z'(C − I) and
// dL/dZ' = (2/n) Z(C − I). `out` = G.
@compute @workgroup_size(64)
fn barlow(@builtin(local_invocation_index) li: u32) {
    let n = params.n;
    let d = params.d;
    let s = params.stride;
    for (var e = li; e < d * d; e += WG) {
        let a = e / d;
        let b = e % d;
        var acc = 0.0;
        for (var i = 0u; i < n; i++) {
            acc += f[i * s + a] * f[(i + n) * s + b] + f[(i + n) * s + a] * f[i * s + b];
        }
        mats[e] = acc / f32(2u * n) - select(0.0, 1.0, a == b);
    }
    workgroupBarrier();
    for (var e = li; e < 2u * n * d; e += WG) {
        let r = e / d;
        let b = e % d;
        let t = twin(r);
        var acc = 0.0;
        for (var a = 0u; a < d; a++) {
            acc += f[t * s + a] * mats[a * d + b];
        }
        out[r * s + b] = acc * 2.0 / f32(n);
    }
}

// VICReg, 25·inv + 25·var + 1·cov (SPEC §4, unbiased covariance). `out` = G.
@compute @workgroup_size(64)
fn vicreg(@builtin(local_invocation_index) li: u32) {
    let n = params.n;
    let d = params.d;
    let s = params.stride;
    for (var e = li; e < 2u * d; e += WG) {
        let base = (e / d) * n;
        let j = e % d;
        var acc = 0.0;
        for (var i = 0u; i < n; i++) {
            acc += f[(base + i) * s + j];
        }
        means[e] = acc / f32(n);
    }
    workgroupBarrier();
    for (var e = li; e < 2u * d * d; e += WG) {
        let branch = e / (d * d);
        let a = (e / d) % d;
        let b = e % d;
        let base = branch * n;
        let ma = means[branch * d + a];
        let mb = means[branch * d + b];
        var acc = 0.0;
        for (var i = 0u; i < n; i++) {
            acc += (f[(base + i) * s + a] - ma) * (f[(base + i) * s + b] - mb);
        }
        mats[e] = acc / f32(n - 1u);
    }
    workgroupBarrier();
    let nd = f32(n * d);
    let dn1 = f32(d) * f32(n - 1u);
    for (var e = li; e < 2u * n * d; e += WG) {
        let r = e / d;
        let j = e % d;
        let branch = r / n;
        let cov = branch * d * d;
        let zc = f[r * s + j] - means[branch * d + j];
        var g = 50.0 * (f[r * s + j] - f[twin(r) * s + j]) / nd;
        let sd = sqrt(mats[cov + j * d + j] + 1e-4);
        if (sd < 1.0) {
            g -= 25.0 * zc / (2.0 * dn1 * sd);
        }
        var off = 0.0;
        for (var k = 0u; k < d; k++) {
            if (k != j) {
                off += (f[r * s + k] - means[branch * d + k]) * mats[cov + k * d + j];
            }
        }
        out[r * s + j] = g + 4.0 * off / dn1;
    }
}

fn row_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// SimCLR pass 1: `out` = [U; norms]: u_r = f_r / |f_r| (N x stride), then |f_r| (N).
@compute @workgroup_size(64)
fn simclr_norms(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let r = row_index(gid, groups);
    let rows = 2u * params.n;
    if (r >= rows) {
        return;
    }
    let s = params.stride;
    var sq = 0.0;
    for (var j = 0u; j < params.d; j++) {
        sq += f[r * s + j] * f[r * s + j];
    }
    let norm = max(sqrt(sq), 1e-30);
    for (var j = 0u; j < params.d; j++) {
        out[r * s + j] = f[r * s + j] / norm;
    }
    out[rows * s + r] = norm;
}

// s_rj = u_r·u_j / τ.
fn similarity(u: ptr<function, array<f32, 32>>, j: u32) -> f32 {
    let s = params.stride;
    var dot = 0.0;
    for (var k = 0u; k < params.d; k++) {
        dot += (*u)[k] * f[j * s + k];
    }
    return dot / params.temperature;
}

// SimCLR pass 2 (`f` = [U; norms]): `out`[r] = log Σ_{j≠r} exp(s_rj), by a running max.
@compute @workgroup_size(64)
fn simclr_lse(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let r = row_index(gid, groups);
    let rows = 2u * params.n;
    if (r >= rows) {
        return;
    }
    var u: array<f32, 32>;
    for (var k = 0u; k < params.d; k++) {
        u[k] = f[r * params.stride + k];
    }
    var m = -3.0e38;
    var sum = 0.0;
    for (var j = 0u; j < rows; j++) {
        if (j == r) {
            continue;
        }
        let sim = similarity(&u, j);
        if (sim > m) {
            sum = sum * exp(m - sim) + 1.0;
            m = sim;
        } else {
            sum += exp(sim - m);
        }
    }
    out[r] = m + log(sum);
}

// SimCLR pass 3 (`f` = [U; norms], `aux` = lse): with A_rj = (exp(s_rj − lse_r) − δ_{j,p(r)})/N,
// dL/du_r = (1/τ) Σ_j (A_rj + A_jr) u_j, and dL/df_r = (dL/du_r − u_r (u_r·dL/du_r)) / |f_r|.
@compute @workgroup_size(64)
fn simclr_grad(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let r = row_index(gid, groups);
    let rows = 2u * params.n;
    if (r >= rows) {
        return;
    }
    let s = params.stride;
    var u: array<f32, 32>;
    var du: array<f32, 32>;
    for (var k = 0u; k < params.d; k++) {
        u[k] = f[r * s + k];
        du[k] = 0.0;
    }
    let p = twin(r);
    let lse_r = aux[r];
    for (var j = 0u; j < rows; j++) {
        if (j == r) {
            continue;
        }
        let sim = similarity(&u, j);
        var w = exp(sim - lse_r) + exp(sim - aux[j]);
        if (j == p) {
            w -= 2.0;
        }
        for (var k = 0u; k < params.d; k++) {
            du[k] += w * f[j * s + k];
        }
    }
    let scale = 1.0 / (f32(rows) * params.temperature);
    var radial = 0.0;
    for (var k = 0u; k < params.d; k++) {
        du[k] *= scale;
        radial += u[k] * du[k];
    }
    let norm = f[rows * s + r];
    for (var k = 0u; k < params.d; k++) {
        out[r * s + k] = (du[k] - u[k] * radial) / norm;
    }
}
