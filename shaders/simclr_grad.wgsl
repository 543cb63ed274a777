// dL/dF of SimCLR's NT-Xent loss at temperature τ over N = 2n views, in three dispatches
// that never store the N x N similarities (see src/model/ssl_loss for the math):
//   `unit_rows`:   u_i = f_i/||f_i|| (0 for ||f_i|| < norm_floor) and 1/||f_i|| (or 0);
//   `log_sum_exp`: lse_i = log Σ_{j≠i} exp(s_ij), s_ij = u_i·u_j/τ, with the max subtracted;
//   `gradient`:    g_i = (1/(Nτ)) Σ_{j≠i} [e^{s_ij − lse_i} + e^{s_ij − lse_j} − 2δ_{j,p(i)}] u_j
//                  and dL/df_i = (g_i − u_i (u_i·g_i))/||f_i||, p(i) = (i + n) mod N.
//
// Matrices are in the padded layout of src/gpu/layout.rs, read as vec4s: F, U and the
// gradient are rows4 x dq vec4s. The `unit` scratch buffer holds U followed by rows4/4 vec4s
// of inverse norms; `lse` holds rows4/4 vec4s. Padding rows are zero in U and the gradient.
//
// Loop budget: lavapipe (Mesa 22.3) silently stops an invocation after 65535 loop iterations
// counted over all its loops. So the work per other row j is straight-line code over at most
// MAX_DQ vec4s (`row_dot`, `row_fma`), and an invocation loops about 2N times (`log_sum_exp`)
// or N times (`gradient`) in all; the Rust side caps n.

struct Params {
    // views N = 2n
    rows: u32,
    // pairs n
    half: u32,
    // padded rows, pad4(N)
    rows4: u32,
    // vec4s per padded row, pad4(d)/4, at most MAX_DQ
    dq: u32,
    // 1/τ
    inv_tau: f32,
    // rows with a smaller norm get u = 0 and a zero gradient
    norm_floor: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;
const MAX_DQ: u32 = 8u;

alias Row = array<vec4<f32>, 8>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// x · (the row of `a` starting at vec4 `base`), over dq vec4s, without a loop.
fn row_dot(x: ptr<function, Row>, base: u32) -> f32 {
    let dq = params.dq;
    var s = dot((*x)[0], a[base]);
    if (dq > 1u) {
        s += dot((*x)[1], a[base + 1u]);
    }
    if (dq > 2u) {
        s += dot((*x)[2], a[base + 2u]);
    }
    if (dq > 3u) {
        s += dot((*x)[3], a[base + 3u]);
    }
    if (dq > 4u) {
        s += dot((*x)[4], a[base + 4u]);
    }
    if (dq > 5u) {
        s += dot((*x)[5], a[base + 5u]);
    }
    if (dq > 6u) {
        s += dot((*x)[6], a[base + 6u]);
    }
    if (dq > 7u) {
        s += dot((*x)[7], a[base + 7u]);
    }
    return s;
}

// g += w · (the row of `a` starting at vec4 `base`), over dq vec4s, without a loop.
fn row_fma(g: ptr<function, Row>, w: f32, base: u32) {
    let dq = params.dq;
    let wv = vec4<f32>(w);
    (*g)[0] = fma(wv, a[base], (*g)[0]);
    if (dq > 1u) {
        (*g)[1] = fma(wv, a[base + 1u], (*g)[1]);
    }
    if (dq > 2u) {
        (*g)[2] = fma(wv, a[base + 2u], (*g)[2]);
    }
    if (dq > 3u) {
        (*g)[3] = fma(wv, a[base + 3u], (*g)[3]);
    }
    if (dq > 4u) {
        (*g)[4] = fma(wv, a[base + 4u], (*g)[4]);
    }
    if (dq > 5u) {
        (*g)[5] = fma(wv, a[base + 5u], (*g)[5]);
    }
    if (dq > 6u) {
        (*g)[6] = fma(wv, a[base + 6u], (*g)[6]);
    }
    if (dq > 7u) {
        (*g)[7] = fma(wv, a[base + 7u], (*g)[7]);
    }
}

// Row r of `a` (dq vec4s), zero beyond.
fn load_row(r: u32) -> Row {
    var x: Row;
    for (var q = 0u; q < params.dq; q++) {
        x[q] = a[r * params.dq + q];
    }
    return x;
}

// a = F, out = unit: rows 4t..4t+3 of U and their inverse norms.
@compute @workgroup_size(64)
fn unit_rows(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let t = flat_index(gid, groups);
    if (t >= params.rows4 / 4u) {
        return;
    }
    let dq = params.dq;
    var inv = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c++) {
        let r = 4u * t + c;
        var x = load_row(r);
        let norm = sqrt(row_dot(&x, r * dq));
        let scale = select(1.0 / norm, 0.0, norm < params.norm_floor);
        for (var q = 0u; q < dq; q++) {
            out[r * dq + q] = x[q] * scale;
        }
        inv[c] = scale;
    }
    out[params.rows4 * dq + t] = inv;
}

// a = unit, out = lse: lse of rows 4t..4t+3, two passes over j (the max, then the sum).
@compute @workgroup_size(64)
fn log_sum_exp(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let t = flat_index(gid, groups);
    if (t >= params.rows4 / 4u) {
        return;
    }
    var u0 = load_row(4u * t);
    var u1 = load_row(4u * t + 1u);
    var u2 = load_row(4u * t + 2u);
    var u3 = load_row(4u * t + 3u);
    let rows = vec4<u32>(4u * t) + vec4<u32>(0u, 1u, 2u, 3u);
    // |s_ij| ≤ 1/τ, so this is below every s_ij
    var mx = vec4<f32>(-params.inv_tau - 1.0);
    for (var j = 0u; j < params.rows; j++) {
        let base = j * params.dq;
        let s = vec4<f32>(row_dot(&u0, base), row_dot(&u1, base), row_dot(&u2, base),
                          row_dot(&u3, base)) * params.inv_tau;
        mx = select(mx, max(mx, s), rows != vec4<u32>(j));
    }
    var sum = vec4<f32>(0.0);
    for (var j = 0u; j < params.rows; j++) {
        let base = j * params.dq;
        let s = vec4<f32>(row_dot(&u0, base), row_dot(&u1, base), row_dot(&u2, base),
                          row_dot(&u3, base)) * params.inv_tau;
        sum += select(vec4<f32>(0.0), exp(s - mx), rows != vec4<u32>(j));
    }
    out[t] = mx + log(sum);
}

// a = unit, b = lse, out = dL/dF: one row per invocation.
@compute @workgroup_size(64)
fn gradient(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= params.rows4) {
        return;
    }
    let dq = params.dq;
    var ui = load_row(i);
    var g: Row;
    if (i < params.rows) {
        let lse_i = b[i / 4u][i % 4u];
        let twin = (i + params.half) % params.rows;
        for (var j = 0u; j < params.rows; j++) {
            let s = row_dot(&ui, j * dq) * params.inv_tau;
            let lse_j = b[j / 4u][j % 4u];
            let w = exp(s - lse_i) + exp(s - lse_j) - select(0.0, 2.0, j == twin);
            row_fma(&g, select(w, 0.0, j == i), j * dq);
        }
    }
    var radial = 0.0;
    for (var q = 0u; q < dq; q++) {
        radial += dot(ui[q], g[q]);
    }
    let scale = params.inv_tau * a[params.rows4 * dq + i / 4u][i % 4u] / f32(params.rows);
    for (var q = 0u; q < dq; q++) {
        out[i * dq + q] = (g[q] - ui[q] * radial) * scale;
    }
}
