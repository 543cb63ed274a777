//! `stepwise` command line: run the paper's experiments headless and export numbers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

mod bench;
mod bench_deep;
mod bench_gpu;
mod bench_matmul;
mod bench_mlp;
mod bench_reference;
mod compare;
mod deep;
mod error;
mod export_python;
mod images;
mod stdout;
use error::{CliError, Usage};
use stdout::{note, say};
use stepwise::experiment::deep::{self as deepx, DeepConfig, DEEP_PRESETS};
use stepwise::experiment::mlp::{self, MlpConfig, MlpResult, MlpSetup, MLP_PRESETS};
use stepwise::experiment::{self, overrides, RunConfig, RunResult, PRESETS};
use stepwise::gpu::{prepare_on_gpu, GpuContext};
use stepwise::plot::{self, FigureOptions};
use stepwise::validate::ConfigError;

/// Largest configuration file accepted.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

#[derive(Parser)]
#[command(
    name = "stepwise",
    version,
    about = "Stepwise self-supervised learning, headless"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the named presets.
    Presets,
    /// Run a preset or a JSON config file and report, export or plot it.
    Run(RunArgs),
    /// Compare Appendix G's loss variants with the baseline: `stepwise compare appg`.
    Compare(compare::CompareArgs),
    /// Benchmarks in one run, as ratios: `stepwise bench fig1` (against NumPy),
    /// `stepwise bench matmul` (WGSL against faer), `stepwise bench all` or `stepwise bench
    /// deep [--gpu]` (deep-network training steps).
    Bench(bench::BenchArgs),
    /// Export a linear run as a standalone NumPy script with its data (x, x', W(0)):
    /// `stepwise export-python fig1 --out DIR`.
    ExportPython(export_python::ExportPythonArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// A preset name (see `stepwise presets`) or a path to a JSON config.
    config: String,
    /// Override a config key by its dotted name, e.g. --set dataset.n=200 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Write the result JSON here (`-` for stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the figure (loss and eigenvalues vs t) as SVG here.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Logarithmic time axis in the figure.
    #[arg(long)]
    log_time: bool,
    /// Include the data (x, x_prime) and W(0) exactly as used in the result JSON.
    #[arg(long)]
    export_data: bool,
    /// MLP runs: train on the GPU (wgpu: Vulkan, Metal or DX12; Mesa's lavapipe without a
    /// GPU) instead of the CPU, with the NTK computed there too.
    #[arg(long)]
    gpu: bool,
    /// Cut the photo patches from your own PNG images instead of the bundled photos: a file,
    /// or a folder whose files are taken in name order (repeatable). Checked as the
    /// notebook checks an upload; skipped files are listed on stderr.
    #[arg(long = "images", value_name = "PATH")]
    images: Vec<PathBuf>,
    /// Deep-network runs: train on CIFAR-10 binary batches (`data_batch_*.bin`, repeatable)
    /// instead of the bundled photos.
    #[arg(long = "cifar", value_name = "FILE")]
    cifar: Vec<PathBuf>,
    /// Deep-network runs: train on an STL-10 image file (`train_X.bin`, `unlabeled_X.bin`),
    /// optionally followed by its label file (`--stl train_X.bin --stl train_y.bin`).
    #[arg(long = "stl", value_name = "FILE")]
    stl: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Presets => {
            for p in PRESETS {
                say!("{:<17} {}", p.name, p.description);
            }
            for p in MLP_PRESETS {
                say!("{:<17} {}", p.name, p.description);
            }
            for p in DEEP_PRESETS {
                say!("{:<17} {}", p.name, p.description);
            }
            Ok(())
        }
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::ExportPython(args) => export_python::export_python(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            note!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A loaded configuration of either experiment.
enum Loaded {
    Linear(RunConfig),
    Mlp(MlpConfig),
    Deep(DeepConfig),
}

fn run(args: &RunArgs) -> Result<(), CliError> {
    match load_config(&args.config)? {
        Loaded::Linear(cfg) => run_linear(args, cfg),
        Loaded::Mlp(cfg) => run_mlp(args, cfg),
        Loaded::Deep(cfg) => deep::run_deep(args, cfg),
    }
}

fn run_mlp(args: &RunArgs, cfg: MlpConfig) -> Result<(), CliError> {
    let cfg = overrides::apply_all(cfg, &args.set)?;
    if args.export_data {
        return Err(Usage::ExportDataOnlyLinear.into());
    }
    let photos = images::load(&args.images, &cfg.dataset)?;
    let started = Instant::now();
    let setup = MlpSetup::with_photos(&cfg, photos.as_deref())?;
    let result = if args.gpu {
        pollster::block_on(run_mlp_gpu(setup))?
    } else {
        mlp::run_mlp_setup_cpu(setup)?
    };
    let wall = started.elapsed().as_secs_f64();
    // three panels: wider than the linear figure's two
    write_outputs(args, &result, 1500, plot::mlp_figure_svg)?;
    print_lines(&mlp_summary(&result, wall), args.out.as_deref());
    Ok(())
}

/// Finishes `setup` (NTK on the GPU) and trains it on the GPU.
async fn run_mlp_gpu(setup: MlpSetup) -> Result<MlpResult, CliError> {
    let ctx = GpuContext::new().await?;
    let (prep, backend) = prepare_on_gpu(&ctx, setup).await?;
    let mut run = mlp::MlpRun::start(backend, &prep).await?;
    run.finish().await?;
    Ok(mlp::assemble_mlp(&prep, &run))
}

/// "0.245, 0.425, never": times (crossings interpolated between records, or τ_j).
fn times(v: &[Option<f64>]) -> String {
    v.iter()
        .map(|t| t.map_or("never".into(), |t| format!("{t:.4}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mlp_summary(r: &MlpResult, wall: f64) -> Vec<String> {
    let steps = r.config.steps.unwrap_or(0);
    let fmt = times;
    vec![
        format!("backend     {}", r.backend),
        format!("loss        {:?}", r.config.ssl_loss()),
        format!("m, h, d     {}, {}, {}", r.m, r.config.width, r.config.d),
        format!("NTK gamma_1 {:.4}", r.ntk.gamma_top[0]),
        format!("lr, steps   {:.4e}, {steps}", r.config.lr.unwrap_or(0.0)),
        format!(
            "final loss  {:.4e}",
            r.records.last().map_or(f64::NAN, |x| x.loss)
        ),
        format!("t(λ_j > 0.5)  {}", fmt(&r.crossing_times(0.5))),
        format!(
            "NTK tau_j     {}{}",
            fmt(&r.theory.tau),
            if r.config.ntk_regime() {
                ""
            } else {
                "  (width < 20·n: outside the NTK regime, not a prediction)"
            }
        ),
        format!(
            "alignment   {:.3} (chance {:.3})",
            r.ntk.alignment, r.ntk.alignment_chance
        ),
        format!(
            "wall time   {wall:.2} s ({:.1} steps/s)",
            steps as f64 / wall.max(1e-9)
        ),
    ]
    .into_iter()
    .chain(images_line(r.local_images))
    .collect()
}

fn run_linear(args: &RunArgs, cfg: RunConfig) -> Result<(), CliError> {
    let cfg = overrides::apply_all(cfg, &args.set)?;
    let photos = images::load(&args.images, &cfg.dataset)?;
    let started = Instant::now();
    let result = experiment::run_cpu_with_photos(&cfg, args.export_data, photos.as_deref())?;
    let wall = started.elapsed().as_secs_f64();
    let width = FigureOptions::default().width;
    write_outputs(args, &result, width, plot::linear_figure_svg)?;
    print_lines(&linear_summary(&result, wall), args.out.as_deref());
    Ok(())
}

/// Writes the result JSON (`--out`) and its figure `figure_svg` (`--svg`), `width` pixels wide.
fn write_outputs<R: serde::Serialize>(
    args: &RunArgs,
    result: &R,
    width: u32,
    figure_svg: impl Fn(&R, &FigureOptions) -> Result<String, plot::PlotError>,
) -> Result<(), CliError> {
    if let Some(path) = &args.out {
        let json = serde_json::to_string(result)?;
        write_output(path, &json)?;
    }
    if let Some(path) = &args.svg {
        let opts = FigureOptions {
            log_time: args.log_time,
            width,
            ..FigureOptions::default()
        };
        let svg = figure_svg(result, &opts)?;
        write_output(path, &svg)?;
    }
    Ok(())
}

/// A preset by name, else a JSON file (an MLP run when its `experiment` is `mlp`).
fn load_config(name: &str) -> Result<Loaded, CliError> {
    if let Some(cfg) = experiment::preset(name) {
        return Ok(Loaded::Linear(cfg));
    }
    if let Some(cfg) = mlp::mlp_preset(name) {
        return Ok(Loaded::Mlp(cfg));
    }
    if let Some(cfg) = deepx::deep_preset(name) {
        return Ok(Loaded::Deep(cfg));
    }
    let text = read_config_file(name)?;
    let experiment = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("experiment")
                .and_then(|e| e.as_str().map(String::from))
        });
    if experiment.as_deref() == Some("resnet") {
        let cfg = DeepConfig::from_json(&text).map_err(|e| config_file(name, e))?;
        return Ok(Loaded::Deep(cfg));
    }
    if experiment.as_deref() == Some("mlp") {
        let cfg = MlpConfig::from_json(&text).map_err(|e| config_file(name, e))?;
        return Ok(Loaded::Mlp(cfg));
    }
    let cfg = RunConfig::from_json(&text).map_err(|e| config_file(name, e))?;
    Ok(Loaded::Linear(cfg))
}

/// A configuration file `name` that `source` rejects.
fn config_file(name: &str, source: ConfigError) -> CliError {
    CliError::ConfigFile {
        name: name.to_string(),
        source,
    }
}

/// The text of a config file (at most 1 MiB); the error lists the presets.
fn read_config_file(name: &str) -> Result<String, CliError> {
    let path = Path::new(name);
    let meta = std::fs::metadata(path).map_err(|_| CliError::UnknownConfig {
        name: name.to_string(),
        presets: PRESETS
            .iter()
            .map(|p| p.name)
            .chain(MLP_PRESETS.iter().map(|p| p.name))
            .chain(DEEP_PRESETS.iter().map(|p| p.name))
            .map(str::to_string)
            .collect(),
    })?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(CliError::ConfigTooLarge(name.to_string()));
    }
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn write_output(path: &Path, text: &str) -> Result<(), CliError> {
    if path == Path::new("-") {
        say!("{text}");
        return Ok(());
    }
    std::fs::write(path, text).map_err(|source| CliError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn linear_summary(r: &RunResult, wall: f64) -> Vec<String> {
    let mut lines = vec![
        format!("backend     {}", r.backend),
        format!("m, d        {}, {}", r.m, r.config.d),
        format!("gamma_1     {:.4}", r.gamma_top[0]),
        format!(
            "lr, steps   {:.4e}, {}",
            r.config.lr.unwrap_or(0.0),
            r.config.steps.unwrap_or(0)
        ),
        format!(
            "final loss  {:.4e}",
            r.records.last().map_or(f64::NAN, |x| x.loss)
        ),
        format!("max |λ_sim − λ_theory|  {:.4}", r.max_theory_gap()),
        format!("t(λ_j > 0.5)  {}", times(&r.crossing_times(0.5))),
        format!("tau_j         {}", times(&r.theory.tau)),
        format!("wall time   {wall:.3} s"),
    ];
    lines.extend(images_line(r.local_images));
    lines
}

/// "images      N of yours" for a run on your own images.
fn images_line(local_images: Option<usize>) -> Option<String> {
    local_images.map(|n| format!("images      {n} of yours (--images)"))
}

/// Prints the summary, on stderr when the result JSON goes to stdout (`--out -`).
fn print_lines(lines: &[String], out: Option<&Path>) {
    let json_on_stdout = out == Some(Path::new("-"));
    for line in lines {
        // keep stdout pure JSON when the result goes there
        if json_on_stdout {
            note!("{line}");
        } else {
            say!("{line}");
        }
    }
}
