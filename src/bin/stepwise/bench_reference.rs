//! The NumPy side of `stepwise bench fig1`: the data exported for it, the script run, and
//! trajectories compared record by record.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use stepwise::experiment::{DataExport, Prepared, Record, RunConfig};

use crate::error::{CliError, ReferenceError};

/// How to run the reference script.
pub struct Reference<'a> {
    /// Python interpreter with NumPy.
    pub python: &'a str,
    /// The script (bench/reference_linear.py).
    pub script: &'a PathBuf,
    /// BLAS threads (0: NumPy's default).
    pub threads: usize,
}

/// What the reference script writes.
#[derive(Deserialize)]
pub struct ReferenceOut {
    pub records: Vec<Record>,
    pub timing: ReferenceTiming,
    pub numpy: String,
}

/// Seconds, from the script's own clock (after the input is parsed).
#[derive(Deserialize)]
pub struct ReferenceTiming {
    pub total_s: f64,
    pub steps_s: f64,
}

/// Writes the data and W(0) exactly as used, with the resolved configuration.
pub fn export(prep: &Prepared, path: &Path) -> Result<(), CliError> {
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
    let json = serde_json::to_string(&export)?;
    std::fs::write(path, json).map_err(|source| CliError::Write {
        path: path.to_path_buf(),
        source,
    })
}

impl Reference<'_> {
    /// Runs the script on `data` in `dtype` (float32 or float64), its output going to `out`.
    pub fn run(&self, data: &Path, out: &Path, dtype: &str) -> Result<ReferenceOut, CliError> {
        let mut command = Command::new(self.python);
        if self.threads > 0 {
            let n = self.threads.to_string();
            for var in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
                command.env(var, &n);
            }
        }
        let status = command
            .arg(self.script)
            .arg(data)
            .arg(out)
            .args(["--dtype", dtype])
            .status()
            .map_err(|source| ReferenceError::Start {
                python: self.python.to_string(),
                source,
            })?;
        if !status.success() {
            let command = format!("{} {}", self.python, self.script.display());
            return Err(ReferenceError::Failed { command, status }.into());
        }
        let text = std::fs::read_to_string(out).map_err(|source| CliError::Read {
            path: out.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| ReferenceError::Output(e).into())
    }

    /// "1 thread", "2 threads" or "default threads".
    pub fn threads_label(&self) -> String {
        match self.threads {
            0 => "default threads".to_string(),
            n => format!("{n} thread{}", if n == 1 { "" } else { "s" }),
        }
    }
}

/// max |Δλ| over records at the same steps.
pub fn gap(a: &[Record], b: &[Record]) -> Result<f64, ReferenceError> {
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.step != y.step) {
        return Err(ReferenceError::DifferentSteps {
            ours: a.len(),
            theirs: b.len(),
        });
    }
    Ok(a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.eigenvalues.iter().zip(&y.eigenvalues))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max))
}
