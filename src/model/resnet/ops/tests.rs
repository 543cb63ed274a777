//! The reference ops against hand-computed cases and finite differences (f64).

use super::*;
use crate::data::rng::Rng;

fn random(len: usize, rng: &mut Rng) -> Vec<f64> {
    (0..len).map(|_| rng.normal()).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Central differences of `f` at `x`, step 1e-6.
fn finite_diff(x: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let h = 1e-6;
    let mut p = x.to_vec();
    (0..x.len())
        .map(|i| {
            p[i] = x[i] + h;
            let up = f(&p);
            p[i] = x[i] - h;
            let down = f(&p);
            p[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// max |a − b| / max |b|.
fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

fn shape3(stride: usize) -> ConvShape {
    ConvShape {
        batch: 1,
        side: 3,
        cin: 1,
        cout: 1,
        k: 3,
        stride,
    }
}

#[test]
fn conv_matches_hand_computed_cases() {
    let x: Vec<f64> = (1..=9).map(f64::from).collect();
    // centre tap 1, right tap 2: y[r, c] = x[r, c] + 2·x[r, c + 1] (zero padding)
    let mut w = vec![0.0; 9];
    w[4] = 1.0;
    w[5] = 2.0;
    let y = conv2d_forward(&shape3(1), &x, &w);
    assert_eq!(y, vec![5.0, 8.0, 3.0, 14.0, 17.0, 6.0, 23.0, 26.0, 9.0]);
    // stride 2: output side (3 + 2 − 3)/2 + 1 = 2, the corners of the stride-1 output
    assert_eq!(
        conv2d_forward(&shape3(2), &x, &w),
        vec![5.0, 3.0, 23.0, 9.0]
    );
    // all-ones kernel: sums of the 3x3 neighbourhood (4 pixels at a corner, all 9 at the centre)
    let y = conv2d_forward(&shape3(1), &x, &[1.0; 9]);
    assert_eq!((y[0], y[4], y[8]), (12.0, 45.0, 28.0));
}

#[test]
fn conv_mixes_channels_by_the_weight_layout() {
    // 1x1 conv, 2 -> 3 channels on a 2x2 image: a matmul per pixel, w[ci, co]
    let s = ConvShape {
        batch: 1,
        side: 2,
        cin: 2,
        cout: 3,
        k: 1,
        stride: 1,
    };
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let w = [1.0, 0.0, -1.0, 10.0, 1.0, 0.5];
    let y = conv2d_forward(&s, &x, &w);
    assert_eq!(&y[..3], &[21.0, 2.0, 0.0]);
    assert_eq!(&y[9..], &[87.0, 8.0, -3.0]);
    assert_eq!(ConvShape::linear(4, 2, 3).output_len(), 12);
}

fn awkward() -> ConvShape {
    ConvShape {
        batch: 2,
        side: 5,
        cin: 3,
        cout: 4,
        k: 3,
        stride: 2,
    }
}

#[test]
fn conv_backward_ops_match_finite_differences() {
    let mut rng = Rng::new(1, 0);
    for s in [
        awkward(),
        ConvShape {
            stride: 1,
            side: 4,
            ..awkward()
        },
        ConvShape { k: 1, ..awkward() },
    ] {
        let x = random(s.input_len(), &mut rng);
        let w = random(s.weight_len(), &mut rng);
        let c = random(s.output_len(), &mut rng);
        let dx = conv2d_backward_input(&s, &c, &w);
        let fd = finite_diff(&x, |x| dot(&conv2d_forward(&s, x, &w), &c));
        assert!(
            rel_err(&dx, &fd) < 1e-8,
            "{s:?}: dx error {}",
            rel_err(&dx, &fd)
        );
        let dw = conv2d_backward_weights(&s, &x, &c);
        let fd = finite_diff(&w, |w| dot(&conv2d_forward(&s, &x, w), &c));
        assert!(
            rel_err(&dw, &fd) < 1e-8,
            "{s:?}: dw error {}",
            rel_err(&dw, &fd)
        );
    }
}

#[test]
fn batchnorm_normalizes_each_channel() {
    let mut rng = Rng::new(2, 0);
    let x: Vec<f64> = random(6 * 4, &mut rng)
        .iter()
        .map(|v| 3.0 * v + 1.0)
        .collect();
    let (y, stats) = batchnorm_forward(&x, 4, &[1.0; 4], &[0.0; 4]);
    for c in 0..4 {
        let col: Vec<f64> = y.iter().skip(c).step_by(4).copied().collect();
        let mean = col.iter().sum::<f64>() / 6.0;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0;
        assert!(mean.abs() < 1e-12);
        // var = σ²/(σ² + eps)
        let sigma2 = 1.0 / stats.inv_std[c].powi(2) - BN_EPS;
        assert!((var - sigma2 / (sigma2 + BN_EPS)).abs() < 1e-12);
    }
    let (shifted, _) = batchnorm_forward(&x, 4, &[2.0; 4], &[0.5; 4]);
    assert!(shifted
        .iter()
        .zip(&y)
        .all(|(s, v)| (s - (2.0 * v + 0.5)).abs() < 1e-12));
}

#[test]
fn batchnorm_backward_matches_finite_differences() {
    let mut rng = Rng::new(3, 0);
    let (rows, ch) = (7, 3);
    let x = random(rows * ch, &mut rng);
    let gamma = random(ch, &mut rng);
    let beta = random(ch, &mut rng);
    let c = random(rows * ch, &mut rng);
    let loss = |x: &[f64], g: &[f64], b: &[f64]| dot(&batchnorm_forward(x, ch, g, b).0, &c);
    let (_, stats) = batchnorm_forward(&x, ch, &gamma, &beta);
    let grads = batchnorm_backward(&x, &gamma, &stats, &c);
    let fd_x = finite_diff(&x, |x| loss(x, &gamma, &beta));
    let fd_g = finite_diff(&gamma, |g| loss(&x, g, &beta));
    let fd_b = finite_diff(&beta, |b| loss(&x, &gamma, b));
    assert!(
        rel_err(&grads.dx, &fd_x) < 1e-7,
        "dx {}",
        rel_err(&grads.dx, &fd_x)
    );
    assert!(rel_err(&grads.dgamma, &fd_g) < 1e-7);
    assert!(rel_err(&grads.dbeta, &fd_b) < 1e-7);
}

#[test]
fn relu_and_pooling_backward_match_finite_differences() {
    let mut rng = Rng::new(4, 0);
    let x = random(3 * 5 * 2, &mut rng);
    let c = random(3 * 2, &mut rng);
    let h = global_avg_pool(&x, 3, 5, 2);
    assert!((h[1] - (0..5).map(|p| x[p * 2 + 1]).sum::<f64>() / 5.0).abs() < 1e-12);
    let dx = global_avg_pool_backward(&c, 3, 5, 2);
    let fd = finite_diff(&x, |x| dot(&global_avg_pool(x, 3, 5, 2), &c));
    assert!(rel_err(&dx, &fd) < 1e-8);
    let c = random(x.len(), &mut rng);
    let y = relu_forward(&x);
    assert!(y.iter().zip(&x).all(|(y, x)| *y == x.max(0.0)));
    let dx = relu_backward(&y, &c);
    let fd = finite_diff(&x, |x| dot(&relu_forward(x), &c));
    assert!(rel_err(&dx, &fd) < 1e-8);
}
