// Batch normalization of the ResNet's trunk (docs/deep.md §1), f32, NHWC: per channel c,
// statistics over all P = N·H·W pixels of the batch (biased variance, no running
// statistics), x̂ = (x − mean) · invstd with invstd = 1/sqrt(var + eps), y = γ x̂ + β.
// γ and β live in the flat parameter buffer (at gamma_off, beta_off), dγ and dβ are written
// into the flat gradient buffer (at gamma_goff, beta_goff).
//
// Entry points:
// - `stats_pass` (one workgroup per channel): stats[c] = mean, stats[C + c] = invstd;
// - `normalize` (one invocation per value): out = γ x̂ + β, plus `aux` (the residual
//   shortcut) when flags & 2, then relu when flags & 1;
// - `grad_sums` (one workgroup per channel): Σ dy and Σ dy·x̂ into stats[2C + c],
//   stats[3C + c] and into the gradient buffer `out` as dβ and dγ;
// - `backward_input` (one invocation per value):
//   dx = γ · invstd · (dy − Σdy / P − x̂ · Σ dy·x̂ / P).
// Each invocation of a reduction loops ⌈P/64⌉ times per pass: the host bounds P so that
// this stays far below lavapipe's ~65k loop iterations. Workgroup memory: 512 bytes.

struct Params {
    pixels: u32,
    channels: u32,
    gamma_off: u32,
    beta_off: u32,
    gamma_goff: u32,
    beta_goff: u32,
    // bit 0: relu after normalizing; bit 1: add `aux` before the relu
    flags: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;

var<workgroup> part: array<f32, 64>;
var<workgroup> part2: array<f32, 64>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

fn group_index(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wid.x + wid.y * groups.x;
}

// Sums `part` and `part2` over the workgroup; every invocation gets both totals.
fn reduce(lid: u32, a: f32, b: f32) -> vec2<f32> {
    part[lid] = a;
    part2[lid] = b;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step = step / 2u) {
        if (lid < step) {
            part[lid] += part[lid + step];
            part2[lid] += part2[lid + step];
        }
        workgroupBarrier();
    }
    let total = vec2<f32>(part[0], part2[0]);
    workgroupBarrier();
    return total;
}

fn xhat(idx: u32, c: u32) -> f32 {
    return (x[idx] - stats[c]) * stats[params.channels + c];
}

@compute @workgroup_size(64)
fn stats_pass(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = group_index(wid, groups);
    let cs = params.channels;
    if (c >= cs) {
        return;
    }
    let n = params.pixels;
    var sum = 0.0;
    for (var p = lid; p < n; p += WG) {
        sum += x[p * cs + c];
    }
    let mean = reduce(lid, sum, 0.0).x / f32(n);
    var sq = 0.0;
    for (var p = lid; p < n; p += WG) {
        let v = x[p * cs + c] - mean;
        sq = fma(v, v, sq);
    }
    let variance = reduce(lid, sq, 0.0).x / f32(n);
    if (lid == 0u) {
        stats[c] = mean;
        stats[cs + c] = inverseSqrt(variance + params.eps);
    }
}

@compute @workgroup_size(64)
fn normalize(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    if (idx >= params.pixels * cs) {
        return;
    }
    let c = idx % cs;
    var y = fma(weights[params.gamma_off + c], xhat(idx, c), weights[params.beta_off + c]);
    if ((params.flags & 2u) != 0u) {
        y += aux[idx];
    }
    if ((params.flags & 1u) != 0u) {
        y = max(y, 0.0);
    }
    out[idx] = y;
}

@compute @workgroup_size(64)
fn grad_sums(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = group_index(wid, groups);
    let cs = params.channels;
    if (c >= cs) {
        return;
    }
    var s = 0.0;
    var sx = 0.0;
    for (var p = lid; p < params.pixels; p += WG) {
        let idx = p * cs + c;
        let g = dy[idx];
        s += g;
        sx = fma(g, xhat(idx, c), sx);
    }
    let total = reduce(lid, s, sx);
    if (lid == 0u) {
        stats[2u * cs + c] = total.x;
        stats[3u * cs + c] = total.y;
        out[params.beta_goff + c] = total.x;
        out[params.gamma_goff + c] = total.y;
    }
}

@compute @workgroup_size(64)
fn backward_input(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    if (idx >= params.pixels * cs) {
        return;
    }
    let c = idx % cs;
    let inv_n = 1.0 / f32(params.pixels);
    let centered = dy[idx] - stats[2u * cs + c] * inv_n - xhat(idx, c) * stats[3u * cs + c] * inv_n;
    out[idx] = weights[params.gamma_off + c] * stats[cs + c] * centered;
}
