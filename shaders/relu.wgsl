// The hidden layer's nonlinearity and its derivative, on N x (h+1) matrices in the padded
// layout of matmul.wgsl (rows4 x 4cq, read as vec4s along rows). One invocation per vec4.
//
// `forward`: H = relu(H) in place (the matmul wrote the pre-activations Z into H).
// `backward`: Δ = Δ ⊙ 1[H > 0] in place, and column `frozen` (the constant bias unit, whose
// incoming weights never change) set to zero.

struct Params {
    // padded rows (a multiple of 4)
    rows4: u32,
    // vec4s per row
    cq: u32,
    // the column whose error is zeroed
    frozen: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hidden: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> unused: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(64)
fn forward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.rows4 * params.cq) {
        return;
    }
    out[idx] = max(out[idx], vec4<f32>(0.0));
}

@compute @workgroup_size(64)
fn backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.rows4 * params.cq) {
        return;
    }
    let col0 = 4u * (idx % params.cq);
    let cols = vec4<u32>(col0, col0 + 1u, col0 + 2u, col0 + 3u);
    let keep = (hidden[idx] > vec4<f32>(0.0)) & (cols != vec4<u32>(params.frozen));
    out[idx] = select(vec4<f32>(0.0), out[idx], keep);
}
