// Global average pooling of the ResNet (docs/deep.md §1): the hidden representation
// h[b, c] = mean over the hw pixels of image b of x[b, ·, c] (NHWC), written with row stride
// `ldh` (the padded layout of matmul.wgsl, so the projector's matmul reads h directly), and
// its backward dx[b, i, c] = dh[b, c] / hw. One output value per invocation; `forward`
// loops hw times (the host bounds hw).

struct Params {
    batch: u32,
    hw: u32,
    channels: u32,
    // row stride of h and dh
    ldh: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> unused: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// src = x, out = h: one invocation per (b, c).
@compute @workgroup_size(64)
fn forward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    if (idx >= params.batch * cs) {
        return;
    }
    let b = idx / cs;
    let c = idx % cs;
    let base = b * params.hw * cs + c;
    var sum = 0.0;
    for (var i = 0u; i < params.hw; i++) {
        sum += src[base + i * cs];
    }
    out[b * params.ldh + c] = sum / f32(params.hw);
}

// src = dh, out = dx: one invocation per value of x.
@compute @workgroup_size(64)
fn backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let cs = params.channels;
    let per_image = params.hw * cs;
    if (idx >= params.batch * per_image) {
        return;
    }
    let b = idx / per_image;
    let c = idx % cs;
    out[idx] = src[b * params.ldh + c] / f32(params.hw);
}
