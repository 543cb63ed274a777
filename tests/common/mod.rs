//! What the test files share: one lavapipe (or real) device and deterministic inputs for
//! the GPU tests, the `stepwise` binary for the command-line ones, an f64 reference of
//! Appendix G's runs ([`exact`]). Each uses part of it.
#![allow(dead_code)]

pub mod exact;

use std::process::{Command, Output};
use std::sync::OnceLock;

use stepwise::gpu::GpuContext;

const NO_ADAPTER: &str = "no GPU adapter: these tests need one (install Mesa's lavapipe, \
                          mesa-vulkan-drivers, for a software Vulkan device)";

/// A fresh device; the tests fail, never skip, without an adapter.
pub fn new_context() -> GpuContext {
    pollster::block_on(GpuContext::new()).unwrap_or_else(|e| panic!("{NO_ADAPTER}: {e}"))
}

/// One device for the tests that do not destroy theirs.
pub fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(new_context)
}

/// Deterministic values in [-1, 1).
pub fn values(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Runs the `stepwise` binary with `args`.
pub fn stepwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .output()
        .expect("run stepwise")
}

/// The run failed with a message containing `needle`, not a panic.
pub fn assert_clean_failure(out: &Output, needle: &str) {
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
}
