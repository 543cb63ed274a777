//! Figure 2 (and 5) for the MLP: loss, embedding eigenvalues with the NTK theory dashed
//! (Barlow Twins), and the hidden representation's eigenvalues on the same time axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::geometry::FigureLayout;
use super::linear::{draw_panels, PanelSpec};
use super::series::{eigen_panel, loss_panel, FigureData, TimeAxis};
use super::{draw_err, FigureOptions, PlotError, MIN_SIZE};
use crate::experiment::mlp::{LossKind, MlpConfig, MlpResult, NTK_WIDTH_PER_PAIR};
use crate::experiment::Record;

/// The hidden records as plain records (no loss), for the eigenvalue panel.
pub fn hidden_as_records(result: &MlpResult) -> Vec<Record> {
    result
        .hidden
        .iter()
        .map(|h| Record {
            t: h.t,
            step: h.step,
            loss: f64::NAN,
            eigenvalues: h.eigenvalues.clone(),
        })
        .collect()
}

/// Draws the MLP figure onto `root`: loss, embedding eigenvalues and, when recorded, the
/// hidden eigenvalues, side by side. The NTK theory (Barlow Twins) is drawn only in its
/// regime ([`MlpConfig::ntk_regime`]); outside it panel B says why it is not. Returns where
/// the panels lie.
pub fn draw_mlp_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &MlpResult,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    let barlow = result.config.loss == LossKind::BarlowTwins;
    let ntk = result.config.ntk_regime();
    let data = FigureData {
        records: &result.records,
        theory: (barlow && ntk).then_some(&result.theory),
    };
    let hidden = hidden_as_records(result);
    let hidden_data = FigureData {
        records: &hidden,
        theory: None,
    };
    let axis = TimeAxis::spanning(
        data.all_records().chain(&hidden).map(|r| r.t),
        opts.log_time,
    );
    let (loss_label, eigen_title) = match result.config.loss {
        LossKind::BarlowTwins => ("loss ||C − I||²", "eigenvalues of C"),
        LossKind::Simclr => ("NT-Xent loss", "embedding covariance eigenvalues"),
        LossKind::Vicreg => ("VICReg loss", "embedding covariance eigenvalues"),
    };
    let mut specs = vec![
        PanelSpec {
            letter: "A",
            title: "loss",
            y_label: loss_label,
            legend: barlow && ntk,
            panel: loss_panel(&data, &axis),
        },
        PanelSpec {
            letter: "B",
            title: eigen_title,
            y_label: "eigenvalue",
            legend: false,
            panel: eigen_panel(&data, &axis),
        },
    ];
    if barlow && !ntk {
        specs[1].panel.note = Some(outside_ntk_note(&result.config));
    }
    if !hidden.is_empty() {
        specs.push(PanelSpec {
            letter: "C",
            title: "hidden covariance eigenvalues",
            y_label: "eigenvalue",
            legend: false,
            panel: eigen_panel(&hidden_data, &axis),
        });
    }
    draw_panels(root, &axis, &specs, None)
}

/// Why panel B draws no NTK theory: "no NTK theory: width 256 < 20·n = 2000".
pub fn outside_ntk_note(cfg: &MlpConfig) -> String {
    let need = NTK_WIDTH_PER_PAIR * cfg.dataset.n;
    format!(
        "no NTK theory: width {} < {NTK_WIDTH_PER_PAIR}·n = {need}",
        cfg.width
    )
}

/// Renders [`draw_mlp_figure`] to a standalone SVG document.
pub fn mlp_figure_svg(result: &MlpResult, opts: &FigureOptions) -> Result<String, PlotError> {
    let size = (opts.width.max(MIN_SIZE.0), opts.height.max(MIN_SIZE.1));
    let mut svg = String::new();
    {
        let root: DrawingArea<_, _> =
            super::record::svg_backend(&mut svg, size).into_drawing_area();
        draw_mlp_figure(&root, result, opts)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}
