//! `shaders/repack.wgsl`: copies a matrix between the flat parameter/gradient buffers
//! (unpadded, at an offset) and the padded layout of [`super::layout`] that the matmul reads
//! and writes: the projector's bias-free linears (docs/deep.md §1).

use super::context::GpuError;
use super::kernel::{Binding, Kernel};
use super::layout::pad4;

const SHADER: &str = include_str!("../../shaders/repack.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RepackParams {
    pub rows: u32,
    pub cols: u32,
    pub src_off: u32,
    pub src_ld: u32,
    pub dst_off: u32,
    pub dst_ld: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

impl RepackParams {
    /// A rows x cols matrix from `(offset, row stride)` to `(offset, row stride)`.
    pub fn new(
        (rows, cols): (usize, usize),
        (src_off, src_ld): (usize, usize),
        (dst_off, dst_ld): (usize, usize),
    ) -> Result<Self, GpuError> {
        let end = (src_off + rows * src_ld).max(dst_off + rows * dst_ld);
        if rows == 0 || cols == 0 || cols > src_ld.min(dst_ld) || end > u32::MAX as usize / 2 {
            return Err(GpuError::Shape(format!(
                "repack of {rows} x {cols} with strides {src_ld}, {dst_ld}: bad shape"
            )));
        }
        let u = |v: usize| v as u32;
        Ok(Self {
            rows: u(rows),
            cols: u(cols),
            src_off: u(src_off),
            src_ld: u(src_ld),
            dst_off: u(dst_off),
            dst_ld: u(dst_ld),
            _pad0: 0,
            _pad1: 0,
        })
    }

    /// Flat (at `off`) to padded (at 0).
    pub fn unflatten((rows, cols): (usize, usize), off: usize) -> Result<Self, GpuError> {
        Self::new((rows, cols), (off, cols), (0, pad4(cols)))
    }

    /// Padded (at 0) to flat (at `off`).
    pub fn flatten((rows, cols): (usize, usize), off: usize) -> Result<Self, GpuError> {
        Self::new((rows, cols), (0, pad4(cols)), (off, cols))
    }
}

/// The compiled pipeline.
pub struct RepackKernel(Kernel);

impl RepackKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        Self(Kernel::new(device, "repack", SHADER, "copy"))
    }

    pub fn bind(
        &self,
        device: &wgpu::Device,
        p: RepackParams,
        (src, dst): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let tiles = u64::from(p.rows) * u64::from(p.cols);
        self.0.bind(device, "repack", &p, (src, src, dst), tiles)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<RepackParams>(SHADER, "Params", 8);
    }

    #[test]
    fn params_reject_bad_strides() {
        assert!(RepackParams::new((3, 5), (0, 4), (0, 8)).is_err());
        let p = RepackParams::unflatten((5, 7), 11).unwrap();
        assert_eq!((p.src_off, p.src_ld, p.dst_off, p.dst_ld), (11, 7, 0, 8));
    }
}
