//! Assembling a [`RunResult`] from a finished run, and the one-call CPU run.

use super::prepare::{prepare_with_photos, Prepared};
use super::result::{DataExport, Record, RunResult, TheoryResult};
use super::run::LinearRun;
use super::schedule::record_steps;
use super::{LinearBackend, RunConfig, RunError};
use crate::data::photos::Photo;
use crate::theory::LinearTheory;

/// How many of Γ's top eigenvalues a result lists.
const GAMMA_TOP: usize = 32;

/// The recording grid of a whole run ([`record_steps`]: early geometric steps, then 0, k,
/// 2k, … and the last step), at their times t = η·step and without values: where the
/// theory is drawn ahead of the run.
pub fn record_grid(steps: u64, record_every: u64, lr: f64) -> Vec<Record> {
    let grid = record_steps(steps, record_every);
    let record = |step: u64| Record {
        t: lr * step as f64,
        step,
        loss: 0.0,
        eigenvalues: Vec::new(),
    };
    grid.into_iter().map(record).collect()
}

/// The theory's records on the given time grid.
pub fn theory_records(theory: &LinearTheory, grid: &[Record]) -> Vec<Record> {
    grid.iter()
        .map(|r| {
            let p = theory.at(r.t);
            Record {
                t: r.t,
                step: r.step,
                loss: p.loss,
                eigenvalues: p.eigenvalues,
            }
        })
        .collect()
}

/// The result of a finished run (with the data as used when `export_data`).
pub fn assemble<B: LinearBackend>(
    prep: &Prepared,
    run: &LinearRun<B>,
    export_data: bool,
) -> RunResult {
    RunResult {
        data_digest: prep.data_digest(),
        ..assemble_without_digest(prep, run, export_data)
    }
}

/// [`assemble`] with an empty `data_digest`: a page's live result, which gets
/// [`Prepared::data_digest`] only when it leaves the page.
pub fn assemble_without_digest<B: LinearBackend>(
    prep: &Prepared,
    run: &LinearRun<B>,
    export_data: bool,
) -> RunResult {
    let m = prep.pairs.m;
    // the truncated solver knows only the modes it kept
    let keep = (prep.config.d + 1)
        .max(GAMMA_TOP)
        .min(m)
        .min(prep.eigen.values.len());
    let rows = |v: &[f32], width: usize| v.chunks(width).map(<[f32]>::to_vec).collect();
    RunResult {
        config: prep.config.clone(),
        backend: run.backend().name(),
        m,
        gamma_top: prep.eigen.values[..keep].to_vec(),
        data_digest: String::new(),
        records: run.records().to_vec(),
        theory: TheoryResult {
            s0: prep.theory.s0.clone(),
            tau: prep.theory.taus(),
            records: theory_records(&prep.theory, run.records()),
        },
        data: export_data.then(|| DataExport {
            x: rows(&prep.pairs.x, m),
            x_prime: rows(&prep.pairs.x_prime, m),
            w0: rows(&prep.w0, m),
        }),
        truncation: prep
            .truncation
            .as_ref()
            .map(|t| t.report(prep.lr(), run.records())),
        local_images: prep.local_images,
        backend_choice: None,
    }
}

/// Prepares and runs `cfg` to the end on the CPU backend.
pub fn run_cpu(cfg: &RunConfig, export_data: bool) -> Result<RunResult, RunError> {
    run_cpu_with_photos(cfg, export_data, None)
}

/// [`run_cpu`] with the photo patches cut from `local` photos (your own images) when given.
pub fn run_cpu_with_photos(
    cfg: &RunConfig,
    export_data: bool,
    local: Option<&[Photo]>,
) -> Result<RunResult, RunError> {
    let prep = prepare_with_photos(cfg, local)?;
    let backend = prep.cpu_backend();
    pollster::block_on(async {
        let mut run = LinearRun::start(backend, &prep).await?;
        run.finish().await?;
        Ok(assemble(&prep, &run, export_data))
    })
}
