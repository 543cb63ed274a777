//! A linear run as a standalone NumPy script: the script (`run_linear.py`, kept in the
//! repository beside this file), the resolved configuration and the data exactly as used
//! (x, x_prime after centering, W(0)) as `.npy` files. Pure: returns the files' bytes, which
//! the CLI writes into a folder and the notebook zips into one download.
//!
//! `.npy` rather than JSON: `np.load` reads the float32 bits back exactly, in a quarter of
//! the size of their decimal text (fig1: 4.8 MB instead of about 20 MB).

mod npy;
mod zip;

use serde::Serialize;

pub use npy::npy_f32;
pub use zip::{crc32, store_zip, ZipEntry, ZipTooLarge};

use super::prepare::Prepared;

/// The script's file name in the bundle.
pub const SCRIPT_NAME: &str = "run_linear.py";
/// The folder the CLI writes by default and the one the notebook's archive unpacks into.
pub const BUNDLE_DIR: &str = "stepwise-python";

const SCRIPT: &str = include_str!("run_linear.py");

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// File name (no folder).
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// Whether it is meant to be run (the script).
    pub executable: bool,
}

/// Why a bundle could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the configuration as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Zip(#[from] ZipTooLarge),
}

/// What the script cannot recompute the same way, copied into `export.json`.
#[derive(Serialize)]
struct ExportFacts<'a> {
    /// FNV-1a 64 of the bits of x, x_prime and W(0), as in the result JSON.
    data_digest: String,
    /// How many of the visitor's own images the patches were cut from (None: bundled).
    local_images: Option<usize>,
    exported_by: &'a str,
    n: usize,
    m: usize,
    d: usize,
}

/// The script, `config.json` (the resolved configuration), `export.json` and the data of
/// `prep` as `.npy` files.
pub fn python_bundle(prep: &Prepared) -> Result<Vec<BundleFile>, ExportError> {
    let (n, m, d) = (prep.pairs.n, prep.pairs.m, prep.config.d);
    let facts = ExportFacts {
        data_digest: prep.data_digest(),
        local_images: prep.local_images,
        exported_by: concat!("stepwise ", env!("CARGO_PKG_VERSION")),
        n,
        m,
        d,
    };
    let file = |name, bytes| BundleFile {
        name,
        bytes,
        executable: false,
    };
    Ok(vec![
        BundleFile {
            name: SCRIPT_NAME,
            bytes: SCRIPT.as_bytes().to_vec(),
            executable: true,
        },
        file("config.json", serde_json::to_vec_pretty(&prep.config)?),
        file("export.json", serde_json::to_vec_pretty(&facts)?),
        file("x.npy", npy_f32(n, m, &prep.pairs.x)),
        file("x_prime.npy", npy_f32(n, m, &prep.pairs.x_prime)),
        file("w0.npy", npy_f32(d, m, &prep.w0)),
    ])
}

/// The bundle as one store-only ZIP archive whose files lie in [`BUNDLE_DIR`]`/`.
pub fn python_bundle_zip(prep: &Prepared) -> Result<Vec<u8>, ExportError> {
    let entries: Vec<ZipEntry> = python_bundle(prep)?
        .into_iter()
        .map(|f| ZipEntry {
            name: format!("{BUNDLE_DIR}/{}", f.name),
            bytes: f.bytes,
            mode: if f.executable { 0o755 } else { 0o644 },
        })
        .collect();
    Ok(store_zip(&entries)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{prepare, preset, RunConfig};

    fn planted() -> RunConfig {
        RunConfig {
            steps: Some(50),
            ..preset("planted").unwrap()
        }
    }

    #[test]
    fn bundle_holds_the_resolved_config_and_the_data_as_used() {
        let prep = prepare(&planted()).unwrap();
        let files = python_bundle(&prep).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "run_linear.py",
                "config.json",
                "export.json",
                "x.npy",
                "x_prime.npy",
                "w0.npy"
            ]
        );
        let config = RunConfig::from_json(std::str::from_utf8(&files[1].bytes).unwrap()).unwrap();
        assert_eq!(config, prep.config);
        assert_eq!(config.lr, Some(1e-3));
        let (n, m) = (prep.pairs.n, prep.pairs.m);
        let x = &files[3].bytes;
        let body = &x[x.len() - 4 * n * m..];
        assert_eq!(
            f32::from_le_bytes(body[..4].try_into().unwrap()),
            prep.pairs.x[0]
        );
        assert_eq!(files[5].bytes.len() % 64, (4 * prep.w0.len()) % 64);
        let facts: serde_json::Value = serde_json::from_slice(&files[2].bytes).unwrap();
        assert_eq!(facts["data_digest"].as_str().unwrap().len(), 16);
        assert_eq!(facts["m"], m);
    }

    #[test]
    fn archive_puts_every_file_in_the_bundle_folder() {
        let prep = prepare(&planted()).unwrap();
        let zip = python_bundle_zip(&prep).unwrap();
        let sizes: usize = python_bundle(&prep)
            .unwrap()
            .iter()
            .map(|f| f.bytes.len())
            .sum();
        assert!(zip.len() > sizes && zip.len() < sizes + 2048);
        assert_eq!(&zip[30..30 + BUNDLE_DIR.len() + 1], b"stepwise-python/");
    }
}
