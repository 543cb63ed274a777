//! `stepwise compare appg`: Appendix G's variants against the baseline, as a table and JSON.

use std::path::PathBuf;
use std::time::Instant;

use stepwise::experiment::appg::{
    self, AppgConfig, AppgModel, AppgResult, Comparison, ComparisonRow, LinearTrials, Policy,
};
use stepwise::experiment::{self, overrides, Config};
use stepwise::gpu::{GpuContext, GpuVariants};
use stepwise::plot::{appg_figure_svg, AppgFigureOptions};

use super::{config_file, print_lines, read_config_file, write_output, CliError, Usage};

#[derive(clap::Args)]
pub struct CompareArgs {
    /// What to compare: `appg` (Appendix G's loss variants) or `methods` (Table 2: Barlow
    /// Twins, SimCLR and VICReg on the same data, the alignment of their embeddings; the
    /// config is then a deep-network preset naming the size, e.g. resnet-bt-small).
    what: String,
    /// The data and baseline run: a linear preset (fig1 by default, see `stepwise presets`)
    /// or a JSON comparison config.
    config: Option<String>,
    /// Override a config key by its dotted name, e.g. --set a=0.5 or --set run.d=4
    /// (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Write the comparison JSON here (`-` for stdout; default `appg-compare.json`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Include every row's recorded curves in the JSON (large).
    #[arg(long)]
    curves: bool,
    /// Linear model: run on the GPU (wgpu; Mesa's lavapipe without a GPU) instead of the CPU.
    #[arg(long)]
    gpu: bool,
    /// Write the figure as SVG here: one panel of eigenvalue curves per variant (the
    /// baseline dashed underneath) and a bar panel of the steps to learn every mode; for
    /// `methods`, Table 2's alignment heatmap and each method's steps (as the notebook's
    /// cell 10).
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Which rows the figure's variant panels show: `equal` (the baseline's η) or `stable`
    /// (each variant's own largest stable η).
    #[arg(long, value_enum, default_value = "equal")]
    panels: PanelPolicy,
    /// Logarithmic step axis in the figure.
    #[arg(long)]
    log_steps: bool,
}

/// `--panels`: the η policy of the figure's variant panels.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PanelPolicy {
    Equal,
    Stable,
}

pub fn compare(args: &CompareArgs) -> Result<(), CliError> {
    if args.what == "methods" {
        if args.gpu {
            return Err(Usage::MethodsOnCpu.into());
        }
        let files = super::deep::MethodsFiles {
            out: args.out.as_deref(),
            svg: args.svg.as_deref(),
            full: args.curves,
        };
        return super::deep::compare_methods(args.config.as_deref(), &args.set, &files);
    }
    if args.what != "appg" {
        return Err(Usage::UnknownComparison(args.what.clone()).into());
    }
    let cfg = load(args.config.as_deref())?;
    let cfg = overrides::apply_all(cfg, &args.set)?;
    let started = Instant::now();
    let result = if args.gpu {
        pollster::block_on(compare_gpu(&cfg))?
    } else {
        appg::compare_cpu(&cfg)?
    };
    let wall = started.elapsed().as_secs_f64();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("appg-compare.json"));
    let shown = if args.curves {
        result.clone()
    } else {
        result.table()
    };
    let json = serde_json::to_string_pretty(&shown)?;
    write_output(&out, &json)?;
    if let Some(path) = &args.svg {
        let opts = AppgFigureOptions {
            policy: match args.panels {
                PanelPolicy::Equal => Policy::Equal,
                PanelPolicy::Stable => Policy::Stable,
            },
            log_steps: args.log_steps,
            ..AppgFigureOptions::default()
        };
        let svg = appg_figure_svg(&result, &opts)?;
        write_output(path, &svg)?;
    }
    print_lines(&table_lines(&result, wall), Some(&out));
    Ok(())
}

/// The linear comparison on the GPU.
async fn compare_gpu(cfg: &AppgConfig) -> Result<AppgResult, CliError> {
    if cfg.model != AppgModel::Linear {
        return Err(Usage::GpuComparesLinear.into());
    }
    cfg.validate()?;
    let ctx = GpuContext::new().await?;
    let prep = experiment::prepare(&cfg.run)?;
    let backends = GpuVariants::new(&ctx, &prep, cfg);
    let mut comparison = Comparison::new(cfg, LinearTrials::new(prep, backends));
    comparison.finish().await?;
    Ok(comparison.result())
}

/// A linear preset's data, or a JSON comparison config; fig1 when absent.
fn load(name: Option<&str>) -> Result<AppgConfig, CliError> {
    let Some(name) = name else {
        return Ok(AppgConfig::default());
    };
    if let Some(cfg) = AppgConfig::preset(name) {
        return Ok(cfg);
    }
    let text = read_config_file(name)?;
    AppgConfig::from_json(&text).map_err(|e| config_file(name, e))
}

fn table_lines(r: &AppgResult, wall: f64) -> Vec<String> {
    let mut lines = vec![
        format!(
            "backend {}   m = {}   d = {}   gamma_1 = {:.4}   baseline eta = {:.4e}   {} steps per run   threshold {}",
            r.backend, r.m, r.config.d(), r.gamma_1, r.eta_baseline, r.steps, r.config.threshold
        ),
        format!(
            "{:<13} {:<7} {:>11} {:>9} {:>10} {:>8} {:>11}  {}",
            "variant", "eta", "value", "steps->all", "t->all", "speedup", "final loss", "final eigenvalues / failure"
        ),
    ];
    lines.extend(r.rows.iter().map(row_line));
    for s in &r.stable {
        let probes: Vec<String> = s
            .probes
            .iter()
            .map(|p| format!("{:.3e}{}", p.eta, if p.stable { "✓" } else { "✗" }))
            .collect();
        lines.push(format!(
            "stable eta {:<13} {}{}  probes: {}",
            s.variant.name(),
            s.eta.map_or("none".into(), |e| format!("{e:.4e}")),
            if s.at_limit { " (search limit)" } else { "" },
            probes.join(" ")
        ));
    }
    lines.push(format!("wall time {wall:.2} s"));
    lines
}

fn row_line(r: &ComparisonRow) -> String {
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("—".to_string(), f);
    let tail = match &r.failure {
        Some(f) => f.clone(),
        None => r
            .final_eigenvalues
            .iter()
            .map(|l| format!("{l:.3}"))
            .collect::<Vec<_>>()
            .join(" "),
    };
    format!(
        "{:<13} {:<7} {:>11.4e} {:>9} {:>10} {:>8} {:>11}  {}",
        r.variant.name(),
        r.policy.name(),
        r.eta,
        r.steps_to_all.map_or("—".into(), |s| s.to_string()),
        opt(r.t_to_all, &|t| format!("{t:.3}")),
        opt(r.speedup, &|s| format!("{s:.2}x")),
        opt(r.final_loss, &|l| format!("{l:.3e}")),
        tail
    )
}
