//! The fast path against the naive reference ops (f32), and its speed (ignored benchmark).

use std::time::Instant;

use super::ops::ConvShape;
use super::tests::{default_shape, random_views};
use super::*;
use crate::data::rng::Rng;

fn random(len: usize, rng: &mut Rng) -> Vec<f32> {
    (0..len).map(|_| rng.normal() as f32).collect()
}

/// ‖a − b‖ / ‖b‖.
fn rel_err(a: &[f32], b: &[f32]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| f64::from(x - y).powi(2)).sum();
    let norm: f64 = b.iter().map(|y| f64::from(*y).powi(2)).sum();
    (diff / norm).sqrt()
}

/// Relative error allowed between two f32 evaluations of the same sums (different order).
const F32_TOL: f64 = 1e-5;

#[test]
fn fast_convs_equal_the_reference_ops() {
    let base = ConvShape {
        batch: 3,
        side: 7,
        cin: 5,
        cout: 6,
        k: 3,
        stride: 1,
    };
    let shapes = [
        base,
        ConvShape { stride: 2, ..base },
        ConvShape {
            k: 1,
            stride: 2,
            ..base
        },
        ConvShape::linear(9, 7, 4),
        // two chunks: 12 images of 12·12 rows x 144 columns fill one
        ConvShape {
            batch: 13,
            side: 12,
            cin: 16,
            cout: 8,
            k: 3,
            stride: 1,
        },
    ];
    let mut rng = Rng::new(5, 0);
    let mut fast = Fast::default();
    for s in shapes {
        let x = random(s.input_len(), &mut rng);
        let w = random(s.weight_len(), &mut rng);
        let dy = random(s.output_len(), &mut rng);
        let mut y = vec![f32::NAN; s.output_len()];
        fast.forward(&s, &x, &w, &mut y);
        assert!(
            rel_err(&y, &ops::conv2d_forward(&s, &x, &w)) < F32_TOL,
            "{s:?}"
        );
        let mut dx = vec![f32::NAN; s.input_len()];
        fast.backward_input(&s, &dy, &w, &mut dx);
        assert!(
            rel_err(&dx, &ops::conv2d_backward_input(&s, &dy, &w)) < F32_TOL,
            "{s:?}"
        );
        let mut dw = vec![f32::NAN; s.weight_len()];
        fast.backward_weights(&s, &x, &dy, &mut dw);
        assert!(
            rel_err(&dw, &ops::conv2d_backward_weights(&s, &x, &dy)) < F32_TOL,
            "{s:?}"
        );
    }
}

#[test]
fn fast_network_equals_the_naive_network() {
    let shape = ResNetShape {
        side: 9,
        channels: vec![4, 6, 8],
        blocks: 2,
        projector: vec![10],
        d: 3,
        batchnorm: true,
    };
    for batchnorm in [true, false] {
        let shape = ResNetShape {
            batchnorm,
            ..shape.clone()
        };
        let params = init(&shape, &InitScales::standard(&shape), 7);
        let views = random_views(&shape, 6, 8);
        let naive = forward_with(&shape, &params, &views, 6, &mut Naive);
        let tape = forward(&shape, &params, &views, 6);
        assert!(rel_err(tape.embeddings(), naive.embeddings()) < 1e-4);
        assert!(rel_err(tape.hidden(), naive.hidden()) < 1e-4);
        let c = random(6 * shape.d, &mut Rng::new(9, 0));
        let g_naive = backward_with(&shape, &params, &naive, &c, &mut Naive);
        let g = backward(&shape, &params, &tape, &c);
        let err = rel_err(&g, &g_naive);
        assert!(err < 1e-4, "batchnorm {batchnorm}: gradient error {err:e}");
    }
}

#[test]
fn workspace_steps_reuse_their_buffers_and_equal_the_plain_path() {
    let shape = ResNetShape {
        side: 8,
        channels: vec![4, 6],
        blocks: 1,
        projector: vec![5],
        d: 3,
        batchnorm: true,
    };
    let params = init(&shape, &InitScales::standard(&shape), 1);
    let c = random(5 * shape.d, &mut Rng::new(2, 0));
    let mut ws = Workspace::default();
    let mut grads = vec![f32::NAN; params.len()];
    let mut allocations = Vec::new();
    for step in 0..3 {
        let views = random_views(&shape, 5, step);
        let tape = ws.forward(&shape, &params, &views, 5);
        let plain = forward(&shape, &params, &views, 5);
        assert_eq!(tape, plain, "step {step}");
        ws.backward(&shape, &params, tape, &c, &mut grads);
        assert_eq!(grads, backward(&shape, &params, &plain, &c), "step {step}");
        allocations.push(ws.allocations());
    }
    assert!(allocations[0] > 0);
    assert!(ws.held_floats() >= shape.activation_floats(5));
    assert!(
        ws.held_floats() <= shape.workspace_floats(5),
        "{}",
        ws.held_floats()
    );
    assert_eq!(
        (allocations[1], allocations[2]),
        (allocations[0], allocations[0])
    );
}

#[test]
fn features_equal_the_tape_and_hold_less() {
    let shape = ResNetShape {
        side: 10,
        channels: vec![4, 6, 8],
        blocks: 2,
        projector: vec![7, 5],
        d: 3,
        batchnorm: true,
    };
    let params = init(&shape, &InitScales::standard(&shape), 4);
    let views = random_views(&shape, 6, 5);
    let tape = forward(&shape, &params, &views, 6);
    let mut ws = Workspace::default();
    let (hidden, embeddings) = ws.features(&shape, &params, &views, 6);
    assert_eq!(
        (hidden.as_slice(), embeddings.as_slice()),
        (tape.hidden(), tape.embeddings())
    );
    // what stayed in the pool: the few activations one block needs at once, under the tape
    let held = ws.held_floats();
    assert!(held <= 6 * shape.largest_layer_floats(6), "{held}");
    assert!(held < shape.activation_floats(6) / 2, "{held}");
}

/// Times `steps` forward + backward passes of `views` views; prints ms/step and GFLOP/s.
fn bench(shape: &ResNetShape, views: usize, steps: usize) {
    let params = init(shape, &InitScales::standard(shape), 1);
    let x = random_views(shape, views, 2);
    let c = random(views * shape.d, &mut Rng::new(3, 0));
    let mut ws = Workspace::default();
    let mut grads = vec![0.0; params.len()];
    let tape = ws.forward(shape, &params, &x, views);
    ws.backward(shape, &params, tape, &c, &mut grads);
    let start = Instant::now();
    for _ in 0..steps {
        let tape = ws.forward(shape, &params, &x, views);
        ws.backward(shape, &params, tape, &c, &mut grads);
        std::hint::black_box(&grads);
    }
    let secs = start.elapsed().as_secs_f64() / steps as f64;
    let extra = ws.held_floats() - shape.activation_floats(views);
    let largest = shape.largest_layer_floats(views) as f64;
    println!(
        "held {} floats = activations {} + {:.2} x the largest layer",
        ws.held_floats(),
        shape.activation_floats(views),
        extra as f64 / largest
    );
    let gflops = (shape.flops_per_view() * views * 3) as f64 / secs / 1e9;
    println!(
        "{shape:?}, {views} views: {:.1} ms/step, {gflops:.2} GFLOP/s",
        secs * 1e3
    );
}

/// `cargo test --release --lib model::resnet -- --ignored --nocapture`
#[test]
#[ignore = "benchmark"]
fn bench_training_step() {
    bench(&default_shape(), 128, 3);
    let small = ResNetShape {
        side: 12,
        channels: vec![8, 16, 32],
        blocks: 1,
        projector: vec![64],
        d: 6,
        batchnorm: true,
    };
    bench(&small, 128, 10);
}
