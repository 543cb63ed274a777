//! [`Engine`]: a cell's stepper on the CPU or on WebGPU.

use super::choice::BackendKind;
use super::stepper::Stepper;
use crate::experiment::RunError;

/// The CPU stepper `C` or the GPU stepper `G` of one cell.
pub enum Engine<C, G> {
    Cpu(C),
    Gpu(G),
}

impl<C, G> Engine<C, G> {
    pub fn kind(&self) -> BackendKind {
        match self {
            Self::Cpu(_) => BackendKind::Cpu,
            Self::Gpu(_) => BackendKind::WebGpu,
        }
    }

    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu(_))
    }

    pub fn cpu(&self) -> Option<&C> {
        match self {
            Self::Cpu(c) => Some(c),
            Self::Gpu(_) => None,
        }
    }

    pub fn gpu(&self) -> Option<&G> {
        match self {
            Self::Gpu(g) => Some(g),
            Self::Cpu(_) => None,
        }
    }
}

impl<C: Stepper, G: Stepper> Stepper for Engine<C, G> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        match self {
            Self::Cpu(c) => c.advance(budget).await,
            Self::Gpu(g) => g.advance(budget).await,
        }
    }

    fn step(&self) -> u64 {
        match self {
            Self::Cpu(c) => c.step(),
            Self::Gpu(g) => g.step(),
        }
    }

    fn total_steps(&self) -> u64 {
        match self {
            Self::Cpu(c) => c.total_steps(),
            Self::Gpu(g) => g.total_steps(),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Self::Cpu(c) => c.is_finished(),
            Self::Gpu(g) => g.is_finished(),
        }
    }

    fn interval(&self) -> u64 {
        match self {
            Self::Cpu(c) => c.interval(),
            Self::Gpu(g) => g.interval(),
        }
    }
}
