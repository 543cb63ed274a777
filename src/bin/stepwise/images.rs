//! `--images`: your own PNG photos instead of the bundled ones, read and checked exactly as
//! the notebook checks an upload (file size, then image size from the header, then the
//! base patch), so that a run cuts the same patches from them as the notebook does.

use std::path::{Path, PathBuf};

use stepwise::data::local::LocalPhotos;
use stepwise::data::photos::Photo;
use stepwise::data::{DatasetConfig, DatasetKind};

use crate::error::{CliError, Usage};
use crate::stdout::note;

/// Most files one `--images` folder is read for (the notebook keeps at most 100 images).
const MAX_FILES: usize = 1000;

/// The photos of `paths` (files, or folders whose files are taken in name order) for a
/// dataset `cfg`; `None` without `--images`. Skipped files are listed on stderr; an error
/// when no file is usable or the dataset is not photo patches.
pub fn load(paths: &[PathBuf], cfg: &DatasetConfig) -> Result<Option<Vec<Photo>>, CliError> {
    if paths.is_empty() {
        return Ok(None);
    }
    if cfg.kind != DatasetKind::PhotoPatches {
        return Err(Usage::ImagesNeedPhotos.into());
    }
    load_for_base(paths, cfg.base)
}

/// The photos of `paths` (not empty) usable for base patches of `base` px (the deep-network
/// runs' `data.base`), checked as [`load`] checks them.
pub fn load_for_base(paths: &[PathBuf], base: usize) -> Result<Option<Vec<Photo>>, CliError> {
    let mut set = LocalPhotos::new(base);
    for file in files(paths)? {
        add(&mut set, &file)?;
    }
    let (photos, skipped) = set.finish()?;
    for s in &skipped {
        note!("skipped {s}");
    }
    Ok(Some(photos))
}

/// Every file named by `paths`, a folder's files in name order (not its subfolders).
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for path in paths {
        let cannot = |source| CliError::Images {
            path: path.clone(),
            source,
        };
        if !path.is_dir() {
            std::fs::metadata(path).map_err(cannot)?;
            out.push(path.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(cannot)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        inside.sort();
        inside.truncate(MAX_FILES);
        out.extend(inside);
    }
    Ok(out)
}

/// Checks, reads and decodes one file into `set` (which records why a file is skipped).
fn add(set: &mut LocalPhotos, path: &Path) -> Result<(), CliError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::metadata(path).map_or(u64::MAX, |m| m.len());
    if set.check_file(&name, bytes).is_none() {
        let data = std::fs::read(path).map_err(|source| CliError::Images {
            path: path.to_path_buf(),
            source,
        })?;
        set.add_png(&name, &data);
    }
    Ok(())
}
