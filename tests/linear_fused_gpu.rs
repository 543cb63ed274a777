//! The fused eigenbasis kernels (`stepwise::gpu::linear_fused`: Barlow Twins, many steps a
//! dispatch; `stepwise::gpu::spectral_fused`: Appendix G's variants with B in the kernel) on
//! lavapipe against their f64 references (`stepwise::gpu::reference`) at awkward sizes (d
//! not a multiple of 4, K odd), and the backend that uses them against the CPU backend over
//! intervals that dispatches of the most steps do not divide.
//!
//! Tolerance: the worst |gpu − f64| over A's (or C's) entries relative to the largest |f64|
//! entry. f32 rounding of one step is ~1e-7 relative; over tens of steps at these η it stays
//! below 1e-5 for Barlow Twins; the variants add the f32 Jacobi's error in B (~1e-5 relative,
//! tests/spectral_update_gpu.rs), hence 1e-4 there.

mod common;
use common::{ctx, values};

use faer::Mat;
use stepwise::experiment::{CpuBackend, LinearBackend};
use stepwise::gpu::linear_fused::{linear_fused_once, LinearFusedParams};
use stepwise::gpu::reference;
use stepwise::gpu::spectral_fused::{spectral_fused_once, SpectralFusedParams};
use stepwise::gpu::{GpuLinearBackend, Operator};
use stepwise::linalg::JACOBI_SWEEPS;
use stepwise::model::spectral::LossVariant;

/// Eigenvalues 2, 2/2, 2/3, ... (K of them).
fn spectrum(k: usize) -> Vec<f32> {
    (0..k).map(|j| 2.0 / (1.0 + j as f32)).collect()
}

/// A(0) with entries in [−scale, scale).
fn start(d: usize, k: usize, scale: f32, seed: u64) -> Vec<f32> {
    values(d * k, seed).iter().map(|v| v * scale).collect()
}

fn worst(gpu: &[f32], exact: &[f64]) -> f64 {
    assert_eq!(gpu.len(), exact.len());
    let top = exact.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-30);
    let err = gpu
        .iter()
        .zip(exact)
        .map(|(g, e)| (f64::from(*g) - e).abs())
        .fold(0.0, f64::max);
    err / top
}

#[test]
fn linear_fused_matches_reference_at_awkward_sizes() {
    let dev = ctx();
    for (d, k) in [(1, 1), (3, 7), (5, 13), (10, 24), (7, 33), (13, 5)] {
        let lambda = spectrum(k);
        let a0 = start(d, k, 0.4, (d * 100 + k) as u64);
        for steps in [0, 1, 37] {
            let (a, c) = pollster::block_on(linear_fused_once(
                &dev.device,
                &dev.queue,
                (d, k, 0.02),
                steps,
                &lambda,
                &a0,
            ))
            .expect("fused kernel");
            let (ra, rc) = reference::linear_fused((d, k, 0.02), steps, &lambda, &a0);
            let (ea, ec) = (worst(&a, &ra), worst(&c, &rc));
            println!("d = {d}, K = {k}, {steps} steps: A {ea:.1e}, C {ec:.1e}");
            assert!(ea < 1e-5 && ec < 1e-5, "d = {d}, K = {k}, {steps} steps");
            for i in 0..d {
                for j in 0..d {
                    assert_eq!(c[i * d + j], c[j * d + i], "C is exactly symmetric");
                }
            }
        }
    }
}

#[test]
fn linear_fused_rejects_what_does_not_fit() {
    assert!(LinearFusedParams::new(10, 1200, 0.1, 1).is_err());
    let most = LinearFusedParams::max_steps(5, 13);
    assert!(LinearFusedParams::new(5, 13, 0.1, most + 1).is_err());
    let dev = ctx();
    let wrong = pollster::block_on(linear_fused_once(
        &dev.device,
        &dev.queue,
        (3, 7, 0.1),
        1,
        &spectrum(6),
        &start(3, 7, 0.1, 1),
    ));
    assert!(wrong.is_err());
}

/// A random symmetric positive definite K x K Σ, row-major.
fn moment(k: usize, seed: u64) -> Vec<f32> {
    let x = values(k * k, seed);
    let mut s = vec![0.0f32; k * k];
    for i in 0..k {
        for j in 0..k {
            s[i * k + j] = (0..k).map(|t| x[i * k + t] * x[j * k + t]).sum::<f32>() / k as f32;
        }
    }
    s
}

#[test]
fn spectral_fused_matches_reference_at_awkward_sizes() {
    let dev = ctx();
    let variants = [
        LossVariant::Sharp,
        LossVariant::Smooth,
        LossVariant::Quartic,
        LossVariant::Precondition,
    ];
    for (d, k) in [(1, 5), (3, 7), (5, 13), (8, 9)] {
        let lambda = spectrum(k);
        // C's eigenvalues away from 0, where sharp's ℓ' is steep
        let a0 = start(d, k, 0.6, (d * 10 + k) as u64);
        let sigma = moment(k, k as u64);
        for variant in variants {
            let most = SpectralFusedParams::max_steps(variant, d, k, JACOBI_SWEEPS);
            let steps = most.min(6);
            assert!(steps >= 1, "{variant:?} at d = {d}, K = {k} is fused");
            let params = SpectralFusedParams::new(variant, (d, k), (0.3, 0.02), steps).unwrap();
            let (a, c) = pollster::block_on(spectral_fused_once(
                &dev.device,
                &dev.queue,
                params,
                &lambda,
                &a0,
                Some(&sigma),
            ))
            .expect("fused variant kernel");
            let (ra, rc) = reference::spectral_fused(
                (variant, 0.3),
                (d, k, 0.02),
                steps,
                (&lambda, &a0, Some(&sigma)),
            )
            .expect("reference");
            let (ea, ec) = (worst(&a, &ra), worst(&c, &rc));
            println!("{variant:?} d = {d}, K = {k}, {steps} steps: A {ea:.1e}, C {ec:.1e}");
            assert!(ea < 1e-4 && ec < 1e-4, "{variant:?} d = {d}, K = {k}");
        }
    }
}

/// The eigenbasis solver on the GPU (fused) and on the CPU from one A(0) (V = I, so W = A).
fn backends(d: usize, k: usize, lr: f32) -> (GpuLinearBackend, CpuBackend) {
    let lambda = spectrum(k);
    let eye: Vec<f32> = (0..k * k)
        .map(|e| if e / k == e % k { 1.0 } else { 0.0 })
        .collect();
    let a0 = start(d, k, 0.05, 7);
    let dev = ctx();
    let op = Operator::Diagonal {
        values: &lambda,
        vectors: &eye,
    };
    let gpu = GpuLinearBackend::with_operator(&dev.device, &dev.queue, (k, d, lr), op, &a0)
        .expect("GPU backend");
    let values64: Vec<f64> = lambda.iter().map(|&v| f64::from(v)).collect();
    let v = Mat::<f64>::identity(k, k);
    let cpu = CpuBackend::eigenbasis(&values64, v.as_ref(), &a0, lr);
    (gpu, cpu)
}

#[test]
fn fused_backend_follows_the_cpu_across_dispatch_boundaries() {
    let (d, k, lr) = (5, 13, 0.02);
    let (mut gpu, mut cpu) = backends(d, k, lr);
    let most = LinearFusedParams::max_steps(d, k);
    let plan = gpu.step_plan();
    assert_eq!((plan.dispatches.len(), plan.steps), (1, most), "fused");
    // whole dispatches, a remainder, a short interval, none
    let intervals = [1, 7, most + 3, 2 * most, 0, 5];
    let many = pollster::block_on(gpu.advance_many(&intervals)).expect("advance_many");
    let mut dispatches = 0;
    for (n, c) in intervals.iter().zip(&many) {
        let exact = pollster::block_on(cpu.advance(*n)).expect("cpu");
        let exact: Vec<f64> = exact.iter().map(|&x| f64::from(x)).collect();
        let err = worst(c, &exact);
        println!("{n} steps: C {err:.1e}");
        assert!(err < 1e-4, "after an interval of {n} steps");
        dispatches += n.div_ceil(most);
    }
    let steps: u32 = intervals.iter().sum();
    let measured = gpu.measured_dispatches_per_step();
    assert!((measured - f64::from(dispatches) / f64::from(steps)).abs() < 1e-12);
    let w = pollster::block_on(gpu.weights()).expect("weights");
    let w_cpu = pollster::block_on(cpu.weights()).expect("cpu weights");
    let w_cpu: Vec<f64> = w_cpu.iter().map(|&x| f64::from(x)).collect();
    assert!(worst(&w, &w_cpu) < 1e-4);
}

#[test]
fn too_large_shapes_keep_three_dispatches_a_step() {
    // d = 33 exceeds the fused kernel's C
    let (gpu, _) = backends(33, 5, 0.01);
    let plan = gpu.step_plan();
    assert_eq!((plan.dispatches.len(), plan.steps), (3, 1));
    assert_eq!(plan.dispatches_per_step(), 3.0);
}
