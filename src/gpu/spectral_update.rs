//! `shaders/spectral_update.wgsl`: the d x d update matrix B of Appendix G's loss variants
//! ([`crate::model::spectral::update_matrix`]) from C (and M), in one workgroup, all three in
//! the padded layout of [`super::layout`]. The eigendecompositions run the cyclic Jacobi of
//! [`crate::linalg::jacobi`] (its plain-Rust twin, [`crate::linalg::jacobi::jacobi_warm`]) in
//! workgroup memory, in f32, warm-started from the eigenvectors the previous dispatch left in
//! a fourth buffer (the basis; the identity to start cold).

use super::buffers;
use super::context::GpuError;
use super::kernel::{self, matrix_storage, Access, Binding, Kernel, WORKGROUP};
use super::layout::{pad4, unpack};
use crate::linalg::JACOBI_SWEEPS;
use crate::model::spectral::{LossVariant, SHARP_FLOOR_MIN, SHARP_FLOOR_REL};

/// The shader: its params, bindings and entry points, then the core it shares with
/// `shaders/spectral_fused.wgsl`.
const SHADER: &str = concat!(
    include_str!("../../shaders/spectral_update.wgsl"),
    include_str!("../../shaders/spectral_core.wgsl")
);

/// The largest d the kernel handles (its workgroup arrays are 32 x 32).
pub const MAX_DIM: usize = 32;

/// The most sweeps a binding accepts. Mesa 22.3's lavapipe silently stops a shader invocation
/// after 65535 loop iterations in all; at d = 32 a sweep costs each invocation about 1,050,
/// the rest of the kernel about 1,100, so 40 sweeps stay under 43k.
pub const MAX_SWEEPS: u32 = 40;

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SpectralUpdateParams {
    /// Dimension d, 1..=[`MAX_DIM`].
    pub d: u32,
    /// f32 per padded row, pad4(d).
    pub d4: u32,
    /// [`LossVariant::code`].
    pub variant: u32,
    /// The preconditioner's shift a (read by [`LossVariant::Precondition`] only).
    pub a: f32,
    /// Sharp's floor relative to Σ|λ| ([`SHARP_FLOOR_REL`] in f32; the shader's floor is
    /// [`crate::model::spectral::sharp_floor`]).
    pub sharp_floor: f32,
    /// The most Jacobi sweeps ([`JACOBI_SWEEPS`] unless changed).
    pub sweeps: u32,
    /// Sharp's least floor ([`SHARP_FLOOR_MIN`] in f32).
    pub sharp_floor_min: f32,
    pub _pad1: u32,
}

impl SpectralUpdateParams {
    /// The parameters for `variant` at dimension `d` with [`JACOBI_SWEEPS`] sweeps; fails
    /// with [`GpuError::Shape`] unless 1 ≤ d ≤ [`MAX_DIM`] and, for preconditioning, a is
    /// finite and positive.
    pub fn new(variant: LossVariant, d: usize, a: f32) -> Result<Self, GpuError> {
        if d == 0 || d > MAX_DIM {
            return Err(GpuError::Shape(format!(
                "spectral update of a {d} x {d} C: d must be between 1 and {MAX_DIM}"
            )));
        }
        if variant.needs_moment() && !(a.is_finite() && a > 0.0) {
            return Err(GpuError::Shape(format!(
                "preconditioned update: the shift a = {a} must be finite and positive"
            )));
        }
        Ok(Self {
            d: d as u32,
            d4: pad4(d) as u32,
            variant: variant.code(),
            a,
            sharp_floor: SHARP_FLOOR_REL as f32,
            sweeps: JACOBI_SWEEPS,
            sharp_floor_min: SHARP_FLOOR_MIN as f32,
            _pad1: 0,
        })
    }

    /// f32 in the padded layout of C, M and B: pad4(d)².
    pub fn padded_len(&self) -> usize {
        let d4 = self.d4 as usize;
        d4 * d4
    }

    /// Fails with [`GpuError::Shape`] unless the (public, editable) fields are consistent:
    /// 1 ≤ d ≤ [`MAX_DIM`], d4 = pad4(d), a known variant, 1 ≤ sweeps ≤ [`MAX_SWEEPS`].
    pub fn check(&self) -> Result<(), GpuError> {
        let d = self.d as usize;
        let known = LossVariant::ALL.iter().any(|v| v.code() == self.variant);
        if d == 0 || d > MAX_DIM || self.d4 as usize != pad4(d) || !known {
            return Err(GpuError::Shape(format!(
                "spectral update: inconsistent parameters {self:?}"
            )));
        }
        if self.sweeps == 0 || self.sweeps > MAX_SWEEPS {
            return Err(GpuError::Shape(format!(
                "spectral update: {} sweeps, not between 1 and {MAX_SWEEPS}",
                self.sweeps
            )));
        }
        Ok(())
    }
}

/// The largest d run by one invocation (the shader's `main_serial`; its private arrays hold
/// d² ≤ 64 entries). Lavapipe pays for every workgroup barrier of the 64-invocation `main`,
/// and at such d there is little to share.
pub const SERIAL_MAX_DIM: usize = 8;

/// The compiled pipelines: `main` (64 invocations) and `main_serial` (one, d ≤
/// [`SERIAL_MAX_DIM`]).
pub struct SpectralUpdateKernel {
    wide: Kernel,
    serial: Kernel,
}

impl SpectralUpdateKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        let access = [
            Access::Read,
            Access::Read,
            Access::ReadWrite,
            Access::ReadWrite,
        ];
        let make = |entry| {
            Kernel::with_storage_params(device, "spectral update", (SHADER, entry), &access)
        };
        Self {
            wide: make("main"),
            serial: make("main_serial"),
        }
    }

    /// Binds `b` ← B from padded `c` and `m` (for variants other than preconditioning `m` is
    /// not read: pass `c` again), warm-started from and leaving its eigenvectors in `basis`
    /// (padded d x d, initially the identity: [`identity_basis`]); one workgroup. Fails with
    /// [`GpuError::Shape`] on inconsistent `params` ([`SpectralUpdateParams::check`]), if `b`
    /// or `basis` is `c` or `m` or they are one buffer, or if a buffer holds fewer than the
    /// padded pad4(d)² f32.
    pub fn bind(
        &self,
        device: &wgpu::Device,
        params: SpectralUpdateParams,
        (c, m, b, basis): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        params.check()?;
        if b == c || b == m || basis == c || basis == m || basis == b {
            return Err(GpuError::Shape(
                "spectral update: B and the basis must be buffers apart from C, M and each other"
                    .into(),
            ));
        }
        let bytes = buffers::f32_bytes(params.padded_len());
        if [c, m, b, basis].iter().any(|buf| buf.size() < bytes) {
            return Err(GpuError::Shape(format!(
                "spectral update at d = {}: C, M, B and the basis need {bytes} bytes each, got \
                 {}, {}, {} and {}",
                params.d,
                c.size(),
                m.size(),
                b.size(),
                basis.size()
            )));
        }
        let kernel = if params.d as usize <= SERIAL_MAX_DIM {
            &self.serial
        } else {
            &self.wide
        };
        kernel.bind_all(
            device,
            "spectral update",
            &params,
            &[c, m, b, basis],
            WORKGROUP,
        )
    }
}

/// The d x d identity, row-major (a cold start's basis).
pub fn identity(d: usize) -> Vec<f32> {
    (0..d * d)
        .map(|e| if e / d == e % d { 1.0 } else { 0.0 })
        .collect()
}

/// A basis buffer holding the identity (padded d x d).
pub fn identity_basis(device: &wgpu::Device, d: usize) -> Result<wgpu::Buffer, GpuError> {
    matrix_storage(
        device,
        "spectral update basis (d x d)",
        (d, d),
        &identity(d),
    )
}

/// B for `variant` from C (d x d row-major, unpadded) and, for preconditioning, M (None
/// counts as zero, as in [`crate::model::spectral::update_matrix`]), computed once on the GPU
/// with [`JACOBI_SWEEPS`] sweeps and read back unpadded (tests).
pub async fn spectral_update_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    variant: LossVariant,
    d: usize,
    a: f32,
    c: &[f32],
    m: Option<&[f32]>,
) -> Result<Vec<f32>, GpuError> {
    let params = SpectralUpdateParams::new(variant, d, a)?;
    spectral_update_with(device, queue, params, c, m).await
}

/// [`spectral_update_once`] with explicit parameters (e.g. another sweep count).
pub async fn spectral_update_with(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    params: SpectralUpdateParams,
    c: &[f32],
    m: Option<&[f32]>,
) -> Result<Vec<f32>, GpuError> {
    let d = params.d as usize;
    let (b, _) = spectral_update_warm(device, queue, params, c, m, &identity(d)).await?;
    Ok(b)
}

/// [`spectral_update_with`] warm-started from `basis` (d x d row-major, near orthogonal):
/// B and the basis the kernel leaves (its eigenvectors, unsorted), both unpadded.
pub async fn spectral_update_warm(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    params: SpectralUpdateParams,
    c: &[f32],
    m: Option<&[f32]>,
    basis: &[f32],
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    params.check()?;
    let d = params.d as usize;
    let square = |x: &[f32], what: &str| {
        if x.len() == d * d {
            Ok(())
        } else {
            Err(GpuError::Shape(format!(
                "spectral update: {what} has {} values, not {d} x {d}",
                x.len()
            )))
        }
    };
    square(c, "C")?;
    square(basis, "the basis")?;
    if let Some(m) = m {
        square(m, "M")?;
    }
    let zeros = vec![0.0; d * d];
    let moment = (params.variant == LossVariant::Precondition.code()).then(|| m.unwrap_or(&zeros));
    let len = params.padded_len();
    let read = kernel::run_reading(device, queue, || {
        let kernel = SpectralUpdateKernel::new(device);
        let c = matrix_storage(device, "spectral update C", (d, d), c)?;
        let m = match moment {
            Some(m) => Some(matrix_storage(device, "spectral update M", (d, d), m)?),
            None => None,
        };
        let b = matrix_storage(device, "spectral update B", (d, d), &zeros)?;
        let basis = matrix_storage(device, "spectral update basis", (d, d), basis)?;
        let binding = kernel.bind(device, params, (&c, m.as_ref().unwrap_or(&c), &b, &basis))?;
        Ok((vec![binding], vec![(b, len), (basis, len)]))
    })
    .await?;
    Ok((unpack(d, d, &read[0]), unpack(d, d, &read[1])))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<SpectralUpdateParams>(
            SHADER, "Params", 8,
        );
    }

    #[test]
    fn shapes_are_checked() {
        let p = SpectralUpdateParams::new(LossVariant::Sharp, 5, 0.0).unwrap();
        assert_eq!((p.d, p.d4, p.variant, p.sweeps), (5, 8, 1, JACOBI_SWEEPS));
        assert_eq!(p.padded_len(), 64);
        assert_eq!(p.sharp_floor, SHARP_FLOOR_REL as f32);
        assert_eq!(p.sharp_floor_min, SHARP_FLOOR_MIN as f32);
        assert!(SpectralUpdateParams::new(LossVariant::Baseline, 0, 1.0).is_err());
        assert!(SpectralUpdateParams::new(LossVariant::Baseline, MAX_DIM + 1, 1.0).is_err());
        assert!(SpectralUpdateParams::new(LossVariant::Quartic, MAX_DIM, 1.0).is_ok());
        for a in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert!(SpectralUpdateParams::new(LossVariant::Precondition, 3, a).is_err());
        }
        assert!(SpectralUpdateParams::new(LossVariant::Precondition, 3, 0.1).is_ok());
        let p = SpectralUpdateParams::new(LossVariant::Smooth, 7, 1.0).unwrap();
        assert!(p.check().is_ok());
        let bad = [
            SpectralUpdateParams { sweeps: 0, ..p },
            SpectralUpdateParams {
                sweeps: MAX_SWEEPS + 1,
                ..p
            },
            SpectralUpdateParams { d4: 7, ..p },
            SpectralUpdateParams { d: 33, d4: 36, ..p },
            SpectralUpdateParams { variant: 5, ..p },
        ];
        for q in bad {
            assert!(q.check().is_err(), "{q:?}");
        }
    }
}
