//! `stepwise` command line: run the paper's experiments headless and export numbers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use stepwise::experiment::{self, overrides, RunConfig, RunResult, PRESETS};
use stepwise::plot::{self, FigureOptions};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Presets => {
            for p in PRESETS {
                println!("{:<10} {}", p.name, p.description);
            }
            Ok(())
        }
        Command::Run(args) => run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &RunArgs) -> Result<(), String> {
    let cfg = load_config(&args.config)?;
    let cfg = overrides::apply_all(cfg, &args.set).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let result = experiment::run_cpu(&cfg, args.export_data).map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    if let Some(path) = &args.out {
        let json = serde_json::to_string(&result).map_err(|e| e.to_string())?;
        write_output(path, &json)?;
    }
    if let Some(path) = &args.svg {
        let opts = FigureOptions {
            log_time: args.log_time,
            ..FigureOptions::default()
        };
        let svg = plot::linear_figure_svg(&result, &opts).map_err(|e| e.to_string())?;
        write_output(path, &svg)?;
    }
    print_summary(&result, wall, args.out.as_deref() == Some(Path::new("-")));
    Ok(())
}

/// A preset by name, else a JSON file.
fn load_config(name: &str) -> Result<RunConfig, String> {
    if let Some(cfg) = experiment::preset(name) {
        return Ok(cfg);
    }
    let path = Path::new(name);
    let meta = std::fs::metadata(path).map_err(|_| {
        let names: Vec<_> = PRESETS.iter().map(|p| p.name).collect();
        format!(
            "`{name}` is neither a preset ({}) nor a readable config file",
            names.join(", ")
        )
    })?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(format!("config file `{name}` is larger than 1 MiB"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    RunConfig::from_json(&text).map_err(|e| format!("{name}: {e}"))
}

fn write_output(path: &Path, text: &str) -> Result<(), String> {
    if path == Path::new("-") {
        println!("{text}");
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

fn print_summary(r: &RunResult, wall: f64, json_on_stdout: bool) {
    let lines = [
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
        format!("wall time   {wall:.2} s"),
    ];
    for line in lines {
        // keep stdout pure JSON when the result goes there
        if json_on_stdout {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
}
