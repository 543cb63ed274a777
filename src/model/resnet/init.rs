//! Initial parameters (docs/deep.md §1–§2): He-normal convs times a trunk scale, PyTorch's
//! default `nn.Linear` weights times a per-layer projector scale, BN γ = 1 and β = 0.

use super::shape::{ParamKind, ResNetShape};
use crate::data::rng::{stream, Rng};

/// Scales of the initial weights: 1 everywhere is standard init; the paper's small init
/// shrinks one projector layer (or, for comparison, everything) by a factor α.
#[derive(Debug, Clone, PartialEq)]
pub struct InitScales {
    /// Multiplies every conv weight (stem, blocks, shortcuts).
    pub trunk: f64,
    /// Multiplies projector layer l's weights; one per layer (projector.len() + 1).
    pub projector: Vec<f64>,
}

impl InitScales {
    /// Standard init (every scale 1) for `shape`.
    pub fn standard(shape: &ResNetShape) -> Self {
        Self {
            trunk: 1.0,
            projector: vec![1.0; shape.projector.len() + 1],
        }
    }
}

/// The initial flat parameter vector (layout [`ResNetShape::layout`]), seeded on the INIT
/// stream, drawn in layout order: conv weights N(0, 2/fan_in) (He-normal, fan_in = K·K·Cin)
/// × `trunk`; projector layer l uniform in ±1/√fan_in × `projector[l]`; γ = 1, β = 0 (not
/// scaled).
///
/// # Panics
/// When `scales.projector` does not have one scale per projector layer.
pub fn init(shape: &ResNetShape, scales: &InitScales, seed: u64) -> Vec<f32> {
    let layout = shape.layout();
    assert_eq!(
        scales.projector.len(),
        shape.projector.len() + 1,
        "one scale per projector layer"
    );
    let mut rng = Rng::new(seed, stream::INIT);
    let mut params = vec![0.0f32; layout.total];
    for entry in &layout.entries {
        let fan_in = entry.dims[0] as f64;
        let values = &mut params[entry.range()];
        match entry.kind {
            ParamKind::Conv => {
                let std = (2.0 / fan_in).sqrt() * scales.trunk;
                values
                    .iter_mut()
                    .for_each(|v| *v = (rng.normal() * std) as f32);
            }
            ParamKind::Linear(l) => {
                let bound = scales.projector[l] / fan_in.sqrt();
                values
                    .iter_mut()
                    .for_each(|v| *v = ((2.0 * rng.uniform_open() - 1.0) * bound) as f32);
            }
            ParamKind::BnGamma => values.fill(1.0),
            ParamKind::BnBeta => values.fill(0.0),
        }
    }
    params
}
