// One step of SGD with momentum and weight decay over the flat parameter buffer of the
// ResNet (docs/deep.md §2), PyTorch's rule, one value per invocation:
//   v = μ v + (g + wd · w);   w = w − η v.
// η is read from `hyper[0]` (a buffer the host rewrites before each step, so the learning
// rate can change without rebinding); μ and wd are fixed in the params.

struct Params {
    len: u32,
    momentum: f32,
    weight_decay: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> hyper: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn step(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG;
    if (idx >= params.len) {
        return;
    }
    let w = weights[idx];
    let v = fma(params.momentum, velocity[idx], fma(params.weight_decay, w, grad[idx]));
    velocity[idx] = v;
    weights[idx] = fma(-hyper[0], v, w);
}
