//! The GPU gradients of the SSL losses (`stepwise::gpu::loss_grad`) against the f64 CPU
//! reference (`stepwise::model::ssl_loss`).
//!
//! No test here is skipped: without a GPU adapter (CI installs Mesa's lavapipe) every test
//! fails with a message saying so.
//!
//! Tolerance: the worst |gpu − f64| over all entries, divided by the largest |entry| of the
//! f64 gradient, must stay below 1e-4 (f32 sums of up to ~8000 terms; SimCLR's exponentials
//! amplify rounding in s_ij by up to 1/τ). Where the exact gradient vanishes (SimCLR at
//! d = 1, where every row is its own direction) the absolute worst is held to 1e-4 instead.
//! Each test prints its measured worst ratio.
//!
//! The largest sizes matter: lavapipe stops a shader invocation after 65535 loop iterations
//! in total without an error, which only shows at large n (see `loss_grad::MAX_PAIRS`).

mod common;
use common::{ctx, values};

use stepwise::gpu::loss_grad::MAX_PAIRS;
use stepwise::gpu::{loss_grad_once, GpuContext, GpuError, LossGrad};
use stepwise::model::ssl_loss::{loss_and_grad, SslLoss};

/// Worst |gpu − exact| allowed, relative to the largest |exact| entry.
const TOLERANCE: f64 = 1e-4;

/// A 2n x d F: uniform entries times `scale(column)`, Z' a perturbed copy of Z (as two views
/// of the same inputs would be).
fn embedding(n: usize, d: usize, seed: u64, scale: impl Fn(usize) -> f32) -> Vec<f32> {
    let z = values(n * d, seed);
    let noise = values(n * d, seed + 1000);
    let zp = z.iter().zip(&noise).map(|(a, b)| a + 0.3 * b);
    z.iter()
        .copied()
        .chain(zp)
        .enumerate()
        .map(|(e, x)| x * scale(e % d))
        .collect()
}

/// max |gpu − exact| / max |exact| for one loss and F; the GPU gradient of `f` is also
/// checked to be finite.
fn worst_ratio(loss: SslLoss, n: usize, d: usize, f: &[f32]) -> f64 {
    let c = ctx();
    let gpu = pollster::block_on(loss_grad_once(&c.device, &c.queue, loss, n, d, f))
        .unwrap_or_else(|e| panic!("{loss:?} at n = {n}, d = {d}: {e}"));
    let f64s: Vec<f64> = f.iter().map(|&x| f64::from(x)).collect();
    let exact = loss_and_grad(loss, &f64s, n, d).grad;
    assert_eq!(gpu.len(), exact.len());
    let largest = exact.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let worst = gpu
        .iter()
        .zip(&exact)
        .map(|(g, e)| (f64::from(*g) - e).abs())
        .fold(0.0f64, f64::max);
    if largest < 1e-12 {
        worst
    } else {
        worst / largest
    }
}

/// Checks `loss` at every size, F from `make(n, d, seed)`; prints and returns the worst ratio.
fn check(loss: SslLoss, sizes: &[(usize, usize)], make: impl Fn(usize, usize, u64) -> Vec<f32>) {
    let mut worst: f64 = 0.0;
    for (s, &(n, d)) in sizes.iter().enumerate() {
        let ratio = worst_ratio(loss, n, d, &make(n, d, s as u64 + 1));
        assert!(
            ratio < TOLERANCE,
            "{loss:?} at n = {n}, d = {d}: worst/max {ratio:.2e}"
        );
        worst = worst.max(ratio);
    }
    eprintln!("{loss:?}: worst |gpu − f64| / max |grad| = {worst:.2e}");
}

/// n not a multiple of 4 or 64, d not a multiple of 4, and the largest d.
const SIZES: [(usize, usize); 6] = [(2, 1), (5, 3), (37, 7), (130, 10), (250, 17), (1030, 32)];

/// The largest n the kernels accept (`MAX_PAIRS`), at the largest d: one workgroup's
/// invocations loop longest here.
const LARGEST: [(usize, usize); 2] = [(8192, 32), (8191, 29)];

#[test]
fn barlow_twins_matches_cpu_at_small_init() {
    let small = |n, d, s| embedding(n, d, s, |_| 1e-3);
    check(SslLoss::BarlowTwins, &[(1, 1)], small);
    check(SslLoss::BarlowTwins, &SIZES, small);
    check(SslLoss::BarlowTwins, &LARGEST, small);
}

#[test]
fn barlow_twins_matches_cpu_near_the_whitened_end() {
    // entries of variance ~0.65 (and Z' ≈ Z): C is comparable to I, not dominated by −I
    check(SslLoss::BarlowTwins, &SIZES, |n, d, s| {
        embedding(n, d, s, |_| 1.4)
    });
}

#[test]
fn simclr_matches_cpu() {
    for temperature in [0.1, 0.5] {
        check(SslLoss::SimClr { temperature }, &SIZES, |n, d, s| {
            embedding(n, d, s, |j| 0.5 + 0.25 * j as f32)
        });
    }
}

/// N = 4096 views: the gradient kernel's invocations loop N times, the log-sum-exp's 2N.
#[test]
fn simclr_matches_cpu_at_n_2048() {
    let temperature = 0.2;
    check(SslLoss::SimClr { temperature }, &[(2048, 32)], |n, d, s| {
        embedding(n, d, s, |j| 0.5 + 0.25 * j as f32)
    });
}

#[test]
fn vicreg_matches_cpu() {
    // column stds on both sides of 1, so the variance hinge is active for some columns
    let make = |n, d, s| embedding(n, d, s, |j| [0.4, 3.0, 1.0][j % 3]);
    check(SslLoss::VicReg, &SIZES[1..], make);
    check(SslLoss::VicReg, &LARGEST, make);
}

/// The kernels write zeros into the gradient's padding (later products rely on it) and give
/// the same result when encoded twice in one pass.
#[test]
fn padding_is_zeroed_and_encoding_repeats() {
    let c = ctx();
    let (n, d) = (5, 3);
    let (rows4, stride) = (12, 4);
    let f = embedding(n, d, 7, |_| 1.0);
    let mut padded = vec![0.0f32; rows4 * stride];
    for (e, x) in f.iter().enumerate() {
        padded[(e / d) * stride + e % d] = *x;
    }
    for loss in [
        SslLoss::BarlowTwins,
        SslLoss::SimClr { temperature: 0.2 },
        SslLoss::VicReg,
    ] {
        let f_buf = buffer(&c.device, "test F", &padded);
        let grad = buffer(&c.device, "test grad", &vec![7.0; rows4 * stride]);
        let lg = LossGrad::new(&c.device, loss, n, d, &f_buf, &grad)
            .unwrap_or_else(|e| panic!("{loss:?}: {e}"));
        let out = run_and_read(c, &grad, |pass| {
            lg.encode(pass);
            lg.encode(pass);
        });
        for (e, g) in out.iter().enumerate() {
            let (r, j) = (e / stride, e % stride);
            if r >= 2 * n || j >= d {
                assert_eq!(*g, 0.0, "{loss:?}: padding ({r}, {j})");
            } else {
                assert!(g.is_finite() && *g != 7.0, "{loss:?}: ({r}, {j}) = {g}");
            }
        }
    }
}

#[test]
fn bad_shapes_are_errors_not_panics() {
    let c = ctx();
    let run = |loss, n: usize, d: usize| {
        let f = values(2 * n * d, 3);
        pollster::block_on(loss_grad_once(&c.device, &c.queue, loss, n, d, &f))
    };
    for loss in [
        SslLoss::BarlowTwins,
        SslLoss::SimClr { temperature: 0.2 },
        SslLoss::VicReg,
    ] {
        let e = run(loss, 10, 33).expect_err("d = 33 must be rejected");
        assert!(matches!(e, GpuError::Shape(_)), "{loss:?}: {e}");
        assert!(e.to_string().contains("d must be between 1 and 32"), "{e}");
        assert!(
            matches!(run(loss, 0, 3), Err(GpuError::Shape(_))),
            "{loss:?} at n = 0"
        );
        let too_many = run(loss, MAX_PAIRS + 1, 1);
        assert!(matches!(too_many, Err(GpuError::Shape(_))), "{loss:?}");
    }
    assert!(matches!(
        run(SslLoss::VicReg, 1, 3),
        Err(GpuError::Shape(_))
    ));
    let bad_tau = SslLoss::SimClr { temperature: 0.0 };
    assert!(matches!(run(bad_tau, 4, 3), Err(GpuError::Shape(_))));
    let wrong_len = loss_grad_once(&c.device, &c.queue, SslLoss::VicReg, 4, 3, &[0.0; 5]);
    assert!(matches!(
        pollster::block_on(wrong_len),
        Err(GpuError::Shape(_))
    ));
    let (small, big) = (
        buffer(&c.device, "too small", &[0.0; 4]),
        buffer(&c.device, "big", &[0.0; 48]),
    );
    let new = |f, g| LossGrad::new(&c.device, SslLoss::BarlowTwins, 5, 3, f, g);
    assert!(
        matches!(new(&small, &big), Err(GpuError::Shape(_))),
        "F too small"
    );
    assert!(
        matches!(new(&big, &small), Err(GpuError::Shape(_))),
        "gradient too small"
    );
    assert!(
        matches!(new(&big, &big), Err(GpuError::Shape(_))),
        "F aliases the gradient"
    );
    assert!(new(&big, &buffer(&c.device, "big 2", &[0.0; 48])).is_ok());
}

fn buffer(device: &wgpu::Device, label: &str, data: &[f32]) -> wgpu::Buffer {
    use wgpu::util::DeviceExt;
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: bytemuck::cast_slice(data),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    })
}

/// Encodes `record` into one compute pass, submits, and reads `out` back.
fn run_and_read(
    c: &GpuContext,
    out: &wgpu::Buffer,
    record: impl FnOnce(&mut wgpu::ComputePass<'_>),
) -> Vec<f32> {
    let staging = c.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("test staging"),
        size: out.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = c.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        record(&mut pass);
    }
    encoder.copy_buffer_to_buffer(out, 0, &staging, 0, out.size());
    c.queue.submit([encoder.finish()]);
    staging.map_async(wgpu::MapMode::Read, .., |r| r.expect("map failed"));
    c.device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("poll failed");
    let view = staging.get_mapped_range(..).expect("mapped range");
    bytemuck::pod_collect_to_vec(&view)
}
