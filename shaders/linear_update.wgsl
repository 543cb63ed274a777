// The gradient step of linear Barlow Twins, fused: W ← W − 4η (C − I) P, with P = W Γ.
//
// W and P are d x m, C is d x d, all row-major f32. Each invocation owns one 4 x 4 tile of W
// (tiles numbered row-major over ceil(d/4) x ceil(m/4)), forms (C − I)·P for it with the
// identity subtracted in-kernel, and writes only its own entries, so updating W in place is
// safe. Edge tiles clamp their load indices and store only entries inside W.

struct Params {
    d: u32,
    m: u32,
    tiles_m: u32,
    // 4η
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> c: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
@group(0) @binding(3) var<storage, read_write> w: array<f32>;

const WG: u32 = 64u;

// Row i of (C − I), entry k.
fn c_minus_i(i: u32, k: u32) -> f32 {
    return c[i * params.d + k] - select(0.0, 1.0, i == k);
}

fn update_row(i: u32, j0: u32, g: vec4<f32>) {
    if (i >= params.d) {
        return;
    }
    let base = i * params.m;
    for (var t = 0u; t < 4u; t++) {
        if (j0 + t < params.m) {
            w[base + j0 + t] -= params.scale * g[t];
        }
    }
}

@compute @workgroup_size(64)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = gid.x + gid.y * groups.x * WG;
    let tiles_d = (params.d + 3u) / 4u;
    if (tile >= tiles_d * params.tiles_m) {
        return;
    }
    let i0 = (tile / params.tiles_m) * 4u;
    let j0 = (tile % params.tiles_m) * 4u;
    let last_i = params.d - 1u;
    let last_j = params.m - 1u;
    let r0 = min(i0, last_i);
    let r1 = min(i0 + 1u, last_i);
    let r2 = min(i0 + 2u, last_i);
    let r3 = min(i0 + 3u, last_i);
    let j1 = min(j0 + 1u, last_j);
    let j2 = min(j0 + 2u, last_j);
    let j3 = min(j0 + 3u, last_j);
    var g0 = vec4<f32>(0.0);
    var g1 = vec4<f32>(0.0);
    var g2 = vec4<f32>(0.0);
    var g3 = vec4<f32>(0.0);
    for (var k = 0u; k < params.d; k++) {
        let row = k * params.m;
        let pv = vec4<f32>(p[row + j0], p[row + j1], p[row + j2], p[row + j3]);
        g0 = fma(vec4<f32>(c_minus_i(r0, k)), pv, g0);
        g1 = fma(vec4<f32>(c_minus_i(r1, k)), pv, g1);
        g2 = fma(vec4<f32>(c_minus_i(r2, k)), pv, g2);
        g3 = fma(vec4<f32>(c_minus_i(r3, k)), pv, g3);
    }
    update_row(i0, j0, g0);
    update_row(i0 + 1u, j0, g1);
    update_row(i0 + 2u, j0, g2);
    update_row(i0 + 3u, j0, g3);
}
