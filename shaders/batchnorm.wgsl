// Batch normalization of the ResNet's trunk (docs/deep.md §1), f32, NHWC: per channel c,
// statistics over all P = N·H·W pixels of the batch (biased variance, no running
// statistics), x̂ = (x − mean) · invstd with invstd = 1/sqrt(var + eps), y = γ x̂ + β.
// γ and β live in the flat parameter buffer (at gamma_off, beta_off), dγ and dβ are written
// into the flat gradient buffer (at gamma_goff, beta_goff).
//
// Entry points (reductions in two stages: partial sums over chunks of CHUNK pixels, one
// invocation per (chunk, channel), then one invocation per channel summing the chunks; the
// partial sums live in `stats` after its 4C statistics):
// - `chunk_mean`, `finish_mean`, `chunk_var`, `finish_var`: stats[c] = mean,
//   stats[C + c] = invstd (two passes, as the CPU reference);
// - `normalize` (one invocation per value): out = γ x̂ + β, plus `aux` (the residual
//   shortcut) when flags & 2, then relu when flags & 1;
// - `chunk_grad`, `finish_grad`: Σ dy and Σ dy·x̂ into stats[2C + c], stats[3C + c] and into
//   the gradient buffer `out` as dβ and dγ;
// - `backward_input` (one invocation per value):
//   dx = γ · invstd · (dy − Σdy / P − x̂ · Σ dy·x̂ / P).
// Loops: CHUNK iterations (chunks) and ⌈P/CHUNK⌉ (finish) per invocation; the host bounds P
// so that both stay far below lavapipe's ~65k loop iterations. No workgroup memory.

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

const CHUNK: u32 = 256u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

fn chunks() -> u32 {
    return (params.pixels + CHUNK - 1u) / CHUNK;
}

// Where the partial sums of (chunk, channel) go: two per pair.
fn partial_at(chunk: u32, c: u32) -> u32 {
    return 4u * params.channels + chunk * 2u * params.channels + c;
}

// (chunk, channel) of a chunk invocation and its pixel range, or false past the last.
fn chunk_of(idx: u32) -> vec4<u32> {
    let cs = params.channels;
    let chunk = idx / cs;
    let first = chunk * CHUNK;
    let end = min(first + CHUNK, params.pixels);
    return vec4<u32>(chunk, idx % cs, first, end);
}

fn xhat(idx: u32, c: u32) -> f32 {
    return (x[idx] - stats[c]) * stats[params.channels + c];
}

@compute @workgroup_size(64)
fn chunk_mean(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= chunks() * params.channels) {
        return;
    }
    let t = chunk_of(idx);
    var sum = 0.0;
    for (var p = t.z; p < t.w; p++) {
        sum += x[p * params.channels + t.y];
    }
    stats[partial_at(t.x, t.y)] = sum;
}

@compute @workgroup_size(64)
fn finish_mean(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = flat_index(gid, groups);
    if (c >= params.channels) {
        return;
    }
    var sum = 0.0;
    for (var k = 0u; k < chunks(); k++) {
        sum += stats[partial_at(k, c)];
    }
    stats[c] = sum / f32(params.pixels);
}

@compute @workgroup_size(64)
fn chunk_var(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= chunks() * params.channels) {
        return;
    }
    let t = chunk_of(idx);
    let mean = stats[t.y];
    var sq = 0.0;
    for (var p = t.z; p < t.w; p++) {
        let v = x[p * params.channels + t.y] - mean;
        sq = fma(v, v, sq);
    }
    stats[partial_at(t.x, t.y)] = sq;
}

@compute @workgroup_size(64)
fn finish_var(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = flat_index(gid, groups);
    if (c >= params.channels) {
        return;
    }
    var sq = 0.0;
    for (var k = 0u; k < chunks(); k++) {
        sq += stats[partial_at(k, c)];
    }
    stats[params.channels + c] = inverseSqrt(sq / f32(params.pixels) + params.eps);
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
fn chunk_grad(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    if (idx >= chunks() * cs) {
        return;
    }
    let t = chunk_of(idx);
    var s = 0.0;
    var sx = 0.0;
    for (var p = t.z; p < t.w; p++) {
        let i = p * cs + t.y;
        let g = dy[i];
        s += g;
        sx = fma(g, xhat(i, t.y), sx);
    }
    stats[partial_at(t.x, t.y)] = s;
    stats[partial_at(t.x, t.y) + cs] = sx;
}

@compute @workgroup_size(64)
fn finish_grad(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let c = flat_index(gid, groups);
    let cs = params.channels;
    if (c >= cs) {
        return;
    }
    var s = 0.0;
    var sx = 0.0;
    for (var k = 0u; k < chunks(); k++) {
        s += stats[partial_at(k, c)];
        sx += stats[partial_at(k, c) + cs];
    }
    stats[2u * cs + c] = s;
    stats[3u * cs + c] = sx;
    out[params.beta_goff + c] = s;
    out[params.gamma_goff + c] = sx;
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
