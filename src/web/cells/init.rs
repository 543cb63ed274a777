//! Cell 3 ("Any small init follows an aligned one", Result 4.6) for the page: the same run
//! from a random W(0) and from the aligned one, computed in one step in the worker.

use serde::Serialize;
use serde_json::Value;

use super::{computed, no_download, to_value, CreateRequest, Download, Point, Target, WebCell};
use crate::experiment::cells;
use crate::experiment::session::{InitCell, Session};
use crate::experiment::{Prepared, RunConfig, Solver};
use crate::plot::{init_comparison_svg, FigureOptions};
use crate::web::canvas::{self, DrawError, Drawn};
use crate::web::error::HostError;
use crate::web::page_session::Exported;
use crate::web::protocol::{CellId, ExportFormat, Extra};
use crate::web::readout::figure_readout;

// Costs in nanoseconds of Chromium's wasm on a 2020s x86 core (measured over planted and
// photo-patch runs with m from 8 to 1200 and d from 4 to 32; good to about 2x).

/// One prepare: the data, Γ (n·m² multiply-adds) and its eigendecomposition (~m³).
fn prepare_ns(cfg: &RunConfig) -> f64 {
    let (n, m) = (cfg.dataset.n as f64, cfg.dataset.m() as f64);
    0.8 * (n * m * m + m * m * m)
}

/// One gradient step of the configured solver (d x m weights).
fn step_ns(cfg: &RunConfig, m: f64) -> f64 {
    let d = cfg.d as f64;
    let common = 1.5 * d * d * m + 6.0 * d * m + 300.0;
    match cfg.solver {
        Solver::Eigenbasis | Solver::Truncated => common,
        Solver::Literal => common + d * m * m,
    }
}

/// Seconds of the two runs of [`cells::init_comparison`] (with the eigenvalues of C at
/// every record).
fn runs_seconds(prep: &Prepared) -> f64 {
    let cfg = &prep.config;
    let steps = prep.steps() as f64;
    let records = steps / cfg.record_every.max(1) as f64;
    let d = cfg.d as f64;
    let run = steps * step_ns(cfg, prep.pairs.m as f64) + records * (1500.0 + 20.0 * d * d * d);
    2.0 * run * 1e-9
}

/// Refuses a comparison estimated to take longer than `limit` seconds (preparing the data
/// twice: here for the step count, and in the comparison).
fn within(cfg: &RunConfig, limit: f64) -> Result<(), HostError> {
    let too_slow = |seconds, what| HostError::TooSlow {
        seconds,
        what,
        limit,
    };
    let (n, m) = (cfg.dataset.n, cfg.dataset.m());
    let data = 2.0 * prepare_ns(cfg) * 1e-9;
    if data > limit {
        return Err(too_slow(data, format!("Γ of n = {n} pairs, m = {m}")));
    }
    let prep = cells::prepare_init(cfg)?;
    let seconds = data + runs_seconds(&prep);
    if seconds > limit {
        let what = format!("2 runs of {} steps at d = {}, m = {m}", prep.steps(), cfg.d);
        return Err(too_slow(seconds, what));
    }
    Ok(())
}

#[derive(Serialize)]
struct Summary<'a> {
    max_gap: f64,
    aligned_theory_gap: f64,
    steps: u64,
    records: usize,
    lr: f64,
    gamma: &'a [f64],
    s0: &'a [f64],
    tau: &'a [Option<f64>],
}

impl WebCell for InitCell {
    const ID: CellId = CellId::Init;

    fn for_request(_request: &CreateRequest) -> Self {
        InitCell
    }

    fn precheck(config: &RunConfig, request: &CreateRequest) -> Result<(), HostError> {
        match request.max_seconds {
            Some(limit) if limit.is_finite() && limit > 0.0 => within(config, limit),
            _ => Ok(()),
        }
    }

    fn draw(session: &Session<Self>, target: &Target<'_>) -> Result<Drawn, HostError> {
        let cmp = computed(session.live(), Self::ID)?;
        Ok(canvas::draw_init(
            &target.screen,
            cmp,
            target.view.log_time,
        )?)
    }

    fn readout(session: &Session<Self>, at: &Point<'_>) -> Option<Value> {
        let cmp = session.live().as_ref()?;
        let gaps = cmp.gap_records();
        let sources = [(&cmp.random[..], &cmp.aligned[..]), (&gaps[..], &[][..])];
        Some(to_value(&figure_readout(at.drawn, &sources, at.x, at.y)?))
    }

    fn export(session: &Session<Self>, download: &Download<'_>) -> Result<Exported, HostError> {
        let cmp = computed(session.live(), Self::ID)?;
        let opts = FigureOptions {
            log_time: download.log_time,
            ..FigureOptions::default()
        };
        let text = match download.format {
            ExportFormat::Svg => init_comparison_svg(cmp, &opts).map_err(DrawError::from)?,
            ExportFormat::Json => serde_json::to_string(cmp)?,
            _ => return Err(no_download(Self::ID)),
        };
        Ok(Exported::Text(text))
    }

    async fn extra(session: &mut Session<Self>, extra: &Extra) -> Result<Value, HostError> {
        match extra {
            Extra::Summary => {
                let cmp = computed(session.live(), Self::ID)?;
                Ok(to_value(&Summary {
                    max_gap: cmp.max_gap(),
                    aligned_theory_gap: cmp.max_aligned_theory_gap(),
                    steps: cmp.config.steps.unwrap_or(0),
                    records: cmp.random.len(),
                    lr: cmp.config.lr.unwrap_or(0.0),
                    gamma: &cmp.gamma,
                    s0: &cmp.s0,
                    tau: &cmp.tau,
                }))
            }
            other => Err(super::not_in_cell(Self::ID, other)),
        }
    }
}
