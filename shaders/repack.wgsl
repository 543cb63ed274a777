// Copies a rows x cols matrix between two row-major layouts (docs/deep.md §1): the
// projector's bias-free linear weights [in, out] live unpadded in the flat parameter buffer,
// while matmul.wgsl wants the padded layout (row stride pad4(cols), zero padding). Used both
// ways: weights out of the parameter buffer before the forward pass, dW from the matmul's
// padded output into the flat gradient buffer. One value per invocation; padding entries of
// the destination are never written.

struct Params {
    rows: u32,
    cols: u32,
    src_off: u32,
    src_ld: u32,
    dst_off: u32,
    dst_ld: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> unused: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn copy(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG;
    if (idx >= params.rows * params.cols) {
        return;
    }
    let r = idx / params.cols;
    let c = idx % params.cols;
    dst[params.dst_off + r * params.dst_ld + c] = src[params.src_off + r * params.src_ld + c];
}
