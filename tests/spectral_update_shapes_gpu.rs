//! The GPU update matrix of Appendix G's loss variants (`stepwise::gpu::spectral_update`)
//! refuses shapes it cannot solve with a typed error, and reads a missing M as M = 0
//! (split from tests/spectral_update_gpu.rs, which checks the values against the f64
//! reference).
//!
//! No test here is skipped: without a GPU adapter (CI installs Mesa's lavapipe) every test
//! fails with a message saying so.

mod common;
use common::ctx;

use stepwise::gpu::{spectral_update_once, GpuError};
use stepwise::model::spectral::LossVariant;

/// The preconditioner's shift.
const SHIFT: f32 = 0.05;

#[test]
fn bad_shapes_are_errors() {
    let g = ctx();
    let run = |d: usize, c: &[f32], m: Option<&[f32]>| {
        pollster::block_on(spectral_update_once(
            &g.device,
            &g.queue,
            LossVariant::Precondition,
            d,
            SHIFT,
            c,
            m,
        ))
    };
    assert!(matches!(run(0, &[], None), Err(GpuError::Shape(_))));
    assert!(matches!(
        run(33, &[0.0; 33 * 33], None),
        Err(GpuError::Shape(_))
    ));
    assert!(matches!(run(2, &[0.0; 3], None), Err(GpuError::Shape(_))));
    assert!(matches!(
        run(2, &[0.0; 4], Some(&[0.0; 3])),
        Err(GpuError::Shape(_))
    ));
    // no M counts as M = 0: B = (2/a) · 2 (C − I)
    let b = run(2, &[1.5, 0.0, 0.0, 0.5], None).expect("valid shape");
    let expect = [40.0, 0.0, 0.0, -40.0];
    for (x, y) in b.iter().zip(expect) {
        assert!((x - y).abs() < 1e-4, "{b:?}");
    }
}
