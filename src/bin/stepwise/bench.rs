//! `stepwise bench`: our implementation against a reference on the same work, in one run,
//! as ratios. `bench fig1` times the complete linear result (records plus theory) of each
//! CPU solver against `bench/reference_linear.py` (NumPy, literal float32 gradient descent
//! on the data and W(0) exported from this run) and compares trajectories; `bench matmul`
//! times the WGSL matmul kernels against faer (see `bench_matmul.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use stepwise::experiment::{
    self, overrides, DataExport, Prepared, Record, RunConfig, RunResult, Solver,
};

use super::bench_matmul::{self, MatmulRow};
use super::bench_phases::{self, Phases};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// What to measure: `fig1` (the linear run against NumPy), `matmul` (WGSL kernels
    /// against faer) or `all`.
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
}

impl Timed {
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

/// What the reference script writes.
#[derive(Deserialize)]
struct ReferenceOut {
    records: Vec<Record>,
    timing: ReferenceTiming,
    numpy: String,
}

#[derive(Deserialize)]
struct ReferenceTiming {
    total_s: f64,
    steps_s: f64,
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

pub fn bench(args: &BenchArgs) -> Result<(), String> {
    let (linear, matmul) = match args.what.as_str() {
        "fig1" => (true, false),
        "matmul" => (false, true),
        "all" => (true, true),
        other => {
            return Err(format!(
                "unknown benchmark `{other}`: use fig1, matmul or all"
            ))
        }
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
        }
        .map_err(|e| e.to_string())?;
        super::write_output(path, &json)?;
    }
    Ok(())
}

fn bench_linear(args: &BenchArgs) -> Result<Report, String> {
    let cfg = match super::load_config(&args.config)? {
        super::Loaded::Linear(cfg) => cfg,
        super::Loaded::Mlp(_) => return Err("bench fig1 takes a linear configuration".into()),
    };
    let cfg = overrides::apply_all(cfg, &args.set).map_err(|e| e.to_string())?;
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
    let prep = experiment::prepare(&cfg).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("stepwise-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
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
fn time_ours(cfg: &RunConfig, repeat: usize) -> Result<(Timed, RunResult), String> {
    let mut totals = Vec::new();
    let mut result = None;
    for _ in 0..repeat {
        let started = Instant::now();
        let r = experiment::run_cpu(cfg, false).map_err(|e| e.to_string())?;
        totals.push(started.elapsed().as_secs_f64());
        result = Some(r);
    }
    let result = result.ok_or("no run")?;
    let phases = bench_phases::measure(cfg)?;
    let timed = Timed {
        name: String::new(),
        totals,
        steps_s: phases.steps,
        steps: result.config.steps.unwrap_or(0),
        gap_f32: None,
        gap_f64: None,
        phases: Some(phases),
        truncation: result
            .truncation
            .as_ref()
            .and_then(|t| serde_json::to_value(t).ok()),
    };
    Ok((timed, result))
}

type Trajectory = (Vec<Record>, Timed);

/// Exports the data and runs the reference: float32 (timed) and float64 (exact).
fn run_references(
    args: &BenchArgs,
    prep: &Prepared,
    dir: &Path,
) -> Result<(Trajectory, Option<Vec<Record>>, String), String> {
    let data = dir.join("data.json");
    export(prep, &data)?;
    let out = dir.join("reference.json");
    let mut totals = Vec::new();
    let (mut records, mut steps_s, mut numpy) = (Vec::new(), f64::INFINITY, String::new());
    for _ in 0..args.reference_repeat.max(1) {
        let r = reference(args, &data, &out, "float32")?;
        totals.push(r.timing.total_s);
        steps_s = steps_s.min(r.timing.steps_s);
        (records, numpy) = (r.records, r.numpy);
    }
    let threads = match args.reference_threads {
        0 => "default threads".to_string(),
        n => format!("{n} thread{}", if n == 1 { "" } else { "s" }),
    };
    let timed = Timed {
        name: format!("numpy-f32 literal ({threads})"),
        totals,
        steps_s,
        steps: prep.steps(),
        gap_f32: Some(0.0),
        gap_f64: None,
        phases: None,
        truncation: None,
    };
    let exact = if args.no_exact {
        None
    } else {
        Some(reference(args, &data, &out, "float64")?.records)
    };
    Ok(((records, timed), exact, numpy))
}

/// The data and W(0) exactly as used, with the resolved configuration.
fn export(prep: &Prepared, path: &Path) -> Result<(), String> {
    let m = prep.pairs.m;
    let rows = |v: &[f32]| v.chunks(m).map(<[f32]>::to_vec).collect();
    #[derive(Serialize)]
    struct Export<'a> {
        config: &'a RunConfig,
        data: DataExport,
    }
    let export = Export {
        config: &prep.config,
        data: DataExport {
            x: rows(&prep.pairs.x),
            x_prime: rows(&prep.pairs.x_prime),
            w0: rows(&prep.w0),
        },
    };
    let json = serde_json::to_string(&export).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn reference(
    args: &BenchArgs,
    data: &Path,
    out: &Path,
    dtype: &str,
) -> Result<ReferenceOut, String> {
    let mut command = Command::new(&args.python);
    if args.reference_threads > 0 {
        let n = args.reference_threads.to_string();
        for var in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
            command.env(var, &n);
        }
    }
    let status = command
        .arg(&args.reference)
        .arg(data)
        .arg(out)
        .args(["--dtype", dtype])
        .status()
        .map_err(|e| format!("cannot run {}: {e}", args.python))?;
    if !status.success() {
        return Err(format!(
            "{} {} failed ({status}); is NumPy installed (pip install numpy)?",
            args.python,
            args.reference.display()
        ));
    }
    let text = std::fs::read_to_string(out).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("reference output: {e}"))
}

/// max |Δλ| over records at the same steps.
fn gap(a: &[Record], b: &[Record]) -> Result<f64, String> {
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.step != y.step) {
        return Err(format!(
            "the trajectories are recorded at different steps ({} vs {} records)",
            a.len(),
            b.len()
        ));
    }
    Ok(a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.eigenvalues.iter().zip(&y.eigenvalues))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max))
}

fn print_linear(name: &str, prep: &Prepared, rows: &[Timed]) {
    let reference = &rows[0];
    println!(
        "linear run `{name}`: m = {}, d = {}, {} steps; total = time to the complete result \
         (records + theory), best of the runs [median]",
        prep.pairs.m,
        prep.config.d,
        prep.steps()
    );
    println!(
        "{:<44} {:>16} {:>12} {:>10} {:>10} {:>12} {:>12}",
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
        println!(
            "{:<44} {:>7.3} [{:>6.3}] {:>12.2} {:>9.1}x {:>9.1}x {:>12} {:>12}",
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
            println!("  {:<42} {}", row.name, p.summary());
        }
        if let Some(t) = &row.truncation {
            let get = |key: &str| t.get(key).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
            println!(
                "  {:<42} K = {} modes kept (γ_K+1 ≤ {:.4}); bound on the dropped modes' \
                 share of C: ε = {:.1e}",
                row.name,
                get("kept"),
                get("gamma_next"),
                get("bound")
            );
        }
    }
}
