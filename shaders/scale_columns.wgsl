// P = A Λ for diagonal Λ: every column k of A times values[k]. The projection step of the
// eigenbasis solver (A = W V, Γ = V Λ Vᵀ), in place of the dense P = W Γ.
//
// Storage convention of matmul.wgsl: A and P are rows4 x 4cq row-major, zero padded, read as
// vec4s along rows; values is one padded row of 4cq. One invocation per vec4 of P.

struct Params {
    // padded rows of A (a multiple of 4)
    rows4: u32,
    // vec4s per row
    cq: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> values: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> p: array<vec4<f32>>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG;
    if (idx >= params.rows4 * params.cq) {
        return;
    }
    p[idx] = a[idx] * values[idx % params.cq];
}
