// Elementwise pieces of the ResNet (docs/deep.md §1), f32, flat buffers of `len` values,
// one value per invocation:
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
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> unused: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(64)
fn add_relu(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.len) {
        return;
    }
    var v = out[idx];
    if ((params.flags & 2u) != 0u) {
        v += a[idx];
    }
    if ((params.flags & 1u) != 0u) {
        v = max(v, 0.0);
    }
    out[idx] = v;
}

@compute @workgroup_size(64)
fn relu_mask(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    if (idx >= params.len) {
        return;
    }
    out[idx] = select(0.0, out[idx], a[idx] > 0.0);
}
