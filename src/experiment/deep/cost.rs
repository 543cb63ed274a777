//! What a deep-network run costs (docs/deep.md §1): memory, for the configuration's bound,
//! and floating-point operations, for the benchmarks.

use super::config::DeepConfig;

/// Bytes a run of `cfg` holds at its peak, as f32: the parameters with their gradient and
/// momentum, the activations of the largest forward pass (a training batch of 2B views or the
/// 2E evaluation views) with their gradients, the base images and the evaluation views.
pub fn memory_bytes(cfg: &DeepConfig) -> u128 {
    let shape = cfg.shape();
    let views = cfg.views_per_step().max(2 * cfg.data.eval);
    let params = 3 * shape.parameters() as u128;
    let activations = 2 * shape.activation_floats(views) as u128;
    let image = |side: usize| (side * side * 3) as u128;
    let images = cfg.data.count as u128 * image(cfg.data.base.max(cfg.data.crop))
        + (2 * cfg.data.eval) as u128 * image(cfg.data.crop);
    4 * (params + activations + images)
}

/// Floating-point operations of one training step (forward and backward, ≈ 3x the forward,
/// on 2B views).
pub fn flops_per_step(cfg: &DeepConfig) -> u64 {
    3 * cfg.shape().flops_per_view() as u64 * cfg.views_per_step() as u64
}
