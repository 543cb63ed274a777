//! `shaders/vicreg_grad.wgsl`: dL/dF of VICReg in one workgroup, F and the gradient in the
//! padded layout of [`super::layout`].

use super::context::GpuError;
use super::kernel::{Binding, Kernel, WORKGROUP};
use super::loss_grad::EmbeddingParams;

const SHADER: &str = include_str!("../../shaders/vicreg_grad.wgsl");

/// The compiled pipeline.
pub struct VicRegGradKernel(Kernel);

impl VicRegGradKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "vicreg gradient", SHADER, "main"))
    }

    /// Binds `grad` ← dL/dF over padded `f` and `grad` (distinct buffers); one workgroup.
    /// Needs n ≥ 2 (unbiased covariances).
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: EmbeddingParams,
        (f, grad): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        if params.n < 2 {
            return Err(GpuError::Shape(
                "VICReg needs n >= 2 pairs (its covariances divide by n - 1)".into(),
            ));
        }
        self.0
            .bind(device, "vicreg gradient", &params, (f, f, grad), WORKGROUP)
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
