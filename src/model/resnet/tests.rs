//! The whole network: layout, sizes, and its gradient against finite differences (f64).

use super::*;
use crate::data::rng::Rng;

fn tiny(side: usize, blocks: usize, batchnorm: bool) -> ResNetShape {
    ResNetShape {
        side,
        channels: vec![3, 5],
        blocks,
        projector: vec![6],
        d: 3,
        batchnorm,
    }
}

/// The `resnet-*` presets' default shape.
pub(super) fn default_shape() -> ResNetShape {
    ResNetShape {
        side: 24,
        channels: vec![16, 32, 64],
        blocks: 1,
        projector: vec![256],
        d: 8,
        batchnorm: true,
    }
}

pub(super) fn random_views(shape: &ResNetShape, count: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed, 0);
    (0..count * shape.side * shape.side * 3)
        .map(|_| rng.uniform_open() as f32)
        .collect()
}

#[test]
fn layout_names_and_counts_every_tensor() {
    // stem 27·3 + 6; stage0 2·(81 + 6); stage1 (27·5 + 10) + (45·5 + 10) + shortcut (3·5 + 10);
    // projector 5·6 + 6·3
    assert_eq!(tiny(5, 1, true).parameters(), 87 + 174 + 405 + 48);
    assert_eq!(tiny(5, 1, false).parameters(), 714 - 48);
    let layout = tiny(5, 1, true).layout();
    let sc = layout.get("stage1.block0.shortcut.conv").expect("shortcut");
    assert_eq!((sc.dims.clone(), sc.kind), (vec![3, 5], ParamKind::Conv));
    assert!(layout.get("stage0.block0.shortcut.conv").is_none());
    let last = layout.entries.last().expect("entries");
    assert_eq!(
        (last.name.as_str(), last.range().end),
        ("projector.1", layout.total)
    );
    assert!(layout
        .entries
        .windows(2)
        .all(|w| w[0].range().end == w[1].offset));
    assert_eq!(
        layout.get("stage1.block0.bn2.gamma").map(|e| e.len()),
        Some(5)
    );
}

#[test]
fn default_shape_costs_about_14_mflop_per_view() {
    // stem 576·27·16·2; stage0 2 · 576·144·16·2; stage1 144·(144·32 + 288·32 + 16·32)·2;
    // stage2 36·(288·64 + 576·64 + 32·64)·2; projector (64·256 + 256·8)·2
    let expected = 497_664 + 5_308_416 + 4_128_768 + 4_128_768 + 36_864;
    assert_eq!(default_shape().flops_per_view(), expected);
    assert_eq!(default_shape().hidden_dim(), 64);
    assert_eq!(default_shape().final_side(), 6);
    // the stem's (and stage 0's) output: 24·24·16 per view
    assert_eq!(default_shape().largest_layer_floats(2), 2 * 9216);
}

#[test]
fn tape_size_is_the_activation_bound() {
    for shape in [tiny(7, 2, true), tiny(7, 2, false), tiny(6, 1, true)] {
        let params = init(&shape, &InitScales::standard(&shape), 1);
        let tape = forward(&shape, &params, &random_views(&shape, 4, 2), 4);
        assert_eq!(tape.floats(), shape.activation_floats(4), "{shape:?}");
        assert_eq!(
            (tape.hidden().len(), tape.embeddings().len()),
            (4 * 5, 4 * 3)
        );
    }
}

#[test]
fn shapes_that_describe_no_network_are_refused() {
    let ok = tiny(5, 1, true);
    assert_eq!(ok.validate(), Ok(()));
    let bad = ResNetShape {
        channels: vec![3, 0],
        ..ok.clone()
    };
    assert_eq!(bad.validate(), Err(ResNetShapeError::Channels { stage: 1 }));
    let bad = ResNetShape {
        channels: vec![],
        ..ok.clone()
    };
    assert_eq!(bad.validate(), Err(ResNetShapeError::NoStages));
    let bad = ResNetShape {
        blocks: 0,
        ..ok.clone()
    };
    assert_eq!(bad.validate(), Err(ResNetShapeError::Blocks));
    let bad = ResNetShape {
        projector: vec![4, 0],
        ..ok
    };
    assert_eq!(
        bad.validate(),
        Err(ResNetShapeError::Projector { layer: 1 })
    );
}

#[test]
fn init_follows_the_scales() {
    let shape = tiny(5, 1, true);
    let scales = InitScales {
        trunk: 1.0,
        projector: vec![1.0, 1e-3],
    };
    let params = init(&shape, &scales, 3);
    let layout = shape.layout();
    let range = |name: &str| layout.get(name).expect(name).range();
    // projector.1 is [6, 3]: uniform in ±1e-3/√6
    let bound = 1e-3 / 6f64.sqrt();
    let p1 = &params[range("projector.1")];
    assert!(
        p1.iter().all(|v| (v.abs() as f64) <= bound)
            && p1.iter().any(|v| v.abs() as f64 > bound / 2.0)
    );
    assert!(params[range("stem.bn.gamma")].iter().all(|&g| g == 1.0));
    assert!(params[range("stem.bn.beta")].iter().all(|&b| b == 0.0));
    // He-normal: the 405 stage-1 conv2 weights have variance ≈ 2/45
    let w = &params[range("stage1.block0.conv2")];
    let var = w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / w.len() as f64;
    assert!((var / (2.0 / 45.0) - 1.0).abs() < 0.2, "variance {var}");
    assert_eq!(init(&shape, &scales, 3), params);
    assert_ne!(init(&shape, &scales, 4), params);
}

/// ‖backward − finite differences‖ / ‖backward‖ for L = Σ c·F, in f64 with the naive ops.
fn gradient_error(shape: &ResNetShape, seed: u64) -> f64 {
    let count = 4;
    let params: Vec<f64> = init(shape, &InitScales::standard(shape), seed)
        .into_iter()
        .map(f64::from)
        .collect();
    let views: Vec<f64> = random_views(shape, count, seed)
        .into_iter()
        .map(f64::from)
        .collect();
    let mut rng = Rng::new(seed, 9);
    let c: Vec<f64> = (0..count * shape.d).map(|_| rng.normal()).collect();
    let loss = |p: &[f64]| -> f64 {
        let tape = forward_with(shape, p, &views, count, &mut Naive);
        tape.embeddings().iter().zip(&c).map(|(f, c)| f * c).sum()
    };
    let tape = forward_with(shape, &params, &views, count, &mut Naive);
    let grad = backward_with(shape, &params, &tape, &c, &mut Naive);
    for entry in &shape.layout().entries {
        assert!(
            grad[entry.range()].iter().any(|g| *g != 0.0),
            "{} has no gradient",
            entry.name
        );
    }
    let h = 1e-6;
    let mut p = params.clone();
    let (mut diff, mut norm) = (0.0, 0.0);
    for (i, g) in grad.iter().enumerate() {
        p[i] = params[i] + h;
        let up = loss(&p);
        p[i] = params[i] - h;
        let fd = (up - loss(&p)) / (2.0 * h);
        p[i] = params[i];
        diff += (g - fd) * (g - fd);
        norm += g * g;
    }
    assert!(norm > 0.0, "zero gradient");
    (diff / norm).sqrt()
}

#[test]
fn network_gradient_matches_finite_differences() {
    for (side, blocks) in [(5, 1), (7, 2)] {
        for batchnorm in [true, false] {
            let shape = tiny(side, blocks, batchnorm);
            let err = gradient_error(&shape, 3);
            println!("{shape:?}: relative error {err:e}");
            assert!(err < 1e-6, "{shape:?}: relative error {err:e}");
        }
    }
}
