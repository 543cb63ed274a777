// The ResNet's convolutions (docs/deep.md §1) as implicit GEMMs read as vec4s: the same
// products as conv2d.wgsl (same Params, layouts and chunked weight gradient) for convs whose
// channel counts and weight offset are multiples of 4, which is every conv of the presets
// but the stem's (3 input channels). Register tiles as in matmul.wgsl, written out by hand
// (indexed private arrays spill on CPU-emulated GPUs):
// - `forward` (like matmul's `ab`): 8 output pixels x 8 output channels; per 4 input
//   channels, 8 vec4 loads of x and 8 of w for 256 multiply-adds;
// - `backward_input` (like `abt`): 8 input pixels x 8 input channels; per 4 output channels,
//   8 vec4 loads of dy and 8 of w, 64 dot products;
// - `backward_weights` (like `atb`): for one tap (ky, kx), 8 input channels x 8 output
//   channels, summed over a chunk of output pixels (walked with counters, no division per
//   pixel): 2 vec4 loads of x and 2 of dy per pixel for 64 multiply-adds.
// Loads past an edge are clamped into range (and masked in the zero padding); their results
// are not stored. Loops: K·K·C/4 (forward, dX) and `chunk` (dW) iterations per invocation.

struct Params {
    batch: u32,
    side: u32,
    cin: u32,
    cout: u32,
    k: u32,
    stride: u32,
    pad: u32,
    out_side: u32,
    w_off: u32,
    g_off: u32,
    chunk: u32,
    chunks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> other: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;

const WG: u32 = 64u;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Input pixel of output pixel p at tap (ky, kx): (its first vec4 of channels, 1 inside the
// image / 0 in the padding), clamped into the image.
fn tap(p: u32, ky: u32, kx: u32) -> vec2<u32> {
    let os = params.out_side;
    let side = i32(params.side);
    let rem = p % (os * os);
    let iy = i32((rem / os) * params.stride + ky) - i32(params.pad);
    let ix = i32((rem % os) * params.stride + kx) - i32(params.pad);
    let ok = iy >= 0 && iy < side && ix >= 0 && ix < side;
    let pix = (p / (os * os)) * params.side * params.side
        + u32(clamp(iy, 0, side - 1) * side + clamp(ix, 0, side - 1));
    return vec2<u32>(pix * (params.cin / 4u), select(0u, 1u, ok));
}

// Output pixel read by input pixel q at tap (ky, kx): (its first vec4 of output channels,
// 1 if it exists / 0 otherwise), clamped.
fn back_tap(q: u32, ky: u32, kx: u32) -> vec2<u32> {
    let side = params.side;
    let os = i32(params.out_side);
    let s = i32(params.stride);
    let rem = q % (side * side);
    let ty = i32(rem / side) + i32(params.pad) - i32(ky);
    let tx = i32(rem % side) + i32(params.pad) - i32(kx);
    let oy = ty / s;
    let ox = tx / s;
    let ok = ty >= 0 && tx >= 0 && oy * s == ty && ox * s == tx && oy < os && ox < os;
    let pix = (q / (side * side)) * params.out_side * params.out_side
        + u32(clamp(oy, 0, os - 1) * os + clamp(ox, 0, os - 1));
    return vec2<u32>(pix * (params.cout / 4u), select(0u, 1u, ok));
}

// Stores row `row` of a tile (vec4s q0 and q0 + 1 of a matrix with `cq` vec4s per row and
// `rows` rows) if the row and the vec4s exist.
fn store2(row: u32, rows: u32, q0: u32, cq: u32, a: vec4<f32>, b: vec4<f32>) {
    if (row < rows) {
        out[row * cq + q0] = a;
        if (q0 + 1u < cq) {
            out[row * cq + q0 + 1u] = b;
        }
    }
}

// src = x, other = parameters (vec4s), out = y.
@compute @workgroup_size(64)
fn forward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = flat_index(gid, groups);
    let cq = params.cout / 4u;
    let tiles_n = (cq + 1u) / 2u;
    let os = params.out_side;
    let pixels = params.batch * os * os;
    let p0 = (tile / tiles_n) * 8u;
    if (p0 >= pixels) {
        return;
    }
    let q0 = (tile % tiles_n) * 2u;
    let q1 = min(q0 + 1u, cq - 1u);
    let last = pixels - 1u;
    let cinq = params.cin / 4u;
    var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0); var b4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0); var b5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0); var b6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0); var b7 = vec4<f32>(0.0);
    for (var ky = 0u; ky < params.k; ky++) {
        for (var kx = 0u; kx < params.k; kx++) {
            let t0 = tap(min(p0 + 0u, last), ky, kx); let m0 = f32(t0.y);
            let t1 = tap(min(p0 + 1u, last), ky, kx); let m1 = f32(t1.y);
            let t2 = tap(min(p0 + 2u, last), ky, kx); let m2 = f32(t2.y);
            let t3 = tap(min(p0 + 3u, last), ky, kx); let m3 = f32(t3.y);
            let t4 = tap(min(p0 + 4u, last), ky, kx); let m4 = f32(t4.y);
            let t5 = tap(min(p0 + 5u, last), ky, kx); let m5 = f32(t5.y);
            let t6 = tap(min(p0 + 6u, last), ky, kx); let m6 = f32(t6.y);
            let t7 = tap(min(p0 + 7u, last), ky, kx); let m7 = f32(t7.y);
            var row = params.w_off / 4u + (ky * params.k + kx) * params.cin * cq;
            for (var qi = 0u; qi < cinq; qi++) {
                let x0 = m0 * src[t0.x + qi];
                let x1 = m1 * src[t1.x + qi];
                let x2 = m2 * src[t2.x + qi];
                let x3 = m3 * src[t3.x + qi];
                let x4 = m4 * src[t4.x + qi];
                let x5 = m5 * src[t5.x + qi];
                let x6 = m6 * src[t6.x + qi];
                let x7 = m7 * src[t7.x + qi];
                let wa0 = other[row + q0]; let wb0 = other[row + q1]; row += cq;
                let wa1 = other[row + q0]; let wb1 = other[row + q1]; row += cq;
                let wa2 = other[row + q0]; let wb2 = other[row + q1]; row += cq;
                let wa3 = other[row + q0]; let wb3 = other[row + q1]; row += cq;
                let e00 = vec4<f32>(x0.x); a0 = fma(e00, wa0, a0); b0 = fma(e00, wb0, b0);
                let e10 = vec4<f32>(x1.x); a1 = fma(e10, wa0, a1); b1 = fma(e10, wb0, b1);
                let e20 = vec4<f32>(x2.x); a2 = fma(e20, wa0, a2); b2 = fma(e20, wb0, b2);
                let e30 = vec4<f32>(x3.x); a3 = fma(e30, wa0, a3); b3 = fma(e30, wb0, b3);
                let e40 = vec4<f32>(x4.x); a4 = fma(e40, wa0, a4); b4 = fma(e40, wb0, b4);
                let e50 = vec4<f32>(x5.x); a5 = fma(e50, wa0, a5); b5 = fma(e50, wb0, b5);
                let e60 = vec4<f32>(x6.x); a6 = fma(e60, wa0, a6); b6 = fma(e60, wb0, b6);
                let e70 = vec4<f32>(x7.x); a7 = fma(e70, wa0, a7); b7 = fma(e70, wb0, b7);
                let e01 = vec4<f32>(x0.y); a0 = fma(e01, wa1, a0); b0 = fma(e01, wb1, b0);
                let e11 = vec4<f32>(x1.y); a1 = fma(e11, wa1, a1); b1 = fma(e11, wb1, b1);
                let e21 = vec4<f32>(x2.y); a2 = fma(e21, wa1, a2); b2 = fma(e21, wb1, b2);
                let e31 = vec4<f32>(x3.y); a3 = fma(e31, wa1, a3); b3 = fma(e31, wb1, b3);
                let e41 = vec4<f32>(x4.y); a4 = fma(e41, wa1, a4); b4 = fma(e41, wb1, b4);
                let e51 = vec4<f32>(x5.y); a5 = fma(e51, wa1, a5); b5 = fma(e51, wb1, b5);
                let e61 = vec4<f32>(x6.y); a6 = fma(e61, wa1, a6); b6 = fma(e61, wb1, b6);
                let e71 = vec4<f32>(x7.y); a7 = fma(e71, wa1, a7); b7 = fma(e71, wb1, b7);
                let e02 = vec4<f32>(x0.z); a0 = fma(e02, wa2, a0); b0 = fma(e02, wb2, b0);
                let e12 = vec4<f32>(x1.z); a1 = fma(e12, wa2, a1); b1 = fma(e12, wb2, b1);
                let e22 = vec4<f32>(x2.z); a2 = fma(e22, wa2, a2); b2 = fma(e22, wb2, b2);
                let e32 = vec4<f32>(x3.z); a3 = fma(e32, wa2, a3); b3 = fma(e32, wb2, b3);
                let e42 = vec4<f32>(x4.z); a4 = fma(e42, wa2, a4); b4 = fma(e42, wb2, b4);
                let e52 = vec4<f32>(x5.z); a5 = fma(e52, wa2, a5); b5 = fma(e52, wb2, b5);
                let e62 = vec4<f32>(x6.z); a6 = fma(e62, wa2, a6); b6 = fma(e62, wb2, b6);
                let e72 = vec4<f32>(x7.z); a7 = fma(e72, wa2, a7); b7 = fma(e72, wb2, b7);
                let e03 = vec4<f32>(x0.w); a0 = fma(e03, wa3, a0); b0 = fma(e03, wb3, b0);
                let e13 = vec4<f32>(x1.w); a1 = fma(e13, wa3, a1); b1 = fma(e13, wb3, b1);
                let e23 = vec4<f32>(x2.w); a2 = fma(e23, wa3, a2); b2 = fma(e23, wb3, b2);
                let e33 = vec4<f32>(x3.w); a3 = fma(e33, wa3, a3); b3 = fma(e33, wb3, b3);
                let e43 = vec4<f32>(x4.w); a4 = fma(e43, wa3, a4); b4 = fma(e43, wb3, b4);
                let e53 = vec4<f32>(x5.w); a5 = fma(e53, wa3, a5); b5 = fma(e53, wb3, b5);
                let e63 = vec4<f32>(x6.w); a6 = fma(e63, wa3, a6); b6 = fma(e63, wb3, b6);
                let e73 = vec4<f32>(x7.w); a7 = fma(e73, wa3, a7); b7 = fma(e73, wb3, b7);
            }
        }
    }
    store2(p0 + 0u, pixels, q0, cq, a0, b0);
    store2(p0 + 1u, pixels, q0, cq, a1, b1);
    store2(p0 + 2u, pixels, q0, cq, a2, b2);
    store2(p0 + 3u, pixels, q0, cq, a3, b3);
    store2(p0 + 4u, pixels, q0, cq, a4, b4);
    store2(p0 + 5u, pixels, q0, cq, a5, b5);
    store2(p0 + 6u, pixels, q0, cq, a6, b6);
    store2(p0 + 7u, pixels, q0, cq, a7, b7);
}

fn dots(x: vec4<f32>, w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(dot(x, w0), dot(x, w1), dot(x, w2), dot(x, w3));
}

// src = dy, other = parameters (vec4s), out = dx.
@compute @workgroup_size(64)
fn backward_input(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = flat_index(gid, groups);
    let cinq = params.cin / 4u;
    let tiles_n = (cinq + 1u) / 2u;
    let pixels = params.batch * params.side * params.side;
    let p0 = (tile / tiles_n) * 8u;
    if (p0 >= pixels) {
        return;
    }
    let g0 = (tile % tiles_n) * 2u;
    let g1 = min(g0 + 1u, cinq - 1u);
    let last = pixels - 1u;
    let cq = params.cout / 4u;
    var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0); var b4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0); var b5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0); var b6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0); var b7 = vec4<f32>(0.0);
    for (var ky = 0u; ky < params.k; ky++) {
        for (var kx = 0u; kx < params.k; kx++) {
            let t0 = back_tap(min(p0 + 0u, last), ky, kx); let m0 = f32(t0.y);
            let t1 = back_tap(min(p0 + 1u, last), ky, kx); let m1 = f32(t1.y);
            let t2 = back_tap(min(p0 + 2u, last), ky, kx); let m2 = f32(t2.y);
            let t3 = back_tap(min(p0 + 3u, last), ky, kx); let m3 = f32(t3.y);
            let t4 = back_tap(min(p0 + 4u, last), ky, kx); let m4 = f32(t4.y);
            let t5 = back_tap(min(p0 + 5u, last), ky, kx); let m5 = f32(t5.y);
            let t6 = back_tap(min(p0 + 6u, last), ky, kx); let m6 = f32(t6.y);
            let t7 = back_tap(min(p0 + 7u, last), ky, kx); let m7 = f32(t7.y);
            let row0 = params.w_off / 4u + (ky * params.k + kx) * params.cin * cq;
            let s0 = row0 + (4u * g0 + 0u) * cq;
            let s1 = row0 + (4u * g0 + 1u) * cq;
            let s2 = row0 + (4u * g0 + 2u) * cq;
            let s3 = row0 + (4u * g0 + 3u) * cq;
            let s4 = row0 + (4u * g1 + 0u) * cq;
            let s5 = row0 + (4u * g1 + 1u) * cq;
            let s6 = row0 + (4u * g1 + 2u) * cq;
            let s7 = row0 + (4u * g1 + 3u) * cq;
            for (var c = 0u; c < cq; c++) {
                let w0 = other[s0 + c];
                let w1 = other[s1 + c];
                let w2 = other[s2 + c];
                let w3 = other[s3 + c];
                let w4 = other[s4 + c];
                let w5 = other[s5 + c];
                let w6 = other[s6 + c];
                let w7 = other[s7 + c];
                let d0 = m0 * src[t0.x + c];
                a0 += dots(d0, w0, w1, w2, w3); b0 += dots(d0, w4, w5, w6, w7);
                let d1 = m1 * src[t1.x + c];
                a1 += dots(d1, w0, w1, w2, w3); b1 += dots(d1, w4, w5, w6, w7);
                let d2 = m2 * src[t2.x + c];
                a2 += dots(d2, w0, w1, w2, w3); b2 += dots(d2, w4, w5, w6, w7);
                let d3 = m3 * src[t3.x + c];
                a3 += dots(d3, w0, w1, w2, w3); b3 += dots(d3, w4, w5, w6, w7);
                let d4 = m4 * src[t4.x + c];
                a4 += dots(d4, w0, w1, w2, w3); b4 += dots(d4, w4, w5, w6, w7);
                let d5 = m5 * src[t5.x + c];
                a5 += dots(d5, w0, w1, w2, w3); b5 += dots(d5, w4, w5, w6, w7);
                let d6 = m6 * src[t6.x + c];
                a6 += dots(d6, w0, w1, w2, w3); b6 += dots(d6, w4, w5, w6, w7);
                let d7 = m7 * src[t7.x + c];
                a7 += dots(d7, w0, w1, w2, w3); b7 += dots(d7, w4, w5, w6, w7);
            }
        }
    }
    store2(p0 + 0u, pixels, g0, cinq, a0, b0);
    store2(p0 + 1u, pixels, g0, cinq, a1, b1);
    store2(p0 + 2u, pixels, g0, cinq, a2, b2);
    store2(p0 + 3u, pixels, g0, cinq, a3, b3);
    store2(p0 + 4u, pixels, g0, cinq, a4, b4);
    store2(p0 + 5u, pixels, g0, cinq, a5, b5);
    store2(p0 + 6u, pixels, g0, cinq, a6, b6);
    store2(p0 + 7u, pixels, g0, cinq, a7, b7);
}

// src = x, other = dy, out = partial sums [chunks, K·K·Cin, Cout] (vec4s).
@compute @workgroup_size(64)
fn backward_weights(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = flat_index(gid, groups);
    let cinq = params.cin / 4u;
    let cq = params.cout / 4u;
    let tiles_n = (cq + 1u) / 2u;
    let tiles_c = (cinq + 1u) / 2u;
    let per_chunk = params.k * params.k * tiles_c * tiles_n;
    let chunk_id = tile / per_chunk;
    if (chunk_id >= params.chunks) {
        return;
    }
    let in_chunk = tile % per_chunk;
    let kk = in_chunk / (tiles_c * tiles_n);
    let ky = kk / params.k;
    let kx = kk % params.k;
    let g0 = ((in_chunk / tiles_n) % tiles_c) * 2u;
    let g1 = min(g0 + 1u, cinq - 1u);
    let q0 = (in_chunk % tiles_n) * 2u;
    let q1 = min(q0 + 1u, cq - 1u);
    let os = params.out_side;
    let side = i32(params.side);
    let pixels = params.batch * os * os;
    let first = chunk_id * params.chunk;
    let end = min(first + params.chunk, pixels);
    // the first pixel's (image, row, column), then counters
    var img = first / (os * os);
    var oy = (first % (os * os)) / os;
    var ox = first % os;
    let dy0 = i32(ky) - i32(params.pad);
    let dx0 = i32(kx) - i32(params.pad);
    var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0); var b4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0); var b5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0); var b6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0); var b7 = vec4<f32>(0.0);
    for (var p = first; p < end; p++) {
        let iy = i32(oy * params.stride) + dy0;
        let ix = i32(ox * params.stride) + dx0;
        let ok = iy >= 0 && iy < side && ix >= 0 && ix < side;
        let m = select(0.0, 1.0, ok);
        let pix = img * params.side * params.side
            + u32(clamp(iy, 0, side - 1) * side + clamp(ix, 0, side - 1));
        let x0 = m * src[pix * cinq + g0];
        let x1 = m * src[pix * cinq + g1];
        let d0 = other[p * cq + q0];
        let d1 = other[p * cq + q1];
        a0 = fma(vec4<f32>(x0.x), d0, a0); b0 = fma(vec4<f32>(x0.x), d1, b0);
        a1 = fma(vec4<f32>(x0.y), d0, a1); b1 = fma(vec4<f32>(x0.y), d1, b1);
        a2 = fma(vec4<f32>(x0.z), d0, a2); b2 = fma(vec4<f32>(x0.z), d1, b2);
        a3 = fma(vec4<f32>(x0.w), d0, a3); b3 = fma(vec4<f32>(x0.w), d1, b3);
        a4 = fma(vec4<f32>(x1.x), d0, a4); b4 = fma(vec4<f32>(x1.x), d1, b4);
        a5 = fma(vec4<f32>(x1.y), d0, a5); b5 = fma(vec4<f32>(x1.y), d1, b5);
        a6 = fma(vec4<f32>(x1.z), d0, a6); b6 = fma(vec4<f32>(x1.z), d1, b6);
        a7 = fma(vec4<f32>(x1.w), d0, a7); b7 = fma(vec4<f32>(x1.w), d1, b7);
        ox += 1u;
        if (ox == os) {
            ox = 0u;
            oy += 1u;
            if (oy == os) {
                oy = 0u;
                img += 1u;
            }
        }
    }
    // rows (ky, kx, ci) of this chunk's slice; a row past the channels (the clamped g1) is
    // not stored
    let rows = params.k * params.k * params.cin;
    let base = chunk_id * rows * cq;
    let row0 = kk * params.cin + 4u * g0;
    if (true) {
        out[base + (row0 + 0u) * cq + q0] = a0;
        if (q0 + 1u < cq) { out[base + (row0 + 0u) * cq + q0 + 1u] = b0; }
    }
    if (true) {
        out[base + (row0 + 1u) * cq + q0] = a1;
        if (q0 + 1u < cq) { out[base + (row0 + 1u) * cq + q0 + 1u] = b1; }
    }
    if (true) {
        out[base + (row0 + 2u) * cq + q0] = a2;
        if (q0 + 1u < cq) { out[base + (row0 + 2u) * cq + q0 + 1u] = b2; }
    }
    if (true) {
        out[base + (row0 + 3u) * cq + q0] = a3;
        if (q0 + 1u < cq) { out[base + (row0 + 3u) * cq + q0 + 1u] = b3; }
    }
    if (4u * g0 + 4u < params.cin) {
        out[base + (row0 + 4u) * cq + q0] = a4;
        if (q0 + 1u < cq) { out[base + (row0 + 4u) * cq + q0 + 1u] = b4; }
    }
    if (4u * g0 + 5u < params.cin) {
        out[base + (row0 + 5u) * cq + q0] = a5;
        if (q0 + 1u < cq) { out[base + (row0 + 5u) * cq + q0 + 1u] = b5; }
    }
    if (4u * g0 + 6u < params.cin) {
        out[base + (row0 + 6u) * cq + q0] = a6;
        if (q0 + 1u < cq) { out[base + (row0 + 6u) * cq + q0 + 1u] = b6; }
    }
    if (4u * g0 + 7u < params.cin) {
        out[base + (row0 + 7u) * cq + q0] = a7;
        if (q0 + 1u < cq) { out[base + (row0 + 7u) * cq + q0 + 1u] = b7; }
    }
}
