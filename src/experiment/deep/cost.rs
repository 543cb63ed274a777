//! What a deep-network run costs (docs/deep.md §1): memory, for the configuration's bound,
//! and floating-point operations, for the benchmarks.

use super::config::DeepConfig;

/// Bytes a run of `cfg` holds at its peak on the CPU: the parameters with their gradient and
/// momentum, the activations of the largest forward pass (a training batch of 2B views or the
/// 2E evaluation views) with their gradients, the base images and the evaluation views, the
/// hidden covariances and the records (docs/architecture.md §7).
pub fn memory_bytes(cfg: &DeepConfig) -> u128 {
    u128::from(crate::experiment::memory::deep_need(cfg).cpu_bytes)
}

/// Floating-point operations of one training step (forward and backward, ≈ 3x the forward,
/// on 2B views).
pub fn flops_per_step(cfg: &DeepConfig) -> u64 {
    3 * cfg.shape().flops_per_view() as u64 * cfg.views_per_step() as u64
}
