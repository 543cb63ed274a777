//! `stepwise bench matmul`: GFLOP/s of our WGSL matmul kernels (through wgpu: Mesa's
//! lavapipe when there is no GPU) next to faer's f32 matmul on this CPU, at the shapes the
//! experiments run.
//!
//! The GPU side encodes many dispatches of one bound kernel in one compute pass and times
//! submit-to-idle, so the per-submission overhead is amortized like in a run. faer runs on
//! one thread (`Par::Seq`, as the CPU backends do); lavapipe uses `LP_NUM_THREADS` threads
//! (all cores unless set).

use crate::stdout::say;
use std::time::Instant;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use serde::Serialize;
use stepwise::gpu::kernel::matrix_storage;
use stepwise::gpu::{GpuContext, GpuError, MatmulKernel, MatmulShape};

/// Seconds of work per measurement.
const TARGET_S: f64 = 0.25;
/// Measurements per kernel (the best counts).
const TRIALS: usize = 3;

/// The shapes measured: (what they are, C = A·B shape).
fn shapes() -> Vec<(&'static str, MatmulShape)> {
    vec![
        // linear model, fig1 (m = 1200, d = 10), literal solver: P = W Γ, C = P Wᵀ
        (
            "fig1 P = WΓ (10x1200x1200)",
            MatmulShape::ab(10, 1200, 1200),
        ),
        ("fig1 C = PWᵀ (10x10x1200)", MatmulShape::abt(10, 10, 1200)),
        // MLP, fig2-bt (2n = 200 views, m + 1 = 193 inputs, width + 1 = 2049 hidden)
        (
            "fig2 Z = XW1ᵀ (200x2049x193)",
            MatmulShape::abt(200, 2049, 193),
        ),
        (
            "fig2 dW1 = ΔᵀX (2049x193x200)",
            MatmulShape::atb(2049, 193, 200),
        ),
        ("fig2 F = HW2ᵀ (200x6x2049)", MatmulShape::abt(200, 6, 2049)),
        (
            "fig2 Gram HHᵀ (200x200x2049)",
            MatmulShape::abt(200, 200, 2049),
        ),
        ("square (1024x1024x1024)", MatmulShape::ab(1024, 1024, 1024)),
    ]
}

/// One shape's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct MatmulRow {
    pub label: String,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub wgsl_gflops: f64,
    pub faer_gflops: f64,
    pub adapter: String,
}

/// Measures every shape and prints the table.
pub fn run_all() -> Result<Vec<MatmulRow>, GpuError> {
    let ctx = pollster::block_on(GpuContext::new())?;
    let adapter = format!(
        "{} ({:?})",
        ctx.adapter_info.name, ctx.adapter_info.device_type
    );
    let threads = std::env::var("LP_NUM_THREADS").unwrap_or_else(|_| "default".into());
    say!(
        "matmul, f32: WGSL on {adapter} (LP_NUM_THREADS={threads}) vs faer 0.24 on one \
         thread of this CPU; best of {TRIALS}"
    );
    say!(
        "{:<32} {:>12} {:>12} {:>12}",
        "shape (m x n x k)",
        "WGSL GFLOP/s",
        "faer GFLOP/s",
        "WGSL / faer"
    );
    let kernel = MatmulKernel::new(&ctx.device);
    let mut rows = Vec::new();
    for (label, shape) in shapes() {
        let flops = 2.0 * (shape.m * shape.n * shape.k) as f64;
        let wgsl = flops / time_wgsl(&ctx, &kernel, shape)? / 1e9;
        let faer = flops / time_faer(shape) / 1e9;
        say!(
            "{label:<32} {wgsl:>12.2} {faer:>12.2} {:>12.3}",
            wgsl / faer
        );
        rows.push(MatmulRow {
            label: label.into(),
            m: shape.m,
            n: shape.n,
            k: shape.k,
            wgsl_gflops: wgsl,
            faer_gflops: faer,
            adapter: adapter.clone(),
        });
    }
    Ok(rows)
}

/// A deterministic fill in [−1, 1).
fn fill(len: usize, salt: usize) -> Vec<f32> {
    (0..len)
        .map(|i| (((i * 7919 + salt * 104_729) % 2003) as f32) / 1001.5 - 1.0)
        .collect()
}

/// Seconds per product on the GPU.
fn time_wgsl(ctx: &GpuContext, kernel: &MatmulKernel, shape: MatmulShape) -> Result<f64, GpuError> {
    let (device, queue) = (&ctx.device, &ctx.queue);
    let (ar, ac) = shape.a_dims();
    let (br, bc) = shape.b_dims();
    let a = matrix_storage(device, "bench A", (ar, ac), &fill(ar * ac, 1))?;
    let b = matrix_storage(device, "bench B", (br, bc), &fill(br * bc, 2))?;
    let zeros = vec![0.0; shape.m * shape.n];
    let c = matrix_storage(device, "bench C", (shape.m, shape.n), &zeros)?;
    let binding = kernel.bind(device, "bench", shape, (&a, &b, &c))?;
    let run = |reps: usize| -> Result<f64, GpuError> {
        let started = Instant::now();
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for _ in 0..reps {
                binding.encode(&mut pass);
            }
        }
        queue.submit([encoder.finish()]);
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Poll(e.to_string()))?;
        Ok(started.elapsed().as_secs_f64())
    };
    let once = run(1)?.max(1e-6);
    let reps = ((TARGET_S / once) as usize).clamp(1, 5000);
    let mut best = f64::INFINITY;
    for _ in 0..TRIALS {
        best = best.min(run(reps)? / reps as f64);
    }
    Ok(best)
}

/// Seconds per product with faer on one thread.
fn time_faer(shape: MatmulShape) -> f64 {
    let (ar, ac) = shape.a_dims();
    let (br, bc) = shape.b_dims();
    let (a, b) = (fill(ar * ac, 1), fill(br * bc, 2));
    let a = Mat::from_fn(ar, ac, |i, j| a[i * ac + j]);
    let b = Mat::from_fn(br, bc, |i, j| b[i * bc + j]);
    let mut c = Mat::<f32>::zeros(shape.m, shape.n);
    let mut run = |reps: usize| {
        let started = Instant::now();
        for _ in 0..reps {
            let lhs = if shape.a_transposed {
                a.transpose()
            } else {
                a.as_ref()
            };
            let rhs = if shape.b_transposed {
                b.transpose()
            } else {
                b.as_ref()
            };
            matmul(&mut c, Accum::Replace, lhs, rhs, 1.0, Par::Seq);
        }
        std::hint::black_box(&c);
        started.elapsed().as_secs_f64()
    };
    let once = run(1).max(1e-7);
    let reps = ((TARGET_S / once) as usize).clamp(1, 100_000);
    (0..TRIALS)
        .map(|_| run(reps) / reps as f64)
        .fold(f64::INFINITY, f64::min)
}
