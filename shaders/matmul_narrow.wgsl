// C = A·Bᵀ (entry point `abt_narrow`) in f32 with a 4 x 4 register tile per invocation: the
// small-output companion of `matmul.wgsl` (same parameters, bindings and padded layout; see
// there). `tiles_n` counts vec4 columns here.

struct Params {
    // padded rows of A and C (a multiple of 4)
    m4: u32,
    // vec4s per row of C
    nq: u32,
    // vec4s along K
    kq: u32,
    // tiles per 4-row block of C: vec4 columns
    tiles_n: u32,
    // what `epilogue` does to each stored vec4: 0 nothing, 1 relu, 2 the relu mask,
    // 3 a gradient-descent step
    epilogue: u32,
    // the column that epilogue 2 zeroes (the MLP's constant bias unit)
    frozen: u32,
    // η of epilogue 3
    lr: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;
// epilogue 2's mask source, laid out as C (bound to A when unused)
@group(0) @binding(4) var<storage, read> aux: array<vec4<f32>>;

const WG: u32 = 64u;

// As in matmul.wgsl: the fused epilogue of the vec4 about to be stored at c[o]:
// 0: v itself; 1: relu(v) (the MLP's hidden layer: Z = X̃ W̃1ᵀ and H = relu(Z) in one pass);
// 2: v ⊙ 1[aux[o] > 0] with column `frozen` zeroed (the MLP's backward, aux holding H:
// Δ = (dL/dF W̃2) ⊙ relu'(Z)); 3: c[o] − lr · v, C holding the weights and v their gradient
// (the update w ← w − η g without a gradient buffer or a pass of its own).
fn epilogue(o: u32, v: vec4<f32>) -> vec4<f32> {
    switch params.epilogue {
        case 1u: {
            return max(v, vec4<f32>(0.0));
        }
        case 2u: {
            let col0 = 4u * (o % params.nq);
            let cols = vec4<u32>(col0, col0 + 1u, col0 + 2u, col0 + 3u);
            let keep = (aux[o] > vec4<f32>(0.0)) & (cols != vec4<u32>(params.frozen));
            return select(vec4<f32>(0.0), v, keep);
        }
        case 3u: {
            return fma(vec4<f32>(-params.lr), v, c[o]);
        }
        default: {
            return v;
        }
    }
}

// The flat tile index of this invocation, or an index past the last tile.
fn tile_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.x + gid.y * groups.x * WG;
}

// Row r of C's tile: the dot products of x with b0..b3, added to acc.
fn dots4(acc: vec4<f32>, x: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
    return acc + vec4<f32>(dot(x, b0), dot(x, b1), dot(x, b2), dot(x, b3));
}

// A·Bᵀ: each invocation computes rows i0..i0+3 and columns 4q..4q+3 (one vec4) of C:
// four times the invocations of `matmul.wgsl`'s 8 x 8 tiles, for small outputs over a long k
// (C = P Wᵀ of the linear step: d x d over m), where those would leave most SIMD lanes idle.
@compute @workgroup_size(64)
fn abt_narrow(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let tile = tile_index(gid, groups);
    if (tile >= (params.m4 / 4u) * params.tiles_n) {
        return;
    }
    let kq = params.kq;
    let i0 = (tile / params.tiles_n) * 4u;
    let q = tile % params.tiles_n;
    let r0 = i0 * kq;
    let s0 = 4u * q * kq;
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    for (var kk = 0u; kk < kq; kk++) {
        let b0 = b[s0 + kk];
        let b1 = b[s0 + kq + kk];
        let b2 = b[s0 + 2u * kq + kk];
        let b3 = b[s0 + 3u * kq + kk];
        c0 = dots4(c0, a[r0 + kk], b0, b1, b2, b3);
        c1 = dots4(c1, a[r0 + kq + kk], b0, b1, b2, b3);
        c2 = dots4(c2, a[r0 + 2u * kq + kk], b0, b1, b2, b3);
        c3 = dots4(c3, a[r0 + 3u * kq + kk], b0, b1, b2, b3);
    }
    let nq = params.nq;
    let o = i0 * nq + q;
    c[o] = epilogue(o, c0);
    c[o + nq] = epilogue(o + nq, c1);
    c[o + 2u * nq] = epilogue(o + 2u * nq, c2);
    c[o + 3u * nq] = epilogue(o + 3u * nq, c3);
}
