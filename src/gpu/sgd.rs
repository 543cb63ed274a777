//! `shaders/sgd.wgsl`: heavy-ball momentum on both layers of the MLP in one dispatch,
//! v ← μ v + g and w ← w − η v, over whole padded buffers (without momentum the MLP fuses
//! w ← w − η g into its gradients' matmuls: [`super::matmul::Epilogue::Descend`]).

use super::context::GpuError;
use super::kernel::{self, checked_storage, Access, Binding, Kernel};

const SHADER: &str = include_str!("../../shaders/sgd.wgsl");

/// The shader's `Params`, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SgdParams {
    /// vec4s in layer 1's buffers.
    pub len1: u32,
    /// vec4s in layer 2's buffers.
    pub len2: u32,
    /// η.
    pub lr: f32,
    /// μ.
    pub momentum: f32,
}

impl SgdParams {
    /// For layers of `floats` f32 each (multiples of 4, as every padded matrix is).
    pub fn new((len1, len2): (usize, usize), lr: f32, momentum: f32) -> Result<Self, GpuError> {
        let vec4s = |floats: usize| {
            if floats == 0 || !floats.is_multiple_of(4) || floats / 4 > u32::MAX as usize / 2 {
                return Err(GpuError::Shape(format!(
                    "sgd over {floats} floats: not a positive multiple of 4 within u32"
                )));
            }
            Ok((floats / 4) as u32)
        };
        Ok(Self {
            len1: vec4s(len1)?,
            len2: vec4s(len2)?,
            lr,
            momentum,
        })
    }

    /// Invocations needed, one per vec4 of both layers.
    pub fn tiles(&self) -> u64 {
        u64::from(self.len1) + u64::from(self.len2)
    }
}

/// The compiled pipeline.
pub struct SgdKernel(Kernel);

/// One layer's buffers: gradient (read), weights (read-write).
pub type Layer<'a> = (&'a wgpu::Buffer, &'a wgpu::Buffer);

impl SgdKernel {
    pub fn new(device: &wgpu::Device) -> Self {
        use Access::{Read, ReadWrite};
        Self(Kernel::with_bindings(
            device,
            "momentum sgd both layers",
            (SHADER, "momentum_pair"),
            &[Read, Read, ReadWrite, ReadWrite, ReadWrite, ReadWrite],
        ))
    }

    /// Binds v ← μ v + g, w ← w − η v for both layers, velocities `(v1, v2)`.
    pub fn bind_momentum(
        &self,
        device: &wgpu::Device,
        params: SgdParams,
        ((g1, w1), (g2, w2)): (Layer<'_>, Layer<'_>),
        (v1, v2): (&wgpu::Buffer, &wgpu::Buffer),
    ) -> Result<Binding, GpuError> {
        let bufs = [g1, g2, w1, w2, v1, v2];
        self.0
            .bind_all(device, "mlp update", &params, &bufs, params.tiles())
    }
}

/// One layer's (weights, gradient, velocity) as flat f32 (tests).
pub type LayerData<'a> = (&'a [f32], &'a [f32], &'a [f32]);

/// One momentum step on two flat layers; returns each layer's (w, v) (tests).
pub async fn sgd_once(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    (lr, momentum): (f32, f32),
    layers: [LayerData<'_>; 2],
) -> Result<[(Vec<f32>, Vec<f32>); 2], GpuError> {
    if layers
        .iter()
        .any(|(w, g, v)| g.len() != w.len() || v.len() != w.len())
    {
        return Err(GpuError::Shape("sgd: operands have wrong lengths".into()));
    }
    let lens = (layers[0].0.len(), layers[1].0.len());
    let params = SgdParams::new(lens, lr, momentum)?;
    let [(w1, g1, v1), (w2, g2, v2)] = layers;
    let read = kernel::run_reading(device, queue, || {
        let up = |label, data| checked_storage(device, label, data);
        let (g1, g2) = (up("sgd g1", g1)?, up("sgd g2", g2)?);
        let (w1, w2) = (up("sgd w1", w1)?, up("sgd w2", w2)?);
        let (v1, v2) = (up("sgd v1", v1)?, up("sgd v2", v2)?);
        let kernel = SgdKernel::new(device);
        let layers = ((&g1, &w1), (&g2, &w2));
        let binding = kernel.bind_momentum(device, params, layers, (&v1, &v2))?;
        let outputs = vec![(w1, lens.0), (v1, lens.0), (w2, lens.1), (v2, lens.1)];
        Ok((vec![binding], outputs))
    })
    .await?;
    let mut it = read.into_iter();
    let mut next = || it.next().unwrap_or_default();
    Ok([(next(), next()), (next(), next())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct() {
        crate::gpu::layout_check::assert_uniform_matches::<SgdParams>(SHADER, "Params", 4);
    }

    #[test]
    fn params_reject_ragged_lengths() {
        assert!(SgdParams::new((6, 4), 0.1, 0.0).is_err());
        assert!(SgdParams::new((4, 0), 0.1, 0.0).is_err());
        let p = SgdParams::new((12, 8), 0.1, 0.5).unwrap();
        assert_eq!((p.len1, p.len2, p.tiles()), (3, 2, 5));
    }
}
