// Pieces of the empirical NTK of the one-hidden-layer ReLU network (docs/math.md §6), on matrices
// in the padded layout of matmul.wgsl. One invocation per vec4 of the output.
//
// `gates`: G[i,k] = sqrt(w̄2_k) · 1[H[i,k] > 0] for the first `hidden` columns, 0 beyond
//          (the constant bias unit); then G Gᵀ = Σ_k w̄2_k 1[z_k(x_i)>0] 1[z_k(x_j)>0].
// `combine`: K = K + A ⊙ B (K holds H̃ H̃ᵀ, A = X̃ X̃ᵀ = x·y + 1, B = G Gᵀ).

struct Params {
    // padded rows of the output (a multiple of 4)
    rows4: u32,
    // vec4s per row of the output
    cq: u32,
    // hidden width h: columns at or beyond it are gated off
    hidden: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// a = H̃, b = sqrt(w̄2) as one padded row.
@compute @workgroup_size(64)
fn gates(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.rows4 * params.cq) {
        return;
    }
    let q = idx % params.cq;
    let col0 = 4u * q;
    let cols = vec4<u32>(col0, col0 + 1u, col0 + 2u, col0 + 3u);
    let on = (a[idx] > vec4<f32>(0.0)) & (cols < vec4<u32>(params.hidden));
    out[idx] = select(vec4<f32>(0.0), b[q], on);
}

@compute @workgroup_size(64)
fn combine(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.rows4 * params.cq) {
        return;
    }
    out[idx] = fma(a[idx], b[idx], out[idx]);
}
