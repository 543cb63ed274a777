//! The loss-gradient kernels (shaders/loss_grad.wgsl) against the f64 CPU reference
//! (model::ssl_loss) on lavapipe, at sizes that are not multiples of 4 or of the workgroup.
//!
//! Tolerance: 1e-4 of the gradient's largest entry (at least 1e-6: SimCLR's gradient at d = 1
//! is exactly zero, the unit sphere being two points, and both sides return rounding noise). The kernels sum over n ≤ 250 rows (C,
//! covariances) or N ≤ 500 rows (SimCLR) in f32, whose relative rounding is ~N·6e-8 ≈ 3e-5.

use std::sync::OnceLock;

use stepwise::data::rng::Rng;
use stepwise::gpu::{loss_grad_once, GpuContext};
use stepwise::model::ssl_loss::{loss_and_grad, SslLoss};

fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| {
        pollster::block_on(GpuContext::new()).unwrap_or_else(|e| {
            panic!("no GPU adapter: these tests need one (install mesa-vulkan-drivers): {e}")
        })
    })
}

fn embeddings(n: usize, d: usize, scale: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed, 11);
    // correlated twins, as in a training run
    let z: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
    let mut f = vec![0.0f32; 2 * n * d];
    for i in 0..n * d {
        f[i] = (scale * z[i]) as f32;
        f[n * d + i] = (scale * (z[i] + 0.3 * rng.normal())) as f32;
    }
    f
}

#[test]
fn loss_gradients_match_the_cpu_reference() {
    let c = ctx();
    let losses = [
        (SslLoss::BarlowTwins, 1e-3),
        (SslLoss::BarlowTwins, 0.7),
        (SslLoss::VicReg, 0.5),
        (SslLoss::VicReg, 2.0),
        (SslLoss::SimClr { temperature: 0.2 }, 1.0),
        (SslLoss::SimClr { temperature: 0.5 }, 1e-3),
    ];
    for (loss, scale) in losses {
        let mut worst: f64 = 0.0;
        for (n, d) in [(2, 1), (5, 3), (37, 7), (130, 10), (250, 17), (65, 32)] {
            let f = embeddings(n, d, scale, (n * d) as u64);
            let f64s: Vec<f64> = f.iter().map(|v| f64::from(*v)).collect();
            let want = loss_and_grad(loss, &f64s, n, d).grad;
            let got = pollster::block_on(loss_grad_once(&c.device, &c.queue, loss, n, d, &f))
                .unwrap_or_else(|e| panic!("{loss:?} n={n} d={d}: {e}"));
            let top = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let err = got
                .iter()
                .zip(&want)
                .fold(0.0f64, |m, (g, w)| m.max((f64::from(*g) - w).abs()));
            let rel = err / top.max(1e-6);
            assert!(rel <= 1e-4, "{loss:?} scale {scale} n={n} d={d}: {rel:.2e}");
            worst = worst.max(rel);
        }
        eprintln!("{loss:?} at scale {scale}: worst |ΔG| / max|G| = {worst:.2e}");
    }
}

#[test]
fn too_large_an_embedding_is_an_error() {
    let c = ctx();
    let f = vec![0.0f32; 2 * 4 * 33];
    let r = pollster::block_on(loss_grad_once(
        &c.device,
        &c.queue,
        SslLoss::BarlowTwins,
        4,
        33,
        &f,
    ));
    assert!(r.is_err());
}
