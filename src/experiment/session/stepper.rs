//! [`Stepper`]: what a session advances, and [`OneShot`] for the cells computed in one call.

use crate::experiment::RunError;

/// A computation advanced a budget of steps at a time (in whole recording intervals).
#[allow(async_fn_in_trait)] // used through generics only, never as a trait object
pub trait Stepper {
    /// Runs about `budget` more steps (at least one recording interval); true once finished.
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError>;
    /// Steps done so far.
    fn step(&self) -> u64;
    /// Steps in all (for a comparison: an estimate, see its impl).
    fn total_steps(&self) -> u64;
    fn is_finished(&self) -> bool;
    /// Steps from [`Stepper::step`] to the next record: the smallest advance.
    fn interval(&self) -> u64 {
        1
    }
}

/// A computation done in one call (the init comparison, the symmetry landscape): its one
/// step computes everything.
pub struct OneShot<T> {
    job: Option<Box<dyn FnOnce() -> Result<T, RunError>>>,
    value: Option<T>,
}

impl<T> OneShot<T> {
    /// A computation not done yet: `job` runs on the first advance.
    pub fn new(job: impl FnOnce() -> Result<T, RunError> + 'static) -> Self {
        Self {
            job: Some(Box::new(job)),
            value: None,
        }
    }

    /// Its value, once computed.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

impl<T> Stepper for OneShot<T> {
    async fn advance(&mut self, _budget: u64) -> Result<bool, RunError> {
        if let Some(job) = self.job.take() {
            self.value = Some(job()?);
        }
        Ok(true)
    }

    fn step(&self) -> u64 {
        u64::from(self.value.is_some())
    }

    fn total_steps(&self) -> u64 {
        1
    }

    fn is_finished(&self) -> bool {
        self.value.is_some()
    }
}
