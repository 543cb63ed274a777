//! What a backend's step costs on the device: the dispatches that advance it, for the
//! benchmarks' dispatches per step and time per kernel (issue 18 §3).

use super::kernel::Binding;

/// The dispatches that together advance a backend `steps` steps, in encoding order (a fused
/// kernel that runs several steps per dispatch has `steps` > 1).
pub struct StepPlan<'a> {
    pub dispatches: Vec<&'a Binding>,
    pub steps: u32,
}

impl StepPlan<'_> {
    /// Dispatches per step (fractional when one dispatch runs several steps).
    pub fn dispatches_per_step(&self) -> f64 {
        self.dispatches.len() as f64 / f64::from(self.steps.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_plan_has_no_dispatches() {
        let plan = StepPlan {
            dispatches: Vec::new(),
            steps: 0,
        };
        assert_eq!(plan.dispatches_per_step(), 0.0);
    }
}
