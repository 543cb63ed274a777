//! `stepwise bench`: our implementation against a reference on the same work, in one run,
//! as ratios. `bench fig1` times the complete linear result (records plus theory) of each
//! CPU solver against `bench/reference_linear.py` (NumPy, literal float32 gradient descent
//! on the data and W(0) exported from this run) and compares trajectories; `bench matmul`
//! times the WGSL matmul kernels against faer (see `bench_matmul.rs`). `--gpu` adds the same
//! run on the wgpu backend (`bench_gpu.rs`). `bench deep` times deep-network training steps
//! on the CPU and the GPU (`bench_deep.rs`), `bench mlp` the MLP's (`bench_mlp.rs`).

use crate::stdout::say;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use stepwise::experiment::phases::{self, Phases};
use stepwise::experiment::{self, overrides, Prepared, Record, RunConfig, RunResult, Solver};
use stepwise::gpu::GpuContext;

use crate::error::{CliError, Usage};

use super::bench_deep;
use super::bench_gpu;
use super::bench_matmul::{self, MatmulRow};
use super::bench_mlp;
use super::bench_reference::{self, gap, Reference};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// What to measure: `fig1` (the linear run against NumPy), `matmul` (WGSL kernels
    /// against faer), `all` (both), `deep` (deep-network training steps, CPU and --gpu) or
    /// `mlp` (MLP training steps, CPU and --gpu, with dispatches and time per kernel).
    what: String,
    /// The linear run: a preset (fig1 by default) or a JSON config file.
    #[arg(long, default_value = "fig1")]
    config: String,
    /// Override a config key by its dotted name (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Timed runs of each of our solvers (best and median are reported).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Timed runs of the NumPy reference.
    #[arg(long, default_value_t = 2)]
    reference_repeat: usize,
    /// BLAS threads of the reference (OPENBLAS/OMP/MKL_NUM_THREADS): 1 by default, as our
    /// CPU solvers run on one thread; 0 leaves NumPy's default (all cores).
    #[arg(long, default_value_t = 1)]
    reference_threads: usize,
    /// Python interpreter with NumPy.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The NumPy reference script.
    #[arg(long, default_value = "bench/reference_linear.py")]
    reference: PathBuf,
    /// Skip the float64 run of the reference (the exact literal trajectory, ~3x slower).
    #[arg(long)]
    no_exact: bool,
    /// Also time our literal f32 solver (d·m² per step: seconds).
    #[arg(long)]
    literal: bool,
    /// Also time the run on the GPU backend (wgpu; Mesa's lavapipe without a GPU) with the
    /// truncated and the eigenbasis solver.
    #[arg(long)]
    gpu: bool,
    /// `bench deep` / `bench mlp`: a preset to time (repeatable; default resnet-bt and
    /// resnet-bt-small, or fig2-bt and mlp-small-bt).
    #[arg(long = "preset", value_name = "NAME")]
    presets: Vec<String>,
    /// `bench deep` / `bench mlp`: timed training steps per preset and backend (after one
    /// warm-up step); default: about 20 GFLOP of steps (3 of resnet-bt, 100 of
    /// resnet-bt-small) or 2e9 multiply-adds (12 of fig2-bt).
    #[arg(long)]
    steps: Option<usize>,
    /// Write every number as JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One implementation's timings on the linear run.
#[derive(Debug, Clone, Serialize)]
struct Timed {
    name: String,
    /// Seconds to the complete result, every run.
    totals: Vec<f64>,
    /// Seconds in the gradient steps (best run).
    steps_s: f64,
    steps: u64,
    /// max |Δλ| against the NumPy float32 reference and the float64 literal trajectory.
    gap_f32: Option<f64>,
    gap_f64: Option<f64>,
    /// Where the time goes (ours only).
    phases: Option<Phases>,
    /// The truncated solver's kept modes and error bound.
    truncation: Option<serde_json::Value>,
    /// GPU rows: dispatches per step.
    dispatches: Option<bench_gpu::Dispatches>,
}

impl Timed {
    /// A row with these timings and nothing else yet.
    fn new(totals: Vec<f64>, steps_s: f64) -> Self {
        Self {
            name: String::new(),
            totals,
            steps_s,
            steps: 0,
            gap_f32: None,
            gap_f64: None,
            phases: None,
            truncation: None,
            dispatches: None,
        }
    }

    fn best(&self) -> f64 {
        self.totals.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn median(&self) -> f64 {
        let mut v = self.totals.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    fn per_step_us(&self) -> f64 {
        1e6 * self.steps_s / self.steps.max(1) as f64
    }
}

#[derive(Serialize)]
struct Report {
    config: RunConfig,
    m: usize,
    records: usize,
    numpy: Option<String>,
    rows: Vec<Timed>,
    matmul: Vec<MatmulRow>,
}

pub fn bench(args: &BenchArgs) -> Result<(), CliError> {
    if args.what == "deep" {
        let rows = bench_deep::bench_deep(&args.presets, args.steps, args.gpu)?;
        if let Some(path) = &args.out {
            super::write_output(path, &serde_json::to_string_pretty(&rows)?)?;
        }
        return Ok(());
    }
    if args.what == "mlp" {
        let rows = bench_mlp::bench_mlp(&args.presets, args.steps, args.gpu)?;
        if let Some(path) = &args.out {
            super::write_output(path, &serde_json::to_string_pretty(&rows)?)?;
        }
        return Ok(());
    }
    let (linear, matmul) = match args.what.as_str() {
        "fig1" => (true, false),
        "matmul" => (false, true),
        "all" => (true, true),
        other => return Err(Usage::UnknownBenchmark(other.to_string()).into()),
    };
    let mut report = None;
    if linear {
        report = Some(bench_linear(args)?);
    }
    let rows = if matmul {
        bench_matmul::run_all()?
    } else {
        Vec::new()
    };
    if let Some(path) = &args.out {
        let json = match report {
            Some(mut r) => {
                r.matmul = rows;
                serde_json::to_string_pretty(&r)
            }
            None => serde_json::to_string_pretty(&rows),
        }?;
        super::write_output(path, &json)?;
    }
    Ok(())
}

fn bench_linear(args: &BenchArgs) -> Result<Report, CliError> {
    let cfg = match super::load_config(&args.config)? {
        super::Loaded::Linear(cfg) => cfg,
        super::Loaded::Mlp(_) | super::Loaded::Deep(_) => {
            return Err(Usage::BenchNeedsLinear.into())
        }
    };
    let cfg = overrides::apply_all(cfg, &args.set)?;
    let mut solvers = vec![Solver::Truncated, Solver::Eigenbasis];
    if args.literal {
        solvers.push(Solver::Literal);
    }
    let mut rows = Vec::new();
    let mut ours = Vec::new();
    for solver in solvers {
        let cfg = RunConfig {
            solver,
            ..cfg.clone()
        };
        let (mut timed, result) = time_ours(&cfg, args.repeat.max(1))?;
        timed.name = format!("stepwise {} ({})", solver_name(solver), result.backend);
        rows.push(timed);
        ours.push(result);
    }
    if args.gpu {
        let ctx = pollster::block_on(GpuContext::new())?;
        let adapter = ctx.adapter_info.name.split(' ').next().unwrap_or_default();
        let adapter = adapter.to_string();
        for solver in [Solver::Truncated, Solver::Eigenbasis] {
            let cfg = RunConfig {
                solver,
                ..cfg.clone()
            };
            let t = bench_gpu::time_gpu(&ctx, &cfg, args.repeat)?;
            rows.push(Timed {
                name: format!(
                    "stepwise {} ({} on {adapter})",
                    solver_name(solver),
                    t.result.backend.split(" (").next().unwrap_or_default()
                ),
                steps: t.result.config.steps.unwrap_or(0),
                dispatches: Some(t.dispatches),
                ..Timed::new(t.totals, t.steps_s)
            });
            ours.push(t.result);
        }
    }
    let prep = experiment::prepare(&cfg)?;
    let dir = std::env::temp_dir().join(format!("stepwise-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| CliError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let outcome = run_references(args, &prep, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    let (reference, exact, numpy) = outcome?;
    for (row, result) in rows.iter_mut().zip(&ours) {
        row.gap_f32 = Some(gap(&result.records, &reference.0)?);
        row.gap_f64 = exact
            .as_ref()
            .map(|e| gap(&result.records, e))
            .transpose()?;
    }
    let mut reference_row = reference.1;
    reference_row.gap_f64 = exact.as_ref().map(|e| gap(&reference.0, e)).transpose()?;
    rows.insert(0, reference_row);
    print_linear(&args.config, &prep, &rows);
    Ok(Report {
        config: prep.config.clone(),
        m: prep.pairs.m,
        records: reference.0.len(),
        numpy: Some(numpy),
        rows,
        matmul: Vec::new(),
    })
}

fn solver_name(solver: Solver) -> &'static str {
    match solver {
        Solver::Truncated => "truncated",
        Solver::Eigenbasis => "eigenbasis",
        Solver::Literal => "literal",
    }
}

/// Times `cfg`'s complete CPU run `repeat` times, then once more phase by phase.
fn time_ours(cfg: &RunConfig, repeat: usize) -> Result<(Timed, RunResult), CliError> {
    let mut totals = Vec::new();
    let mut result = None;
    for _ in 0..repeat {
        let started = Instant::now();
        let r = experiment::run_cpu(cfg, false)?;
        totals.push(started.elapsed().as_secs_f64());
        result = Some(r);
    }
    let result = result.ok_or(Usage::NoRepeat)?;
    let origin = Instant::now();
    let phases = phases::measure(cfg, || origin.elapsed().as_secs_f64())?;
    let timed = Timed {
        steps: result.config.steps.unwrap_or(0),
        truncation: result
            .truncation
            .as_ref()
            .and_then(|t| serde_json::to_value(t).ok()),
        ..Timed::new(totals, phases.steps)
    };
    let timed = Timed {
        phases: Some(phases),
        ..timed
    };
    Ok((timed, result))
}

type Trajectory = (Vec<Record>, Timed);

/// Exports the data and runs the reference: float32 (timed) and float64 (exact).
fn run_references(
    args: &BenchArgs,
    prep: &Prepared,
    dir: &Path,
) -> Result<(Trajectory, Option<Vec<Record>>, String), CliError> {
    let data = dir.join("data.json");
    bench_reference::export(prep, &data)?;
    let out = dir.join("reference.json");
    let reference = Reference {
        python: &args.python,
        script: &args.reference,
        threads: args.reference_threads,
    };
    let mut totals = Vec::new();
    let (mut records, mut steps_s, mut numpy) = (Vec::new(), f64::INFINITY, String::new());
    for _ in 0..args.reference_repeat.max(1) {
        let r = reference.run(&data, &out, "float32")?;
        totals.push(r.timing.total_s);
        steps_s = steps_s.min(r.timing.steps_s);
        (records, numpy) = (r.records, r.numpy);
    }
    let timed = Timed {
        name: format!("numpy-f32 literal ({})", reference.threads_label()),
        steps: prep.steps(),
        gap_f32: Some(0.0),
        ..Timed::new(totals, steps_s)
    };
    let exact = if args.no_exact {
        None
    } else {
        Some(reference.run(&data, &out, "float64")?.records)
    };
    Ok(((records, timed), exact, numpy))
}

fn print_linear(name: &str, prep: &Prepared, rows: &[Timed]) {
    let reference = &rows[0];
    say!(
        "linear run `{name}`: m = {}, d = {}, {} steps; total = time to the complete result \
         (records + theory), best of the runs [median]",
        prep.pairs.m,
        prep.config.d,
        prep.steps()
    );
    say!(
        "{:<52} {:>16} {:>12} {:>10} {:>10} {:>12} {:>12}",
        "implementation",
        "total (s)",
        "µs / step",
        "speedup",
        "per step",
        "|Δλ| f32 ref",
        "|Δλ| f64 lit"
    );
    let fmt_gap = |g: Option<f64>| g.map_or("-".into(), |g| format!("{g:.2e}"));
    for row in rows {
        say!(
            "{:<52} {:>7.3} [{:>6.3}] {:>12.2} {:>9.1}x {:>9.1}x {:>12} {:>12}",
            row.name,
            row.best(),
            row.median(),
            row.per_step_us(),
            reference.best() / row.best(),
            reference.per_step_us() / row.per_step_us(),
            fmt_gap(row.gap_f32),
            fmt_gap(row.gap_f64)
        );
    }
    for row in rows {
        if let Some(p) = &row.phases {
            say!("  {:<50} {}", row.name, p.summary());
        }
        if let Some(n) = &row.dispatches {
            say!(
                "  {:<50} {:.3} GPU dispatches per step over the run ({} per {} step(s) planned)",
                row.name,
                n.measured_per_step,
                n.plan_dispatches,
                n.plan_steps
            );
        }
        if let Some(t) = &row.truncation {
            let get = |key: &str| t.get(key).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
            say!(
                "  {:<50} K = {} modes kept (γ_K+1 ≤ {:.4}); bound on the dropped modes' \
                 share of C: ε = {:.1e}",
                row.name,
                get("kept"),
                get("gamma_next"),
                get("bound")
            );
        }
    }
}
