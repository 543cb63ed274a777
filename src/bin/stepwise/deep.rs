//! `stepwise run resnet-…` (docs/deep.md): the deep-network runs on the bundled photos, your
//! own images (`--images`), CIFAR-10 (`--cifar`) or STL-10 (`--stl`) binaries; and
//! `stepwise compare methods` (the paper's Table 2).

use std::path::{Path, PathBuf};
use std::time::Instant;

use stepwise::data::base_images::{self, BaseImages};
use stepwise::data::dataset_file::MAX_IMAGES;
use stepwise::data::{cifar, stl};
use stepwise::experiment::deep::methods::{self, MethodsComparison};
use stepwise::experiment::deep::methods_config::MethodsFamily;
use stepwise::experiment::deep::{
    assemble_deep, photo_base, run_deep_prepared_cpu, DeepConfig, DeepPrepared, DeepResult,
    DeepRun, DeepSource,
};
use stepwise::experiment::overrides;
use stepwise::gpu::{GpuContext, GpuDeepBackend, GpuTraining};
use stepwise::plot::deep_methods::{methods_svg, MethodsView};
use stepwise::plot::FigureOptions;

use super::error::{CliError, Usage};
use super::{images, print_lines, write_output, RunArgs};

/// A deep-network run of `cfg` with the command line's data and overrides.
pub fn run_deep(args: &RunArgs, cfg: DeepConfig) -> Result<(), CliError> {
    let mut cfg = overrides::apply_all(cfg, &args.set)?;
    if args.export_data {
        return Err(Usage::ExportDataOnlyLinear.into());
    }
    if args.svg.is_some() {
        return Err(Usage::NoDeepFigure.into());
    }
    let prep = prepare(&mut cfg, args)?;
    let result = if args.gpu {
        pollster::block_on(run_deep_gpu(prep))?
    } else {
        run_deep_prepared_cpu(prep)?
    };
    if let Some(path) = &args.out {
        write_output(path, &serde_json::to_string(&result)?)?;
    }
    print_lines(&summary(&result), args.out.as_deref());
    Ok(())
}

/// Runs `prep` to the end on the GPU (wgpu; Mesa's lavapipe without one), timing it.
async fn run_deep_gpu(prep: DeepPrepared) -> Result<DeepResult, CliError> {
    let ctx = GpuContext::new().await?;
    let started = Instant::now();
    let training = GpuTraining::from_config(&prep.config);
    let backend = GpuDeepBackend::new(&ctx, &prep.shape, &prep.params, training).await?;
    let mut run = DeepRun::start(backend, prep).await?;
    run.finish().await?;
    Ok(assemble_deep(&run, started.elapsed().as_secs_f64()))
}

/// The run's base images from the one data flag given (which also sets `data.source`), or
/// the bundled photos.
fn prepare(cfg: &mut DeepConfig, args: &RunArgs) -> Result<DeepPrepared, CliError> {
    let given = [
        (!args.images.is_empty(), DeepSource::Images),
        (!args.cifar.is_empty(), DeepSource::Cifar),
        (!args.stl.is_empty(), DeepSource::Stl),
    ];
    let mut flags = given.iter().filter(|(on, _)| *on).map(|(_, s)| *s);
    match (flags.next(), flags.next()) {
        (Some(_), Some(_)) => return Err(Usage::OneDataSource.into()),
        (Some(source), None) => cfg.data.source = source,
        (None, _) if cfg.data.source != DeepSource::Photos => {
            return Err(Usage::SourceNeedsFiles(cfg.data.source).into())
        }
        (None, _) => {}
    }
    cfg.validate()?;
    let (base, local) = match cfg.data.source {
        DeepSource::Photos => (photo_base(cfg, None)?, None),
        DeepSource::Images => {
            let photos = images::load_for_base(&args.images, cfg.data.base)?.unwrap_or_default();
            let usable = base_images::usable_count(&photos, cfg.data.base);
            (photo_base(cfg, Some(&photos))?, Some(usable))
        }
        DeepSource::Cifar => with_count(read_cifar(&args.cifar)?),
        DeepSource::Stl => with_count(read_stl(&args.stl, cfg.data.base)?),
    };
    Ok(DeepPrepared::with_base(cfg, base, local)?)
}

fn with_count(base: BaseImages) -> (BaseImages, Option<usize>) {
    let count = base.count();
    (base, Some(count))
}

/// CIFAR-10 binary batches, concatenated in the order given.
fn read_cifar(paths: &[PathBuf]) -> Result<BaseImages, CliError> {
    let files = paths
        .iter()
        .map(|p| Ok((name(p), read_capped(p, MAX_IMAGES * 3073)?)))
        .collect::<Result<Vec<_>, CliError>>()?;
    let named: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    Ok(cifar::parse_many(&named)?)
}

/// An STL-10 image file and, optionally, its label file, at `side` px.
fn read_stl(paths: &[PathBuf], side: usize) -> Result<BaseImages, CliError> {
    let [images, rest @ ..] = paths else {
        return Err(Usage::SourceNeedsFiles(DeepSource::Stl).into());
    };
    if rest.len() > 1 {
        return Err(Usage::StlFiles.into());
    }
    let pixels = read_capped(images, MAX_IMAGES * stl::IMAGE_BYTES)?;
    let labels = match rest.first() {
        Some(p) => Some((name(p), read_capped(p, MAX_IMAGES)?)),
        None => None,
    };
    let labels = labels.as_ref().map(|(n, b)| (n.as_str(), &b[..]));
    Ok(stl::parse((&name(images), &pixels), labels, side)?)
}

fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// The bytes of `path`, refused unread when it is longer than `cap` (no dataset file of
/// [`MAX_IMAGES`] images is).
fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>, CliError> {
    let read = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read)?.len();
    if len > cap as u64 {
        return Err(CliError::DatasetTooLarge {
            path: path.to_path_buf(),
            bytes: len,
            cap: cap as u64,
        });
    }
    std::fs::read(path).map_err(read)
}

/// "0.12, 0.5, never".
fn times(v: &[Option<f64>]) -> String {
    v.iter()
        .map(|t| t.map_or("never".into(), |t| format!("{t:.4}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary(r: &DeepResult) -> Vec<String> {
    let cfg = &r.config;
    let (first, last) = (r.probe.first(), r.probe.last());
    let probe = |f: fn(&stepwise::experiment::deep::ProbeRecord) -> f64| {
        format!(
            "{:.3} → {:.3}",
            first.map_or(f64::NAN, f),
            last.map_or(f64::NAN, f)
        )
    };
    let mut lines = vec![
        format!("backend     {}", r.backend),
        format!("loss        {:?}", cfg.ssl_loss()),
        format!(
            "network     channels {:?} x {} blocks, projector {:?} → d = {}, {} parameters",
            cfg.channels, cfg.blocks, cfg.projector, cfg.d, r.parameters
        ),
        format!(
            "data        {} base images ({} classes), {} px crops, batch {}",
            r.base_count,
            r.classes.len(),
            cfg.data.crop,
            cfg.batch
        ),
        format!("lr, steps   {:.4e}, {}", cfg.lr, cfg.steps),
        format!(
            "final loss  {:.4e}",
            r.records.last().map_or(f64::NAN, |x| x.loss)
        ),
        format!(
            "final λ     {}",
            r.final_eigenvalues()
                .iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!("t(λ_j = ½ final)  {}", times(&r.crossings)),
        format!(
            "probe       embedding {}, hidden {}",
            probe(|p| p.embedding),
            probe(|p| p.hidden)
        ),
        format!(
            "wall time   {:.2} s ({:.1} steps/s, {:.2} GFLOP/s)",
            r.timing.seconds,
            r.timing.steps_per_second,
            r.timing.steps_per_second
                * 3.0
                * (2 * cfg.batch) as f64
                * r.timing.flops_per_view as f64
                / 1e9
        ),
    ];
    if let Some(n) = r.local_images {
        lines.push(format!("images      {n} of yours"));
    }
    lines
}

/// Where `stepwise compare methods` writes: the JSON (`out`, default `methods-compare.json`;
/// with every run's records when `full`) and the figure (`svg`).
pub struct MethodsFiles<'a> {
    pub out: Option<&'a Path>,
    pub svg: Option<&'a Path>,
    pub full: bool,
}

/// `stepwise compare methods [PRESET]`: Table 2. PRESET (default `resnet-bt-small`) names
/// the family: the three losses' presets of the same size, e.g. `resnet-simclr-small`; the
/// `--set` overrides apply to all three.
pub fn compare_methods(
    preset: Option<&str>,
    set: &[String],
    files: &MethodsFiles<'_>,
) -> Result<(), CliError> {
    let preset = preset.unwrap_or("resnet-bt-small");
    let family =
        MethodsFamily::of_preset(preset).ok_or_else(|| Usage::MethodsPreset(preset.to_string()))?;
    let configs = family.configs_with(set)?;
    let mut comparison = methods::compare_methods_cpu(&configs)?;
    if let Some(path) = files.svg {
        let losses: Vec<_> = configs.iter().map(|c| c.loss).collect();
        let view = MethodsView::new(&comparison, &comparison.results, &losses);
        write_output(path, &methods_svg(&view, &FigureOptions::default())?)?;
    }
    if !files.full {
        comparison.results.clear();
    }
    let out = files
        .out
        .map_or_else(|| PathBuf::from("methods-compare.json"), Path::to_path_buf);
    write_output(&out, &serde_json::to_string_pretty(&comparison)?)?;
    print_lines(&methods_lines(&comparison), Some(&out));
    Ok(())
}

fn methods_lines(c: &MethodsComparison) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<14} {:>8} {:>8} {:>8}   probe init → final   t(λ_j = ½ final)",
        "method", "bt", "simclr", "vicreg"
    )];
    for (m, row) in c.methods.iter().zip(&c.alignment) {
        let cells: Vec<String> = row.iter().map(|a| format!("{a:>8.3}")).collect();
        lines.push(format!(
            "{:<14} {}   {:.3} → {:.3}        {}",
            format!("{:?}", m.loss),
            cells.join(" "),
            m.probe_init,
            m.probe_final,
            times(&m.crossings)
        ));
    }
    lines.push(format!(
        "chance alignment {:.4} (d = {} of {} evaluation views)",
        c.chance, c.d, c.rows
    ));
    lines
}
