//! Table 2 of the paper (docs/deep.md §5): the three losses trained on the same data and
//! evaluated on the same views, and how well the embedding subspaces they learn align.

use serde::{Deserialize, Serialize};

use super::config::{DeepConfig, LossKind};
use super::result::DeepResult;
use crate::experiment::measures::{chance_alignment, subspace_alignment};
use crate::validate::ConfigError;

/// One method's run, summarized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSummary {
    pub loss: LossKind,
    /// Per mode: when its eigenvalue reached half its final value (t = η·step).
    pub crossings: Vec<Option<f64>>,
    pub final_eigenvalues: Vec<f64>,
    /// Embedding probe accuracy at init and after the last step.
    pub probe_init: f64,
    pub probe_final: f64,
    pub seconds: f64,
}

/// The comparison: every method's summary and the pairwise alignments of their final
/// embeddings on the shared evaluation views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodsComparison {
    pub methods: Vec<MethodSummary>,
    /// `alignment[i][j]`: subspace alignment of methods i and j (1 on the diagonal).
    pub alignment: Vec<Vec<f64>>,
    /// The alignment of two random d-dimensional subspaces of the evaluation rows.
    pub chance: f64,
    /// Evaluation rows (views) the embeddings are compared on.
    pub rows: usize,
    /// The embedding dimension d shared by all methods.
    pub d: usize,
    /// The full results (the CLI leaves them out unless asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<DeepResult>,
}

/// Checks that `configs` differ only in what belongs to the loss (loss, temperature, lr,
/// steps, projector scales), so that their runs see the same data and evaluation views and
/// their embeddings have the same d.
pub fn check_comparable(configs: &[DeepConfig]) -> Result<(), ConfigError> {
    let Some(first) = configs.first() else {
        return Ok(());
    };
    for cfg in configs {
        cfg.validate()?;
        if cfg.data != first.data {
            return Err(ConfigError::new(
                "data",
                "the methods must train on the same data (equal data.* keys)",
            ));
        }
        if cfg.d != first.d {
            return Err(ConfigError::new("d", "the methods must share d"));
        }
    }
    Ok(())
}

/// The comparison of finished runs, given each run's result and final evaluation embeddings
/// (rows x d row-major, the same rows for all).
pub fn compare(runs: Vec<(DeepResult, Vec<f64>)>, rows: usize, d: usize) -> MethodsComparison {
    let alignment = runs
        .iter()
        .map(|(_, a)| {
            runs.iter()
                .map(|(_, b)| subspace_alignment(a, b, rows, d))
                .collect()
        })
        .collect();
    let methods = runs.iter().map(|(r, _)| summarize(r)).collect();
    MethodsComparison {
        methods,
        alignment,
        chance: chance_alignment(rows, d),
        rows,
        d,
        results: runs.into_iter().map(|(r, _)| r).collect(),
    }
}

fn summarize(r: &DeepResult) -> MethodSummary {
    let probe = |i: usize| r.probe.get(i).map_or(f64::NAN, |p| p.embedding);
    MethodSummary {
        loss: r.config.loss,
        crossings: r.crossings.clone(),
        final_eigenvalues: r.final_eigenvalues().to_vec(),
        probe_init: probe(0),
        probe_final: probe(r.probe.len().saturating_sub(1)),
        seconds: r.timing.seconds,
    }
}

/// Runs `configs` on the CPU (bundled photos) one after another, as the page's cell does
/// ([`super::methods_run::MethodsRun`]), timing each, and compares them.
#[cfg(not(target_arch = "wasm32"))]
pub fn compare_methods_cpu(
    configs: &[DeepConfig],
) -> Result<MethodsComparison, crate::experiment::RunError> {
    use super::methods_run::{CpuBackends, MethodsRun};
    use super::DeepPrepared;
    check_comparable(configs)?;
    let preps = configs
        .iter()
        .map(DeepPrepared::new)
        .collect::<Result<Vec<_>, _>>()?;
    let (rows, d) = match preps.first() {
        Some(p) => (p.eval_count(), p.config.d),
        None => (0, 0),
    };
    let mut seconds = Vec::new();
    let runs = pollster::block_on(async {
        let mut started = std::time::Instant::now();
        let mut run = MethodsRun::start(CpuBackends, preps).await?;
        while !run.is_finished() {
            run.finish_method().await?;
            seconds.push(started.elapsed().as_secs_f64());
            started = std::time::Instant::now();
        }
        Ok::<_, crate::experiment::RunError>(run.into_done())
    })?;
    let runs = runs
        .into_iter()
        .zip(seconds)
        .map(|((mut r, f), s)| {
            r.timing.seconds = s;
            r.timing.steps_per_second = r.config.steps as f64 / s.max(1e-9);
            (r, f)
        })
        .collect();
    Ok(compare(runs, rows, d))
}
