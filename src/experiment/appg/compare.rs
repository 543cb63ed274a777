//! The comparison engine: the baseline at its η, every variant at the same η, then for each
//! variant a stable-η search (short probes) and a run at the η found. It advances a budget
//! of steps at a time, so the notebook can draw, show progress and pause between calls.

use std::collections::VecDeque;

use super::config::AppgConfig;
use super::finder::EtaSearch;
use super::probe::{probe_plan, settled};
use super::result::{fill_speedups, first_all_above, AppgResult, ComparisonRow, Policy, StableEta};
use super::trial::{Setting, Trial, TrialPlan, Trials};
use crate::experiment::RunError;

/// Most records a row keeps: its curves are drawn, not analysed.
pub const MAX_ROW_RECORDS: u64 = 4000;
use crate::model::spectral::LossVariant;

/// What is left to do, in order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    Run(LossVariant, Policy),
    Search(LossVariant),
}

/// The run in progress.
enum Active<R> {
    Run(LossVariant, Policy, R),
    Probe(LossVariant, f64, R),
}

/// Where a comparison is, for a progress line.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Tasks (runs and searches) finished, of `total`.
    pub done: usize,
    pub total: usize,
    /// What runs now, e.g. `sharp at η = 1.2e-2 (probe)`.
    pub current: String,
}

/// A comparison in progress.
pub struct Comparison<T: Trials> {
    cfg: AppgConfig,
    setting: Setting,
    trials: T,
    tasks: VecDeque<Task>,
    total_tasks: usize,
    active: Option<Active<T::Trial>>,
    searches: Vec<(LossVariant, EtaSearch)>,
    rows: Vec<ComparisonRow>,
    backend_name: String,
    /// Steps of every run and probe so far (the two settling steps of a probe not counted).
    steps_done: u64,
}

impl<T: Trials> Comparison<T> {
    /// Plans the comparison of `cfg` with runs from `trials`.
    pub fn new(cfg: &AppgConfig, trials: T) -> Self {
        let variants = cfg.variants.list();
        let mut tasks = VecDeque::from([Task::Run(LossVariant::Baseline, Policy::Equal)]);
        if cfg.eta.equal() {
            for v in variants.iter().skip(1) {
                tasks.push_back(Task::Run(*v, Policy::Equal));
            }
        }
        if cfg.eta.stable() {
            for v in &variants {
                tasks.push_back(Task::Search(*v));
                tasks.push_back(Task::Run(*v, Policy::Stable));
            }
        }
        let setting = trials.setting();
        let mut cfg = cfg.clone();
        cfg.resolve(setting.lr, setting.steps);
        Self {
            total_tasks: tasks.len(),
            cfg,
            setting,
            trials,
            tasks,
            active: None,
            searches: Vec::new(),
            rows: Vec::new(),
            backend_name: String::new(),
            steps_done: 0,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.tasks.is_empty() && self.active.is_none()
    }

    pub fn progress(&self) -> Progress {
        let current = match &self.active {
            Some(Active::Run(v, p, run)) => format!(
                "{} at η = {:.3e}, step {} of {}",
                v.name(),
                self.eta_for(*v, *p).unwrap_or(0.0),
                run.step(),
                run.total_steps()
            ),
            Some(Active::Probe(v, eta, _)) => {
                format!("{}: probing η = {eta:.3e} for stability", v.name())
            }
            None => String::new(),
        };
        Progress {
            done: self.total_tasks - self.tasks.len() - usize::from(self.active.is_some()),
            total: self.total_tasks,
            current,
        }
    }

    /// What makes the runs (e.g. to reach a GPU backend's device).
    pub fn trials(&self) -> &T {
        &self.trials
    }

    /// The rows finished so far.
    pub fn rows(&self) -> &[ComparisonRow] {
        &self.rows
    }

    /// The run in progress as a partial row (its records so far, no speedup), for live
    /// figures; `None` between runs and while a stable-η search probes.
    pub fn current_row(&self) -> Option<ComparisonRow> {
        match &self.active {
            Some(Active::Run(v, p, run)) => {
                let eta = self.eta_for(*v, *p).unwrap_or(0.0);
                Some(build_row(*v, *p, eta, run, None, self.cfg.threshold))
            }
            _ => None,
        }
    }

    /// Runs about `budget` steps (at least one recording interval); true once finished.
    pub async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        let mut left = budget.max(1);
        while left > 0 && !self.is_finished() {
            if self.active.is_none() && !self.start_next().await? {
                continue;
            }
            let Some(active) = self.active.as_mut() else {
                continue;
            };
            let run = match active {
                Active::Run(_, _, run) | Active::Probe(_, _, run) => run,
            };
            let before = run.step();
            let outcome = run.advance(left).await;
            let stepped = run.step() - before;
            self.steps_done += stepped;
            left = left.saturating_sub(stepped.max(1));
            match outcome {
                Ok(false) => {}
                Ok(true) => self.complete(None).await?,
                Err(RunError::Diverged { step, .. } | RunError::MlpDiverged { step, .. }) => {
                    self.complete(Some(step)).await?
                }
                Err(e) => return Err(e),
            }
        }
        Ok(self.is_finished())
    }

    /// Runs to the end.
    pub async fn finish(&mut self) -> Result<(), RunError> {
        while !self.advance(u64::MAX).await? {}
        Ok(())
    }

    /// Starts the next task's run; false when the task ended without one (a search that is
    /// over, a stable run without a stable η).
    async fn start_next(&mut self) -> Result<bool, RunError> {
        let Some(task) = self.tasks.front().copied() else {
            return Ok(false);
        };
        match task {
            Task::Run(v, p) => {
                self.tasks.pop_front();
                let Some(eta) = self.eta_for(v, p) else {
                    self.rows.push(self.no_stable_eta_row(v));
                    return Ok(false);
                };
                let plan = run_plan(&self.setting, eta);
                let run = self.start_run(v, plan).await?;
                self.active = Some(Active::Run(v, p, run));
            }
            Task::Search(v) => {
                if !self.searches.iter().any(|(s, _)| *s == v) {
                    let search = EtaSearch::new(self.setting.lr, &self.cfg.finder);
                    self.searches.push((v, search));
                }
                let next = self.search(v).and_then(EtaSearch::next);
                let Some(eta) = next else {
                    self.tasks.pop_front();
                    return Ok(false);
                };
                let plan = probe_plan(&self.setting, eta, self.probe_t());
                let run = self.start_run(v, plan).await?;
                self.active = Some(Active::Probe(v, eta, run));
            }
        }
        Ok(true)
    }

    async fn start_run(&mut self, v: LossVariant, plan: TrialPlan) -> Result<T::Trial, RunError> {
        let trial = self.trials.start(v, plan).await?;
        if self.backend_name.is_empty() {
            self.backend_name = trial.backend_name();
        }
        Ok(trial)
    }

    /// Ends the active run (diverged at `diverged` when given).
    async fn complete(&mut self, diverged: Option<u64>) -> Result<(), RunError> {
        match self.active.take() {
            Some(Active::Run(v, p, run)) => {
                let eta = self.eta_for(v, p).unwrap_or(0.0);
                let row = build_row(v, p, eta, &run, diverged, self.cfg.threshold);
                self.rows.push(row);
            }
            Some(Active::Probe(v, eta, mut run)) => {
                let stable = diverged.is_none() && settled(&mut run).await?;
                if let Some(s) = self.search_mut(v) {
                    s.report(eta, stable);
                }
            }
            None => {}
        }
        Ok(())
    }

    fn search(&self, v: LossVariant) -> Option<&EtaSearch> {
        self.searches.iter().find(|(s, _)| *s == v).map(|x| &x.1)
    }

    fn search_mut(&mut self, v: LossVariant) -> Option<&mut EtaSearch> {
        self.searches
            .iter_mut()
            .find(|(s, _)| *s == v)
            .map(|x| &mut x.1)
    }

    fn eta_for(&self, v: LossVariant, p: Policy) -> Option<f64> {
        match p {
            Policy::Equal => Some(self.setting.lr),
            Policy::Stable => self.search(v).and_then(EtaSearch::result),
        }
    }

    /// The time a probe runs: `probe_factor` times the time the baseline (equal η) took to
    /// learn its top mode, or its whole run's time if it never did.
    fn probe_t(&self) -> f64 {
        let whole = self.setting.lr * self.setting.steps as f64;
        let top = self
            .rows
            .iter()
            .find(|r| r.variant == LossVariant::Baseline && r.policy == Policy::Equal)
            .and_then(|r| {
                r.records.iter().find(|x| {
                    x.eigenvalues
                        .first()
                        .is_some_and(|l| *l > self.cfg.threshold)
                })
            })
            .map_or(whole, |x| x.t);
        (self.cfg.finder.probe_factor * top).min(whole.max(top))
    }

    fn no_stable_eta_row(&self, v: LossVariant) -> ComparisonRow {
        ComparisonRow {
            variant: v,
            policy: Policy::Stable,
            eta: 0.0,
            steps: 0,
            steps_to_all: None,
            t_to_all: None,
            speedup: None,
            final_loss: None,
            final_eigenvalues: Vec::new(),
            diverged: false,
            failure: Some("no stable η found, even far below the baseline's".into()),
            records: Vec::new(),
        }
    }

    /// The finished comparison.
    pub fn result(&self) -> AppgResult {
        let mut rows = self.rows.clone();
        fill_speedups(&mut rows);
        let probe_t = self.probe_t();
        AppgResult {
            config: self.cfg.clone(),
            backend: self.backend_name.clone(),
            m: self.setting.m,
            gamma_1: self.setting.gamma_1,
            local_images: self.setting.local_images,
            eta_baseline: self.setting.lr,
            steps: self.setting.steps,
            stable: self
                .searches
                .iter()
                .map(|(v, s)| StableEta {
                    variant: *v,
                    eta: s.result(),
                    at_limit: s.at_limit(),
                    probe_t,
                    probes: s.probes().to_vec(),
                })
                .collect(),
            rows,
            backend_choice: None,
        }
    }
}

/// A full run at `eta`: the baseline's step budget, recorded at the baseline's interval in
/// t (so at least as often in steps, never more than [`MAX_ROW_RECORDS`] times).
fn run_plan(base: &Setting, eta: f64) -> TrialPlan {
    let in_t = (base.record_every as f64 * base.lr / eta).round() as u64;
    let cap = base.steps.div_ceil(MAX_ROW_RECORDS);
    TrialPlan {
        lr: eta,
        total_steps: base.steps,
        record_every: in_t.min(base.record_every).max(cap).max(1),
    }
}

/// A finished (or diverged) run as a table row, with the variant's own loss.
fn build_row<R: Trial>(
    v: LossVariant,
    p: Policy,
    eta: f64,
    run: &R,
    diverged: Option<u64>,
    threshold: f64,
) -> ComparisonRow {
    let mut records = run.records().to_vec();
    if v != LossVariant::Precondition {
        records
            .iter_mut()
            .for_each(|r| r.loss = v.loss(&r.eigenvalues));
    }
    let all = first_all_above(&records, threshold);
    let last = records.last();
    ComparisonRow {
        variant: v,
        policy: p,
        eta,
        steps: diverged.unwrap_or(run.step()),
        steps_to_all: all.map(|r| r.step),
        t_to_all: all.map(|r| r.t),
        speedup: None,
        final_loss: last.filter(|_| diverged.is_none()).map(|r| r.loss),
        final_eigenvalues: last.map(|r| r.eigenvalues.clone()).unwrap_or_default(),
        diverged: diverged.is_some(),
        failure: diverged.map(|s| format!("diverged by step {s} at η = {eta:.3e}")),
        records,
    }
}

/// A comparison as one stepper: its step is the steps done over all its runs and probes; its
/// total is an estimate that can grow: the steps done, the active run's remaining steps, and
/// one full run's steps for each task still queued (a stable-η search counts as one run
/// although its probes may take more or fewer steps). Replaying the same budgets on another
/// backend reaches the same task at the same step (runs stop on their record steps).
impl<T: Trials> crate::experiment::session::Stepper for Comparison<T> {
    async fn advance(&mut self, budget: u64) -> Result<bool, RunError> {
        Comparison::advance(self, budget).await
    }

    fn step(&self) -> u64 {
        self.steps_done
    }

    fn total_steps(&self) -> u64 {
        let active = match &self.active {
            Some(Active::Run(_, _, run) | Active::Probe(_, _, run)) => {
                run.total_steps().saturating_sub(run.step())
            }
            None => 0,
        };
        self.steps_done + active + self.tasks.len() as u64 * self.setting.steps
    }

    fn is_finished(&self) -> bool {
        Comparison::is_finished(self)
    }
}
