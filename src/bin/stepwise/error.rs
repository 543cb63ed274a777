//! Why a `stepwise` command failed: one typed error for the whole command line. `main`
//! prints it as `error: …` on stderr and exits with status 1.

use std::path::PathBuf;

use stepwise::data::dataset_file::DatasetFileError;
use stepwise::data::local::NoUsableImages;
use stepwise::experiment::deep::DeepSource;
use stepwise::experiment::python_export::ExportError;
use stepwise::experiment::RunError;
use stepwise::gpu::GpuError;
use stepwise::plot::PlotError;
use stepwise::validate::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A combination of arguments the command does not take.
    #[error(transparent)]
    Usage(#[from] Usage),
    /// Neither a preset name nor a readable file; `presets` are the names it could be.
    #[error("`{name}` is neither a preset ({}) nor a readable config file", presets.join(", "))]
    UnknownConfig { name: String, presets: Vec<String> },
    #[error("config file `{0}` is larger than 1 MiB")]
    ConfigTooLarge(String),
    /// A configuration file that does not parse or validate.
    #[error("{name}: {source}")]
    ConfigFile { name: String, source: ConfigError },
    /// An invalid `--set` or configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create `{}`: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `--images`: a path that cannot be listed or read.
    #[error("--images {}: {source}", path.display())]
    Images {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--images: {0}")]
    NoImages(#[from] NoUsableImages),
    /// `--cifar` / `--stl`: a file that is not what it claims.
    #[error(transparent)]
    DatasetFile(#[from] DatasetFileError),
    #[error(
        "`{}` has {bytes} bytes, more than any dataset file this run takes ({cap})",
        path.display()
    )]
    DatasetTooLarge { path: PathBuf, bytes: u64, cap: u64 },
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `bench`: the NumPy reference or the comparison with it.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

/// Arguments that do not fit together or name nothing.
#[derive(Debug, thiserror::Error)]
pub enum Usage {
    #[error("--export-data is available for linear runs only")]
    ExportDataOnlyLinear,
    #[error("bench fig1 takes a linear configuration")]
    BenchNeedsLinear,
    #[error("unknown benchmark `{0}`: use fig1, matmul, all, deep or mlp")]
    UnknownBenchmark(String),
    #[error("unknown comparison `{0}`: use `appg` or `methods`")]
    UnknownComparison(String),
    #[error("--gpu compares the linear model; the MLP comparison runs on the CPU")]
    GpuComparesLinear,
    #[error("`{0}` is not a linear experiment: export-python exports linear runs only")]
    ExportPythonOnlyLinear(String),
    #[error("--images needs the photo-patches dataset (set dataset.kind=\"photo-patches\")")]
    ImagesNeedPhotos,
    #[error("deep-network runs write JSON only: --svg is not available for them")]
    NoDeepFigure,
    #[error("compare methods runs on the CPU (run one method on the GPU with `stepwise run resnet-… --gpu`)")]
    MethodsOnCpu,
    #[error("give one data source: --images, --cifar or --stl")]
    OneDataSource,
    #[error("data.source = {0:?} needs its files: --images DIR, --cifar FILE or --stl FILE")]
    SourceNeedsFiles(DeepSource),
    #[error("--stl takes an image file and at most one label file")]
    StlFiles,
    #[error("unknown methods preset `{0}`: give a deep-network preset such as resnet-bt-small")]
    MethodsPreset(String),
    #[error("unknown deep-network preset `{0}` for bench deep: e.g. resnet-bt or resnet-bt-small")]
    DeepBenchPreset(String),
    #[error("unknown MLP preset `{0}` for bench mlp: e.g. fig2-bt or mlp-small-bt")]
    MlpBenchPreset(String),
    #[error("no repetition was run")]
    NoRepeat,
}

/// What went wrong with `stepwise bench`'s NumPy reference.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot run {python}: {source}")]
    Start {
        python: String,
        source: std::io::Error,
    },
    #[error("{command} failed ({status}); is NumPy installed (pip install numpy)?")]
    Failed {
        command: String,
        status: std::process::ExitStatus,
    },
    #[error("reference output: {0}")]
    Output(serde_json::Error),
    #[error("the trajectories are recorded at different steps ({ours} vs {theirs} records)")]
    DifferentSteps { ours: usize, theirs: usize },
}
