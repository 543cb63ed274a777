//! What a [`super::GpuLinearBackend`] holds on the device: its matrices and the three bound
//! dispatches of a step, for either solver.

use super::context::GpuError;
use super::kernel::{matrix_storage, Binding};
use super::linear_update::{LinearUpdateKernel, LinearUpdateParams};
use super::matmul::{MatmulKernel, MatmulShape};
use super::scale_columns::{ScaleColumnsKernel, ScaleColumnsParams};

/// How P is formed from W.
pub enum Operator<'a> {
    /// Γ, row-major m x m: P = W Γ.
    Dense(&'a [f32]),
    /// Γ's eigenvalues (K: all m, or the top K of the truncated solver) and unit
    /// eigenvectors (row-major m x K, as columns): W holds A = W V (d x K) and P = A Λ;
    /// `weights()` maps back to W = A Vᵀ.
    Diagonal {
        values: &'a [f32],
        vectors: &'a [f32],
    },
}

/// The matrices on the device, in the padded layout.
pub(super) struct Matrices {
    /// Γ (m x m) or its eigenvalues (1 x m).
    pub(super) gamma: wgpu::Buffer,
    pub(super) w: wgpu::Buffer,
    pub(super) p: wgpu::Buffer,
    pub(super) c: wgpu::Buffer,
}

impl Matrices {
    pub(super) fn upload(
        device: &wgpu::Device,
        (m, d): (usize, usize),
        op: &Operator<'_>,
        w0: &[f32],
    ) -> Result<Self, GpuError> {
        let gamma = match op {
            Operator::Dense(gamma) => matrix_storage(device, "Γ (m x m)", (m, m), gamma)?,
            Operator::Diagonal { values, .. } => {
                matrix_storage(device, "Λ: eigenvalues of Γ (1 x m)", (1, m), values)?
            }
        };
        Ok(Self {
            gamma,
            w: matrix_storage(device, "W (d x m)", (d, m), w0)?,
            p: matrix_storage(device, "P = WΓ (d x m)", (d, m), &vec![0.0; d * m])?,
            c: matrix_storage(device, "C = PWᵀ (d x d)", (d, d), &vec![0.0; d * d])?,
        })
    }
}

/// The three dispatches of a step, in order.
pub(super) struct StepBindings {
    pub(super) update: Binding,
    pub(super) project: Binding,
    pub(super) correlate: Binding,
}

impl StepBindings {
    /// With `b` (Appendix G's update matrix) the update is W ← W − η B P, else Barlow
    /// Twins' W ← W − 4η (C − I) P.
    pub(super) fn new(
        device: &wgpu::Device,
        (m, d, lr): (usize, usize, f32),
        x: &Matrices,
        diagonal: bool,
        b: Option<&wgpu::Buffer>,
    ) -> Result<Self, GpuError> {
        let matmul = MatmulKernel::new(device);
        let update = LinearUpdateKernel::new(device);
        let project = if diagonal {
            ScaleColumnsKernel::new(device).bind(
                device,
                "P = AΛ",
                ScaleColumnsParams::new(d, m)?,
                (&x.w, &x.gamma, &x.p),
            )?
        } else {
            matmul.bind(
                device,
                "P = WΓ",
                MatmulShape::ab(d, m, m),
                (&x.w, &x.gamma, &x.p),
            )?
        };
        let (params, operand) = match b {
            Some(b) => (LinearUpdateParams::spectral(d, m, lr)?, b),
            None => (LinearUpdateParams::new(d, m, lr)?, &x.c),
        };
        Ok(Self {
            update: update.bind(device, params, (operand, &x.p, &x.w))?,
            project,
            correlate: matmul.bind(
                device,
                "C = PWᵀ",
                MatmulShape::abt(d, d, m),
                (&x.p, &x.w, &x.c),
            )?,
        })
    }
}

impl Operator<'_> {
    /// Columns of W as the device holds it: m, or K for [`Operator::Diagonal`].
    pub(super) fn columns(&self, m: usize) -> usize {
        match self {
            Operator::Dense(_) => m,
            Operator::Diagonal { values, .. } => values.len(),
        }
    }
}

/// W = A Vᵀ for A (d x k) and V (m x k), row-major.
pub(super) fn to_original_basis(d: usize, k: usize, a: &[f32], v: &[f32]) -> Vec<f32> {
    let m = v.len() / k.max(1);
    let mut w = vec![0.0f32; d * m];
    for i in 0..d {
        let a_row = &a[i * k..(i + 1) * k];
        for (j, out) in w[i * m..(i + 1) * m].iter_mut().enumerate() {
            let v_row = &v[j * k..(j + 1) * k];
            *out = a_row.iter().zip(v_row).map(|(x, y)| x * y).sum();
        }
    }
    w
}

pub(super) fn check_shapes(
    m: usize,
    d: usize,
    op: &Operator<'_>,
    w0: &[f32],
) -> Result<(), GpuError> {
    if m == 0 || d == 0 {
        return Err(GpuError::Shape(format!("empty model: m = {m}, d = {d}")));
    }
    let k = op.columns(m);
    let ok = match op {
        Operator::Dense(gamma) => gamma.len() == m * m,
        Operator::Diagonal { values, vectors } => {
            (1..=m).contains(&values.len()) && vectors.len() == m * k
        }
    };
    if !ok || w0.len() != d * k {
        return Err(GpuError::Shape(format!(
            "Γ's operands or W(0) ({} entries) do not fit m = {m}, d = {d}",
            w0.len()
        )));
    }
    Ok(())
}
