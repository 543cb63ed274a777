// Heavy-ball momentum on both layers of the MLP in one dispatch (docs/architecture.md §3;
// without momentum the update is fused into the gradients' matmuls instead), over whole
// padded buffers, one vec4 per invocation: invocations 0..len1 update layer 1, the next len2
// layer 2. v = momentum · v + g, then w = w − lr · v (PyTorch's heavy ball, the CPU backend's
// order of operations). Padding entries of the gradients are zero, so padding stays zero.
// No loops.

struct Params {
    // vec4s in layer 1's buffers
    len1: u32,
    // vec4s in layer 2's buffers
    len2: u32,
    // η
    lr: f32,
    // μ
    momentum: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> g2: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> w1: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> w2: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> v1: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> v2: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(64)
fn momentum_pair(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let mu = vec4<f32>(params.momentum);
    let lr = vec4<f32>(-params.lr);
    if (idx < params.len1) {
        let v = fma(mu, v1[idx], g1[idx]);
        v1[idx] = v;
        w1[idx] = fma(lr, v, w1[idx]);
    } else if (idx - params.len1 < params.len2) {
        let j = idx - params.len1;
        let v = fma(mu, v2[j], g2[j]);
        v2[j] = v;
        w2[j] = fma(lr, v, w2[j]);
    }
}
