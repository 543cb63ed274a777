//! `shaders/scale_columns.wgsl`: P = A Λ for a diagonal Λ (the eigenbasis solver's
//! projection), one vec4 of P per invocation, in the padded layout of [`super::layout`].

use super::context::GpuError;
use super::kernel::{self, matrix_storage, Binding, Kernel};
use super::layout::{pad4, padded_len, unpack};

const SHADER: &str = include_str!("../../shaders/scale_columns.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ScaleColumnsParams {
    /// Padded rows of A.
    pub rows4: u32,
    /// vec4s per row of A and P.
    pub cq: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

impl ScaleColumnsParams {
    /// Parameters for a `rows` x `cols` A.
    pub fn new(rows: usize, cols: usize) -> Result<Self, GpuError> {
        if rows == 0 || cols == 0 {
            return Err(GpuError::Shape(format!(
                "scaling an empty {rows} x {cols} matrix"
            )));
        }
        if padded_len(rows, cols) > u32::MAX as usize {
            return Err(GpuError::Shape(format!(
                "a {rows} x {cols} matrix exceeds u32 indexing"
            )));
        }
        Ok(Self {
            rows4: pad4(rows) as u32,
            cq: (pad4(cols) / 4) as u32,
            _pad0: 0,
            _pad1: 0,
        })
    }

    /// Invocations needed, one per vec4.
    pub fn tiles(&self) -> u64 {
        u64::from(self.rows4) * u64::from(self.cq)
    }
}

/// The compiled pipeline.
pub struct ScaleColumnsKernel(Kernel);

impl ScaleColumnsKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "scale columns", SHADER, "main"))
    }

    /// Binds P = A diag(values) over padded `a`, `values` (1 x cols) and `p`.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        label: &str,
        params: ScaleColumnsParams,
        (a, values, p): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        self.0
            .bind(device, label, &params, (a, values, p), params.tiles())
    }
}

/// P = A diag(values) once on the GPU, row-major and unpadded (tests, benchmarks).
pub async fn scale_columns_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (rows, cols): (usize, usize),
    a: &[f32],
    values: &[f32],
) -> Result<Vec<f32>, GpuError> {
    let params = ScaleColumnsParams::new(rows, cols)?;
    if a.len() != rows * cols || values.len() != cols {
        return Err(GpuError::Shape(format!(
            "scaling a {rows} x {cols} matrix: operands have wrong lengths"
        )));
    }
    let padded = kernel::run_once(device, queue, padded_len(rows, cols), || {
        let a = matrix_storage(device, "scale A", (rows, cols), a)?;
        let v = matrix_storage(device, "scale values", (1, cols), values)?;
        let p = matrix_storage(device, "scale P", (rows, cols), &vec![0.0; rows * cols])?;
        let binding =
            ScaleColumnsKernel::new(device).bind(device, "scale columns", params, (&a, &v, &p))?;
        Ok((binding, p))
    })
    .await?;
    Ok(unpack(rows, cols, &padded))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<ScaleColumnsParams>(SHADER, "Params", 4);
    }
}
