//! An f64 reference of Appendix G's gradient descent (docs/math.md §8) in Γ's eigenbasis, and
//! the step at which a run first has every eigenvalue of C above the threshold ("time to all
//! modes", as `experiment::appg` scores it, here resolved to the step).
//!
//! For sharp the reference has no guard at all: ℓ'(λ) = (sign(λ) sqrt|λ| − 1)/sqrt|λ|, the
//! exact derivative, so comparing with it measures what the code's guard costs.

use faer::Mat;
use stepwise::experiment::appg::{data_moment, VariantBackends};
use stepwise::experiment::{LinearRun, Prepared, RunPlan};
use stepwise::linalg;
use stepwise::model::spectral::{self, signed_sqrt, LossVariant};

/// A = W V (d x m), C = A Λ Aᵀ, A ← A − η B A Λ, all in f64.
pub struct Exact {
    a: Mat<f64>,
    values: Vec<f64>,
    /// VᵀΣV (Σ = ΦᵀΦ/(2n)), for preconditioning.
    moment: Mat<f64>,
    shift: f64,
}

impl Exact {
    /// From the prepared run's W(0) (the f32 values the code starts from) and Γ's
    /// eigenpairs; `shift` is the preconditioner's a.
    pub fn new(prep: &Prepared, shift: f64) -> Self {
        let (d, m) = (prep.config.d, prep.pairs.m);
        let w0 = Mat::from_fn(d, m, |i, j| f64::from(prep.w0[i * m + j]));
        let sigma = data_moment(&prep.pairs, Some(prep.eigen.vectors.as_ref()));
        Self {
            a: &w0 * &prep.eigen.vectors,
            values: prep.eigen.values.clone(),
            moment: Mat::from_fn(m, m, |i, j| f64::from(sigma[(i, j)])),
            shift,
        }
    }

    /// A Λ (d x m).
    fn p(&self) -> Mat<f64> {
        Mat::from_fn(self.a.nrows(), self.a.ncols(), |i, j| {
            self.a[(i, j)] * self.values[j]
        })
    }

    fn c(&self) -> Mat<f64> {
        self.p() * self.a.transpose()
    }

    /// B at the current A: sharp without a guard, the other variants as the code has them
    /// (they have no guard).
    fn update(&self, variant: LossVariant) -> Mat<f64> {
        let c = self.c();
        if variant != LossVariant::Sharp {
            let moment = &self.a * &self.moment * self.a.transpose();
            return spectral::update_matrix(variant, c.as_ref(), Some(moment.as_ref()), self.shift)
                .expect("finite C");
        }
        let e = linalg::sym_eigen(c.as_ref()).expect("finite C");
        let d = c.nrows();
        let q = &e.vectors;
        let scaled = Mat::from_fn(d, d, |i, j| {
            let l = e.values[j];
            q[(i, j)] * 2.0 * (signed_sqrt(l) - 1.0) / l.abs().sqrt()
        });
        &scaled * q.transpose()
    }

    /// The first step after which every eigenvalue of C exceeds `threshold`, within `steps`.
    pub fn steps_to_all(
        &mut self,
        variant: LossVariant,
        lr: f64,
        steps: u64,
        threshold: f64,
    ) -> Option<u64> {
        for step in 1..=steps {
            let b = self.update(variant);
            self.a = &self.a - (b * self.p()) * lr;
            let eig = linalg::sym_eigenvalues(self.c().as_ref()).expect("finite C");
            if eig.iter().all(|l| *l > threshold) {
                return Some(step);
            }
        }
        None
    }
}

/// The same for a run of the code (a backend from `factory`, CPU or GPU), recording every
/// step, over the prepared run's steps.
pub fn code_steps_to_all<F: VariantBackends>(
    factory: &mut F,
    prep: &Prepared,
    variant: LossVariant,
    lr: f64,
    threshold: f64,
) -> Option<u64> {
    let records = pollster::block_on(async {
        let backend = factory.create(prep, variant, lr).await.expect("backend");
        let plan = RunPlan {
            lr,
            record_every: 1,
            ..RunPlan::of(prep)
        };
        let mut run = LinearRun::with_plan(backend, plan).await.expect("start");
        run.finish().await.expect("run");
        run.records().to_vec()
    });
    records
        .iter()
        .find(|r| r.eigenvalues.iter().all(|l| *l > threshold))
        .map(|r| r.step)
}
