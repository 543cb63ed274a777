//! `shaders/barlow_grad.wgsl`: dL/dF of simplified Barlow Twins in one workgroup, F and the
//! gradient in the padded layout of [`super::layout`].

use super::context::GpuError;
use super::kernel::{Binding, Kernel, WORKGROUP};
use super::loss_grad::EmbeddingParams;

const SHADER: &str = include_str!("../../shaders/barlow_grad.wgsl");

/// The compiled pipeline.
pub struct BarlowGradKernel(Kernel);

impl BarlowGradKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "barlow twins gradient", SHADER, "main"))
    }

    /// Binds `grad` ← dL/dF over padded `f` and `grad` (distinct buffers); one workgroup.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: EmbeddingParams,
        (f, grad): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.0.bind(
            device,
            "barlow twins gradient",
            &params,
            (f, f, grad),
            WORKGROUP,
        )
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<EmbeddingParams>(SHADER, "Params", 4);
    }
}
