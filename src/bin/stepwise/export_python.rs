//! `stepwise export-python`: a linear run as a standalone NumPy script with its data.

use crate::stdout::say;
use std::path::PathBuf;

use stepwise::experiment::python_export::{python_bundle, BUNDLE_DIR, SCRIPT_NAME};
use stepwise::experiment::{self, overrides};

use super::{images, load_config, CliError, Loaded, Usage};

#[derive(clap::Args)]
pub struct ExportPythonArgs {
    /// A preset name (see `stepwise presets`) or a path to a JSON config (linear runs only).
    config: String,
    /// Override a config key by its dotted name, e.g. --set dataset.n=200 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// The folder to write the script and its data into (created if needed).
    #[arg(long, default_value = BUNDLE_DIR)]
    out: PathBuf,
    /// Cut the photo patches from your own PNG images (as `stepwise run --images`).
    #[arg(long = "images", value_name = "PATH")]
    images: Vec<PathBuf>,
}

/// Prepares the run (data, W(0), resolved η and steps: no step is taken) and writes its
/// bundle into `--out`.
pub fn export_python(args: &ExportPythonArgs) -> Result<(), CliError> {
    let cfg = match load_config(&args.config)? {
        Loaded::Linear(cfg) => cfg,
        Loaded::Mlp(_) | Loaded::Deep(_) => {
            return Err(Usage::ExportPythonOnlyLinear(args.config.clone()).into())
        }
    };
    let cfg = overrides::apply_all(cfg, &args.set)?;
    let photos = images::load(&args.images, &cfg.dataset)?;
    let prep = experiment::prepare_with_photos(&cfg, photos.as_deref())?;
    let files = python_bundle(&prep)?;
    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|source| CliError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    for f in &files {
        let path = dir.join(f.name);
        if let Err(source) = std::fs::write(&path, &f.bytes) {
            return Err(CliError::Write { path, source });
        }
        say!("wrote {} ({} bytes)", path.display(), f.bytes.len());
    }
    say!(
        "run it (Python 3 with NumPy): python3 {}   (--help for the solver and dtype options); \
         it writes result.json in the schema of `stepwise run --out`",
        dir.join(SCRIPT_NAME).display()
    );
    Ok(())
}
