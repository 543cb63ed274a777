//! The GPU backend of the linear model: wgpu compute shaders (WGSL in `shaders/`), f32.
//!
//! - [`context`]: the one place a device is created ([`GpuContext`]) and [`GpuError`];
//! - [`matmul`], [`scale_columns`] and [`linear_update`]: one Rust file per WGSL kernel;
//!   [`linear_fused`]: several eigenbasis steps in one dispatch when A fits workgroup memory;
//! - [`relu`], [`sgd`] and [`ntk`]: the MLP's kernels, one Rust file per WGSL file (its
//!   step fuses the relu, its mask and the update into [`matmul`]'s [`Epilogue`]);
//!   [`mlp_backend`]: [`GpuMlpBackend`], a [`crate::experiment::mlp::MlpBackend`];
//! - [`loss_grad`]: [`LossGrad`], dL/dF of the SSL losses, over [`barlow_grad`],
//!   [`vicreg_grad`] and [`simclr_grad`] (one Rust file per WGSL kernel again);
//! - [`linear_backend`]: [`GpuLinearBackend`], a [`crate::experiment::LinearBackend`];
//! - [`spectral_update`]: Appendix G's update matrix B (a Jacobi eigensolver in one
//!   workgroup); [`spectral_step`] adds it to a linear step, [`spectral_fused`] runs B and
//!   the step together, several steps a dispatch, at d ≤ 8; [`variants`] makes the backends
//!   of a comparison ([`GpuVariants`]);
//! - [`conv2d`], [`batchnorm`], [`eltwise`], [`pool`], [`repack`] and [`momentum_sgd`]:
//!   the small ResNet's kernels (docs/deep.md §1–2), one Rust file per WGSL file;
//!   [`resnet_backend`]: [`GpuDeepBackend`] over them ([`resnet_plan`] reads the network off
//!   the parameter layout; `resnet_resources` and `resnet_graph` hold buffers and dispatches);
//! - [`profile`]: [`profile::StepPlan`], the dispatches of a step (benchmarks);
//! - [`reference`]: plain-Rust versions of the kernels, for tests; [`faults`]: the device
//!   lost on purpose at a chosen point (tests of the GPU-loss policy).
//!
//! Everything except [`GpuContext::new`] takes a `&wgpu::Device` and `&wgpu::Queue`.

pub mod barlow_grad;
pub mod batchnorm;
mod buffers;
pub mod context;
pub mod conv2d;
pub mod eltwise;
pub mod faults;
pub mod kernel;
pub mod layout;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod layout_check;
pub mod linear_backend;
pub mod linear_fused;
mod linear_resources;
mod linear_steps;
pub mod linear_update;
pub mod loss_grad;
pub mod matmul;
pub mod mlp_backend;
mod mlp_resources;
pub mod momentum_sgd;
pub mod ntk;
pub mod pool;
pub mod profile;
pub mod reference;
pub mod relu;
pub mod repack;
pub mod resnet_backend;
mod resnet_graph;
pub mod resnet_plan;
mod resnet_resources;
pub mod scale_columns;
pub mod sgd;
pub mod simclr_grad;
pub mod spectral_fused;
pub mod spectral_step;
pub mod spectral_update;
pub mod variants;
pub mod vicreg_grad;

pub use context::{GpuContext, GpuError};
pub use linear_backend::GpuLinearBackend;
pub use linear_resources::Operator;
pub use linear_update::{
    linear_update_once, linear_update_with, LinearUpdateKernel, LinearUpdateParams,
};
pub use loss_grad::{loss_grad_once, LossGrad};
pub use matmul::{
    matmul_epilogue_once, matmul_once, Epilogue, MatmulKernel, MatmulParams, MatmulShape,
};
pub use mlp_backend::{prepare_on_gpu, prepare_with_gpu_ntk, GpuMlpBackend};
pub use ntk::{empirical_ntk_gpu, NtkKernel, NtkParams, NtkWeights};
pub use relu::{relu_once, ReluKernel, ReluParams};
pub use resnet_backend::{GpuDeepBackend, GpuTraining};
pub use scale_columns::{scale_columns_once, ScaleColumnsKernel, ScaleColumnsParams};
pub use sgd::{sgd_once, SgdKernel, SgdParams};
pub use spectral_step::VariantSpec;
pub use spectral_update::{
    spectral_update_once, spectral_update_with, SpectralUpdateKernel, SpectralUpdateParams,
};
pub use variants::GpuVariants;
