// Elementwise pieces of the ResNet (docs/deep.md §1), f32, flat buffers of `len` values
// read as vec4s (the buffers hold whole vec4s; lanes past `len` keep their value), one vec4
// per invocation:
// - `add_relu`: out = out + a (when flags & 2: the residual add), then relu (when flags & 1);
//   with both flags off it is a no-op, with only bit 2 it accumulates a gradient;
// - `relu_mask`: out = out ⊙ 1[a > 0], the relu's backward from its output a (in place on
//   the gradient).

struct Params {
    len: u32,
    // bit 0: relu; bit 1: add `a`
    flags: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> unused: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Which lanes of vec4 `idx` hold values.
fn lanes(idx: u32) -> vec4<bool> {
    return vec4<u32>(4u * idx) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.len);
}

@compute @workgroup_size(64)
fn add_relu(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (4u * idx >= params.len) {
        return;
    }
    let old = out[idx];
    var v = old;
    if ((params.flags & 2u) != 0u) {
        v += a[idx];
    }
    if ((params.flags & 1u) != 0u) {
        v = max(v, vec4<f32>(0.0));
    }
    out[idx] = select(old, v, lanes(idx));
}

@compute @workgroup_size(64)
fn relu_mask(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (4u * idx >= params.len) {
        return;
    }
    let old = out[idx];
    let masked = select(vec4<f32>(0.0), old, a[idx] > vec4<f32>(0.0));
    out[idx] = select(old, masked, lanes(idx));
}
