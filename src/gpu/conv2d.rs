//! `shaders/conv2d.wgsl`: the ResNet's bias-free convolutions (docs/deep.md §1) as implicit
//! GEMMs on NHWC activations, forward and both backward products; weights and their
//! gradient live in the flat parameter and gradient buffers at an offset. Convs whose
//! channel counts and weight offset are multiples of 4 run on the vec4 tiles of
//! `shaders/conv2d_vec4.wgsl` instead ([`ConvParams::vec4`]), except in the
//! [`ConvStyle::Compact`] style (SwiftShader, see [`ConvStyle`]).

use super::context::GpuError;
use super::kernel::{self, checked_storage, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/conv2d.wgsl");
const VEC4: &str = include_str!("../../shaders/conv2d_vec4.wgsl");

/// Output pixels per chunk of the weight gradient (the loop length of one invocation).
pub const CHUNK: usize = 1024;
/// Bound on the chunks of the weight gradient (the loop length of `sum_chunks`).
pub const MAX_CHUNKS: usize = 16384;
/// Bound on K·K·C (either channel count): the per-invocation loop of `forward` and
/// `backward_input` runs K·K·C times with 8 inner steps each, far below lavapipe's ~65k.
pub const MAX_TAPS: usize = 4096;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ConvParams {
    pub batch: u32,
    pub side: u32,
    pub cin: u32,
    pub cout: u32,
    pub k: u32,
    pub stride: u32,
    pub pad: u32,
    pub out_side: u32,
    /// Offset of the weights in the parameter buffer.
    pub w_off: u32,
    /// Offset of dW in the gradient buffer.
    pub g_off: u32,
    /// Output pixels per chunk of the weight gradient.
    pub chunk: u32,
    pub chunks: u32,
}

impl ConvParams {
    /// A K x K convolution with stride `stride` and padding K/2 over `batch` images of
    /// `side` x `side` x `cin`, weights at `w_off`, dW written at `g_off`.
    pub fn new(
        (batch, side, cin, cout): (usize, usize, usize, usize),
        (k, stride): (usize, usize),
        (w_off, g_off): (usize, usize),
    ) -> Result<Self, GpuError> {
        let bad = |why: &str| {
            GpuError::Shape(format!(
                "conv {k}x{k}/{stride} of {batch} x {side}² x {cin} -> {cout}: {why}"
            ))
        };
        if batch == 0 || side == 0 || cin == 0 || cout == 0 || k == 0 || stride == 0 {
            return Err(bad("a size is zero"));
        }
        let pad = k / 2;
        if side + 2 * pad < k {
            return Err(bad("the kernel is larger than the padded image"));
        }
        if k * k * cin.max(cout) > MAX_TAPS {
            return Err(bad(&format!("K·K·C exceeds {MAX_TAPS}")));
        }
        let out_side = (side + 2 * pad - k) / stride + 1;
        let pixels = batch * side.max(out_side).pow(2);
        let chunks = (batch * out_side * out_side).div_ceil(CHUNK);
        if chunks > MAX_CHUNKS {
            return Err(bad(&format!(
                "more than {MAX_CHUNKS} chunks of output pixels"
            )));
        }
        let weights = k * k * cin * cout;
        let biggest = (pixels * cin.max(cout))
            .max(w_off.max(g_off) + weights)
            .max(chunks * weights);
        if biggest > u32::MAX as usize / 2 {
            return Err(bad("exceeds u32 indexing"));
        }
        let u = |v: usize| v as u32;
        Ok(Self {
            batch: u(batch),
            side: u(side),
            cin: u(cin),
            cout: u(cout),
            k: u(k),
            stride: u(stride),
            pad: u(pad),
            out_side: u(out_side),
            w_off: u(w_off),
            g_off: u(g_off),
            chunk: u(CHUNK),
            chunks: u(chunks),
        })
    }

    fn usize(v: u32) -> usize {
        v as usize
    }

    /// Floats of the input (batch x side² x cin).
    pub fn input_len(&self) -> usize {
        Self::usize(self.batch * self.side * self.side * self.cin)
    }

    /// Floats of the output (batch x out_side² x cout).
    pub fn output_len(&self) -> usize {
        Self::usize(self.batch * self.out_side * self.out_side * self.cout)
    }

    /// Floats of the weights (K·K·cin x cout).
    pub fn weights_len(&self) -> usize {
        Self::usize(self.k * self.k * self.cin * self.cout)
    }

    /// Floats of the partial sums of dW.
    pub fn partial_len(&self) -> usize {
        Self::usize(self.chunks) * self.weights_len()
    }

    /// Multiply-adds of the forward product.
    pub fn macs(&self) -> u64 {
        (self.output_len() as u64) * u64::from(self.k * self.k * self.cin)
    }

    /// Whether the vec4 kernels apply: Cin, Cout and the weight offset multiples of 4.
    pub fn vec4(&self) -> bool {
        self.cin.is_multiple_of(4) && self.cout.is_multiple_of(4) && self.w_off.is_multiple_of(4)
    }

    /// Invocations over `rows` rows and `cols` columns: 8 rows by 4 columns (scalar
    /// kernels) or 8 rows by 8 columns (vec4 kernels).
    fn tiles(&self, rows: usize, cols: u32, vec4: bool) -> u64 {
        let width = if vec4 { 8 } else { 4 };
        rows.div_ceil(8) as u64 * u64::from(cols.div_ceil(width))
    }

    /// Invocations of the weight gradient's partial sums.
    fn weight_tiles(&self, vec4: bool) -> u64 {
        let chunks = u64::from(self.chunks);
        if vec4 {
            let taps = u64::from(self.k * self.k);
            chunks * taps * u64::from(self.cin.div_ceil(8)) * u64::from(self.cout.div_ceil(8))
        } else {
            chunks * self.tiles(self.weights_len() / self.cout as usize, self.cout, false)
        }
    }
}

/// Which kernels a [`ConvKernel`] compiles.
///
/// `Unrolled`: register tiles written out by hand (fastest on lavapipe, README
/// "Performance"), vec4 kernels where [`ConvParams::vec4`]. `Compact`: the scalar kernels
/// only, the forward one looping over its 8 rows (`forward_compact`). SwiftShader (Chromium's
/// CPU WebGPU) compiles each pipeline with LLVM when it is created, and the unrolled tiles'
/// long straight-line bodies took it 13–23 s each (vec4 `backward_input` never finished: the
/// GPU process was lost after minutes) against 20–40 ms for the loops (measured with
/// `createComputePipelineAsync` in headless Chromium 156 on this machine; docs/deep.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvStyle {
    Unrolled,
    Compact,
}

impl ConvStyle {
    /// The style for `adapter`: `Compact` for a browser's fallback (CPU) adapter, i.e.
    /// SwiftShader, or an adapter named so; `Unrolled` elsewhere (lavapipe, hardware).
    pub fn for_adapter(adapter: &wgpu::AdapterInfo) -> Self {
        let browser_cpu = adapter.backend == wgpu::Backend::BrowserWebGpu
            && adapter.device_type == wgpu::DeviceType::Cpu;
        if browser_cpu || adapter.name.to_ascii_lowercase().contains("swiftshader") {
            Self::Compact
        } else {
            Self::Unrolled
        }
    }
}

/// The vec4 pipelines of the `Unrolled` style.
struct Vec4Kernels {
    forward: Kernel,
    backward_input: Kernel,
    backward_weights: Kernel,
}

/// The compiled pipelines.
pub struct ConvKernel {
    forward: Kernel,
    backward_input: Kernel,
    backward_weights: Kernel,
    sum_chunks: Kernel,
    vec4: Option<Vec4Kernels>,
}

impl ConvKernel {
    pub fn new(device: &wgpu::Device, style: ConvStyle) -> Self {
        let forward = match style {
            ConvStyle::Unrolled => "forward",
            ConvStyle::Compact => "forward_compact",
        };
        let vec4 = (style == ConvStyle::Unrolled).then(|| Vec4Kernels {
            forward: Kernel::new(device, "conv forward (vec4)", VEC4, "forward"),
            backward_input: Kernel::new(device, "conv dX (vec4)", VEC4, "backward_input"),
            backward_weights: Kernel::new(device, "conv dW (vec4)", VEC4, "backward_weights"),
        });
        Self {
            forward: Kernel::new(device, "conv forward", SHADER, forward),
            backward_input: Kernel::new(device, "conv dX", SHADER, "backward_input"),
            backward_weights: Kernel::new(device, "conv dW", SHADER, "backward_weights"),
            sum_chunks: Kernel::new(device, "conv dW sum", SHADER, "sum_chunks"),
            vec4,
        }
    }

    /// The vec4 kernels, when compiled and `p` fits them.
    fn vec4_for(&self, p: &ConvParams) -> Option<&Vec4Kernels> {
        self.vec4.as_ref().filter(|_| p.vec4())
    }

    /// Binds y = conv(x) with the weights in `params_buf`.
    pub fn bind_forward(
        &self,
        device: &wgpu::Device,
        p: ConvParams,
        (x, params_buf, y): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let pixels = p.output_len() / p.cout as usize;
        let v4 = self.vec4_for(&p);
        let tiles = p.tiles(pixels, p.cout, v4.is_some());
        let kernel = v4.map_or(&self.forward, |k| &k.forward);
        kernel.bind(device, "conv forward", &p, (x, params_buf, y), tiles)
    }

    /// Binds dx = dy ⋆ w (the gradient with respect to the input).
    pub fn bind_backward_input(
        &self,
        device: &wgpu::Device,
        p: ConvParams,
        (dy, params_buf, dx): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let pixels = p.input_len() / p.cin as usize;
        let v4 = self.vec4_for(&p);
        let tiles = p.tiles(pixels, p.cin, v4.is_some());
        let kernel = v4.map_or(&self.backward_input, |k| &k.backward_input);
        kernel.bind(device, "conv dX", &p, (dy, params_buf, dx), tiles)
    }

    /// Binds dW into `grad` at `g_off`: partial sums per chunk into `partial` (at least
    /// [`ConvParams::partial_len`] floats), then their sum. Two dispatches.
    pub fn bind_backward_weights(
        &self,
        device: &wgpu::Device,
        p: ConvParams,
        (x, dy): (&wgpu::Buffer, &wgpu::Buffer),
        (partial, grad): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<[Binding; 2], GpuError> {
        let len = p.weights_len() as u64;
        let v4 = self.vec4_for(&p);
        let partials = v4.map_or(&self.backward_weights, |k| &k.backward_weights);
        let tiles = p.weight_tiles(v4.is_some());
        Ok([
            partials.bind(device, "conv dW", &p, (x, dy, partial), tiles)?,
            self.sum_chunks
                .bind(device, "conv dW sum", &p, (partial, partial, grad), len)?,
        ])
    }
}

/// What [`conv_once`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvPass {
    /// y from x (`data` = x).
    Forward,
    /// dx from dy (`data` = dy).
    BackwardInput,
    /// dW from x and dy (`data` = x, `dy` given).
    BackwardWeights,
}

/// Runs one pass once, with the kernels of `style`, on row-major NHWC data with weights `w`
/// ([K·K·cin, cout]) and reads the result back (tests, benchmarks).
pub async fn conv_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (p, pass, style): (ConvParams, ConvPass, ConvStyle),
    w: &[f32],
    data: &[f32],
    dy: Option<&[f32]>,
) -> Result<Vec<f32>, GpuError> {
    let wrong = || GpuError::Shape("conv: operands have wrong lengths".into());
    let p = ConvParams {
        w_off: 0,
        g_off: 0,
        ..p
    };
    if w.len() != p.weights_len() {
        return Err(wrong());
    }
    let kernel = ConvKernel::new(device, style);
    match pass {
        ConvPass::Forward | ConvPass::BackwardInput => {
            let (in_len, out_len) = match pass {
                ConvPass::Forward => (p.input_len(), p.output_len()),
                _ => (p.output_len(), p.input_len()),
            };
            if data.len() != in_len {
                return Err(wrong());
            }
            kernel::run_once(device, queue, out_len, || {
                let src = checked_storage(device, "conv src", data)?;
                let w = checked_storage(device, "conv weights", w)?;
                let out = checked_storage(device, "conv out", &vec![0.0; out_len])?;
                let binding = if pass == ConvPass::Forward {
                    kernel.bind_forward(device, p, (&src, &w, &out))?
                } else {
                    kernel.bind_backward_input(device, p, (&src, &w, &out))?
                };
                Ok((binding, out))
            })
            .await
        }
        ConvPass::BackwardWeights => {
            let dy = dy.ok_or_else(wrong)?;
            if data.len() != p.input_len() || dy.len() != p.output_len() {
                return Err(wrong());
            }
            kernel::run_sequence(device, queue, p.weights_len(), || {
                let x = checked_storage(device, "conv x", data)?;
                let dy = checked_storage(device, "conv dy", dy)?;
                let partial = checked_storage(device, "conv partial", &vec![0.0; p.partial_len()])?;
                let grad = checked_storage(device, "conv dW", &vec![0.0; p.weights_len()])?;
                let bindings =
                    kernel.bind_backward_weights(device, p, (&x, &dy), (&partial, &grad))?;
                Ok((bindings.into(), grad))
            })
            .await
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<ConvParams>(SHADER, "Params", 12);
        crate::gpu::layout_check::assert_uniform_matches::<ConvParams>(VEC4, "Params", 12);
    }

    #[test]
    fn params_give_the_output_side_and_reject_bad_shapes() {
        let p = ConvParams::new((3, 9, 5, 13), (3, 2), (0, 0)).unwrap();
        assert_eq!((p.out_side, p.pad, p.chunks), (5, 1, 1));
        assert_eq!(p.output_len(), 3 * 25 * 13);
        let one = ConvParams::new((2, 7, 3, 4), (1, 2), (0, 0)).unwrap();
        assert_eq!((one.out_side, one.pad), (4, 0));
        assert!(ConvParams::new((0, 9, 5, 13), (3, 1), (0, 0)).is_err());
        let many = 4 * (MAX_CHUNKS * CHUNK / 4 + 1);
        assert!(ConvParams::new((many, 1, 3, 4), (1, 1), (0, 0)).is_err());
        assert!(ConvParams::new((1, 9, 5000, 13), (3, 1), (0, 0)).is_err());
        let big = ConvParams::new((3, 24, 3, 16), (3, 1), (0, 0)).unwrap();
        assert_eq!(big.chunks as usize, (3 * 24 * 24usize).div_ceil(CHUNK));
        assert!(!big.vec4());
        assert!(ConvParams::new((3, 9, 4, 12), (3, 2), (8, 8))
            .unwrap()
            .vec4());
        assert!(!ConvParams::new((3, 9, 4, 12), (3, 2), (6, 6))
            .unwrap()
            .vec4());
    }
}
