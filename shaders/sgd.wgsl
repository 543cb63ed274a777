// Elementwise steps of (momentum) gradient descent over whole padded buffers, one vec4 per
// invocation. Padding entries of the gradient are zero, so padding stays zero.
//
// `accumulate`: v = coef · v + g (the momentum buffer; coef = μ).
// `descend`:    w = w − coef · g (coef = η; g is the gradient or the momentum buffer).

struct Params {
    // vec4s in each buffer
    len: u32,
    coef: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> unused: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(64)
fn accumulate(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.len) {
        return;
    }
    out[idx] = fma(vec4<f32>(params.coef), out[idx], g[idx]);
}

@compute @workgroup_size(64)
fn descend(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.len) {
        return;
    }
    out[idx] = fma(vec4<f32>(-params.coef), g[idx], out[idx]);
}
