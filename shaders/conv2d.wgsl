// The ResNet's convolutions (docs/deep.md §1) as implicit GEMMs, f32, NHWC, no bias, square
// images and kernels, zero padding `pad`: the im2col matrix (rows = pixels, columns =
// (ky, kx, ci)) is never stored, each invocation reads its rows straight from the image.
// Weights are [K·K·Cin, Cout] row-major inside the flat parameter buffer at `w_off`:
// index w_off + ((ky·K + kx)·Cin + ci)·Cout + co. Output side: (side + 2 pad − K)/stride + 1.
//
// Entry points (one invocation per register tile, like matmul.wgsl's, no workgroup memory):
// - `forward`:          y[p, co] = Σ_{ky,kx,ci} x[pixel(p, ky, kx), ci] · w[(ky,kx,ci), co]
//                        (tile: 8 output pixels x 4 output channels); `forward_compact`:
//                        the same with loops over the tile's rows (for SwiftShader);
// - `backward_input`:   dx[q, ci] = Σ_{ky,kx,co} dy[p(q, ky, kx), co] · w[(ky,kx,ci), co]
//                        over the output pixels p that read input pixel q (tile: 8 x 4);
// - `backward_weights`: partial[chunk, r, co] = Σ_{p in chunk} x[pixel(p, r), ci(r)] · dy[p, co]
//                        for rows r = (ky, kx, ci) (tile: 8 rows x 4 channels, per chunk of
//                        `chunk` output pixels);
// - `sum_chunks`:       grad[g_off + r·Cout + co] = Σ_chunks partial[chunk, r, co].
// Splitting dW over chunks keeps every invocation under lavapipe's ~65k loop iterations
// (the host bounds K·K·C and `chunk` so that every loop here stays far below it).

struct Params {
    batch: u32,
    side: u32,
    cin: u32,
    cout: u32,
    k: u32,
    stride: u32,
    pad: u32,
    out_side: u32,
    // offset of the weights in the parameter buffer
    w_off: u32,
    // offset of dW in the gradient buffer (`sum_chunks`)
    g_off: u32,
    // output pixels per chunk of `backward_weights`
    chunk: u32,
    chunks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> other: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;
const ROWS: u32 = 8u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Four weights w[row, co0..co0+3] (`other` = parameters), columns clamped into range.
fn weights4(row: u32, co0: u32) -> vec4<f32> {
    let base = params.w_off + row * params.cout;
    let last = params.cout - 1u;
    return vec4<f32>(
        other[base + min(co0, last)],
        other[base + min(co0 + 1u, last)],
        other[base + min(co0 + 2u, last)],
        other[base + min(co0 + 3u, last)],
    );
}

// Stores acc[r][j] at row p0 + r, column c0 + j of a rows x cols matrix, inside it only.
fn store_tile(acc: array<vec4<f32>, 8>, p0: u32, rows: u32, c0: u32, cols: u32) {
    for (var r = 0u; r < ROWS; r++) {
        let p = p0 + r;
        if (p < rows) {
            let v = acc[r];
            out[p * cols + c0] = v.x;
            if (c0 + 1u < cols) { out[p * cols + c0 + 1u] = v.y; }
            if (c0 + 2u < cols) { out[p * cols + c0 + 2u] = v.z; }
            if (c0 + 3u < cols) { out[p * cols + c0 + 3u] = v.w; }
        }
    }
}

// Input pixel of output pixel p at tap offset (dy, dx), as (index of its first channel,
// 1 inside the image / 0 in the zero padding): the index is clamped into the image.
fn tap(p: u32, dy: i32, dx: i32) -> vec2<u32> {
    let os = params.out_side;
    let side = i32(params.side);
    let rem = p % (os * os);
    let iy = i32((rem / os) * params.stride) - i32(params.pad) + dy;
    let ix = i32((rem % os) * params.stride) - i32(params.pad) + dx;
    let ok = iy >= 0 && iy < side && ix >= 0 && ix < side;
    let pix = (p / (os * os)) * params.side * params.side
        + u32(clamp(iy, 0, side - 1) * side + clamp(ix, 0, side - 1));
    return vec2<u32>(pix * params.cin, select(0u, 1u, ok));
}

// The forward tile of this invocation: (first output pixel p0, first output channel co0,
// output pixels); p0 >= pixels for an invocation past the end.
fn output_tile(gid: vec3<u32>, groups: vec3<u32>) -> vec3<u32> {
    let tile = flat_index(gid, groups);
    let tiles_n = (params.cout + 3u) / 4u;
    let pixels = params.batch * params.out_side * params.out_side;
    return vec3<u32>((tile / tiles_n) * ROWS, (tile % tiles_n) * 4u, pixels);
}

// src = x (NHWC input), other = parameters, out = y (NHWC output). The 8 rows are written
// out by hand (as in matmul.wgsl): indexed private arrays spill on CPU-emulated GPUs.
@compute @workgroup_size(64)
fn forward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let at = output_tile(gid, groups);
    let p0 = at.x;
    let co0 = at.y;
    let pixels = at.z;
    if (p0 >= pixels) {
        return;
    }
    let cout = params.cout;
    let c0 = co0;
    let c1 = min(co0 + 1u, cout - 1u);
    let c2 = min(co0 + 2u, cout - 1u);
    let c3 = min(co0 + 3u, cout - 1u);
    let last = pixels - 1u;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);
    for (var ky = 0u; ky < params.k; ky++) {
        for (var kx = 0u; kx < params.k; kx++) {
            let t0 = tap(min(p0 + 0u, last), i32(ky), i32(kx));
            let t1 = tap(min(p0 + 1u, last), i32(ky), i32(kx));
            let t2 = tap(min(p0 + 2u, last), i32(ky), i32(kx));
            let t3 = tap(min(p0 + 3u, last), i32(ky), i32(kx));
            let t4 = tap(min(p0 + 4u, last), i32(ky), i32(kx));
            let t5 = tap(min(p0 + 5u, last), i32(ky), i32(kx));
            let t6 = tap(min(p0 + 6u, last), i32(ky), i32(kx));
            let t7 = tap(min(p0 + 7u, last), i32(ky), i32(kx));
            let m0 = f32(t0.y);
            let m1 = f32(t1.y);
            let m2 = f32(t2.y);
            let m3 = f32(t3.y);
            let m4 = f32(t4.y);
            let m5 = f32(t5.y);
            let m6 = f32(t6.y);
            let m7 = f32(t7.y);
            var wb = params.w_off + (ky * params.k + kx) * params.cin * cout;
            for (var ci = 0u; ci < params.cin; ci++) {
                let w = vec4<f32>(other[wb + c0], other[wb + c1], other[wb + c2], other[wb + c3]);
                acc0 = fma(vec4<f32>(m0 * src[t0.x + ci]), w, acc0);
                acc1 = fma(vec4<f32>(m1 * src[t1.x + ci]), w, acc1);
                acc2 = fma(vec4<f32>(m2 * src[t2.x + ci]), w, acc2);
                acc3 = fma(vec4<f32>(m3 * src[t3.x + ci]), w, acc3);
                acc4 = fma(vec4<f32>(m4 * src[t4.x + ci]), w, acc4);
                acc5 = fma(vec4<f32>(m5 * src[t5.x + ci]), w, acc5);
                acc6 = fma(vec4<f32>(m6 * src[t6.x + ci]), w, acc6);
                acc7 = fma(vec4<f32>(m7 * src[t7.x + ci]), w, acc7);
                wb += cout;
            }
        }
    }
    var acc: array<vec4<f32>, 8>;
    acc[0] = acc0;
    acc[1] = acc1;
    acc[2] = acc2;
    acc[3] = acc3;
    acc[4] = acc4;
    acc[5] = acc5;
    acc[6] = acc6;
    acc[7] = acc7;
    store_tile(acc, p0, pixels, co0, cout);
}

// `forward` with its 8 rows in loops (ConvStyle::Compact in src/gpu/conv2d.rs): the same
// sums in the same order, in a body SwiftShader compiles in milliseconds, not seconds.
@compute @workgroup_size(64)
fn forward_compact(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let at = output_tile(gid, groups);
    if (at.x >= at.z) {
        return;
    }
    let last_co = params.cout - 1u;
    let cols = vec4<u32>(at.y, min(at.y + 1u, last_co), min(at.y + 2u, last_co),
        min(at.y + 3u, last_co));
    var acc: array<vec4<f32>, 8>;
    var first: array<u32, 8>;
    var mask: array<f32, 8>;
    for (var ky = 0u; ky < params.k; ky++) {
        for (var kx = 0u; kx < params.k; kx++) {
            for (var r = 0u; r < ROWS; r++) {
                let t = tap(min(at.x + r, at.z - 1u), i32(ky), i32(kx));
                first[r] = t.x;
                mask[r] = f32(t.y);
            }
            var wb = params.w_off + (ky * params.k + kx) * params.cin * params.cout;
            for (var ci = 0u; ci < params.cin; ci++) {
                let w = vec4<f32>(other[wb + cols.x], other[wb + cols.y], other[wb + cols.z],
                    other[wb + cols.w]);
                for (var r = 0u; r < ROWS; r++) {
                    acc[r] = fma(vec4<f32>(mask[r] * src[first[r] + ci]), w, acc[r]);
                }
                wb += params.cout;
            }
        }
    }
    store_tile(acc, at.x, at.z, at.y, params.cout);
}

// src = dy (NHWC, output side), other = parameters, out = dx (NHWC, input side).
@compute @workgroup_size(64)
fn backward_input(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = flat_index(gid, groups);
    let tiles_n = (params.cin + 3u) / 4u;
    let side = params.side;
    let pixels = params.batch * side * side;
    let q0 = (tile / tiles_n) * ROWS;
    if (q0 >= pixels) {
        return;
    }
    let ci0 = (tile % tiles_n) * 4u;
    let last_ci = params.cin - 1u;
    let os = i32(params.out_side);
    let s = i32(params.stride);
    var ty0: array<i32, 8>;
    var tx0: array<i32, 8>;
    var img: array<u32, 8>;
    for (var r = 0u; r < ROWS; r++) {
        let q = min(q0 + r, pixels - 1u);
        let rem = q % (side * side);
        ty0[r] = i32(rem / side) + i32(params.pad);
        tx0[r] = i32(rem % side) + i32(params.pad);
        img[r] = (q / (side * side)) * params.out_side * params.out_side;
    }
    var acc: array<vec4<f32>, 8>;
    for (var ky = 0u; ky < params.k; ky++) {
        for (var kx = 0u; kx < params.k; kx++) {
            var base: array<u32, 8>;
            var ok: array<bool, 8>;
            for (var r = 0u; r < ROWS; r++) {
                let ty = ty0[r] - i32(ky);
                let tx = tx0[r] - i32(kx);
                let oy = ty / s;
                let ox = tx / s;
                ok[r] = ty >= 0 && tx >= 0 && oy * s == ty && ox * s == tx && oy < os && ox < os;
                let pix = img[r] + u32(clamp(oy, 0, os - 1) * os + clamp(ox, 0, os - 1));
                base[r] = pix * params.cout;
            }
            let row0 = params.w_off + (ky * params.k + kx) * params.cin * params.cout;
            let w0 = row0 + min(ci0, last_ci) * params.cout;
            let w1 = row0 + min(ci0 + 1u, last_ci) * params.cout;
            let w2 = row0 + min(ci0 + 2u, last_ci) * params.cout;
            let w3 = row0 + min(ci0 + 3u, last_ci) * params.cout;
            for (var co = 0u; co < params.cout; co++) {
                let w = vec4<f32>(other[w0 + co], other[w1 + co], other[w2 + co], other[w3 + co]);
                for (var r = 0u; r < ROWS; r++) {
                    let v = select(0.0, src[base[r] + co], ok[r]);
                    acc[r] = fma(vec4<f32>(v), w, acc[r]);
                }
            }
        }
    }
    store_tile(acc, q0, pixels, ci0, params.cin);
}

// src = x (NHWC input), other = dy (NHWC output), out = partial sums [chunks, K·K·Cin, Cout].
@compute @workgroup_size(64)
fn backward_weights(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = flat_index(gid, groups);
    let rows = params.k * params.k * params.cin;
    let tiles_n = (params.cout + 3u) / 4u;
    let tiles_r = (rows + ROWS - 1u) / ROWS;
    let chunk_id = tile / (tiles_n * tiles_r);
    if (chunk_id >= params.chunks) {
        return;
    }
    let in_chunk = tile % (tiles_n * tiles_r);
    let r0 = (in_chunk / tiles_n) * ROWS;
    let co0 = (in_chunk % tiles_n) * 4u;
    let last_co = params.cout - 1u;
    var dy_ky: array<i32, 8>;
    var dy_kx: array<i32, 8>;
    var chan: array<u32, 8>;
    for (var r = 0u; r < ROWS; r++) {
        let row = min(r0 + r, rows - 1u);
        chan[r] = row % params.cin;
        let kk = row / params.cin;
        dy_ky[r] = i32(kk / params.k) - i32(params.pad);
        dy_kx[r] = i32(kk % params.k) - i32(params.pad);
    }
    let os = params.out_side;
    let side = i32(params.side);
    let pixels = params.batch * os * os;
    let first = chunk_id * params.chunk;
    let end = min(first + params.chunk, pixels);
    var acc: array<vec4<f32>, 8>;
    for (var p = first; p < end; p++) {
        let b = p / (os * os);
        let rem = p % (os * os);
        let oy = i32((rem / os) * params.stride);
        let ox = i32((rem % os) * params.stride);
        let o = p * params.cout;
        let g = vec4<f32>(
            other[o + min(co0, last_co)],
            other[o + min(co0 + 1u, last_co)],
            other[o + min(co0 + 2u, last_co)],
            other[o + min(co0 + 3u, last_co)],
        );
        let img = b * params.side * params.side;
        for (var r = 0u; r < ROWS; r++) {
            let iy = oy + dy_ky[r];
            let ix = ox + dy_kx[r];
            let ok = iy >= 0 && iy < side && ix >= 0 && ix < side;
            let pix = img + u32(clamp(iy, 0, side - 1) * side + clamp(ix, 0, side - 1));
            let v = select(0.0, src[pix * params.cin + chan[r]], ok);
            acc[r] = fma(vec4<f32>(v), g, acc[r]);
        }
    }
    let o = chunk_id * rows * params.cout;
    for (var r = 0u; r < ROWS; r++) {
        let row = r0 + r;
        if (row < rows) {
            let v = acc[r];
            let at = o + row * params.cout + co0;
            out[at] = v.x;
            if (co0 + 1u < params.cout) { out[at + 1u] = v.y; }
            if (co0 + 2u < params.cout) { out[at + 2u] = v.z; }
            if (co0 + 3u < params.cout) { out[at + 3u] = v.w; }
        }
    }
}

// src = partial sums, out = the gradient buffer: one invocation per weight.
@compute @workgroup_size(64)
fn sum_chunks(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = flat_index(gid, groups);
    let len = params.k * params.k * params.cin * params.cout;
    if (idx >= len) {
        return;
    }
    var total = 0.0;
    for (var c = 0u; c < params.chunks; c++) {
        total += src[c * len + idx];
    }
    out[params.g_off + idx] = total;
}
