// The elementwise passes of batchnorm.wgsl (docs/deep.md §1) read as vec4s, for channel
// counts that are multiples of 4 (every BN of the presets): same Params and bindings, x, dy,
// aux and out as vec4s (4 consecutive channels of one pixel), γ, β and the statistics as
// floats. One vec4 per invocation.
// - `normalize`: out = γ x̂ + β, plus `aux` when flags & 2, then relu when flags & 1;
// - `backward_input`: dx = γ · invstd · (dy − Σdy / P − x̂ · Σ dy·x̂ / P).

struct Params {
    pixels: u32,
    channels: u32,
    gamma_off: u32,
    beta_off: u32,
    gamma_goff: u32,
    beta_goff: u32,
    flags: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Four consecutive floats of `weights` from `at`.
fn weights4(at: u32) -> vec4<f32> {
    return vec4<f32>(weights[at], weights[at + 1u], weights[at + 2u], weights[at + 3u]);
}

// Four consecutive floats of `stats` from `at`.
fn stats4(at: u32) -> vec4<f32> {
    return vec4<f32>(stats[at], stats[at + 1u], stats[at + 2u], stats[at + 3u]);
}

@compute @workgroup_size(64)
fn normalize(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cq = params.channels / 4u;
    if (idx >= params.pixels * cq) {
        return;
    }
    let c = 4u * (idx % cq);
    let xhat = (x[idx] - stats4(c)) * stats4(params.channels + c);
    var y = fma(weights4(params.gamma_off + c), xhat, weights4(params.beta_off + c));
    if ((params.flags & 2u) != 0u) {
        y += aux[idx];
    }
    if ((params.flags & 1u) != 0u) {
        y = max(y, vec4<f32>(0.0));
    }
    out[idx] = y;
}

@compute @workgroup_size(64)
fn backward_input(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    let cq = cs / 4u;
    if (idx >= params.pixels * cq) {
        return;
    }
    let c = 4u * (idx % cq);
    let inv_std = stats4(cs + c);
    let xhat = (x[idx] - stats4(c)) * inv_std;
    let inv_n = 1.0 / f32(params.pixels);
    let centered = dy[idx] - stats4(2u * cs + c) * inv_n - xhat * stats4(3u * cs + c) * inv_n;
    out[idx] = weights4(params.gamma_off + c) * inv_std * centered;
}
