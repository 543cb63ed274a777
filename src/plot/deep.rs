//! The deep-network figures (docs/deep.md §3), drawn from a [`DeepView`]: every tracked
//! series as plain [`Record`]s on one time axis, so that the hover readouts read them as
//! they read the other cells' curves.
//!
//! - [`draw_deep_figure`], "Deep networks learn in steps too": A the loss, B the embedding
//!   eigenvalues (the paper's Figs 2 and 3), each mode's step time (λⱼ half its final value)
//!   dotted in its colour;
//! - [`draw_probes_figure`] (deep_probes.rs), "Hidden representations and probes";
//! - [`draw_histogram_figure`] (deep_histogram.rs), Fig 4's eigenvalue histogram over time.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::density::FigureKind;
use super::geometry::{FigureLayout, PanelKind};
use super::landscape::{min_max, padded, thin, to_svg};
use super::panels::{draw_figure, Line, PanelData, Polyline};
use super::series::TimeAxis;
use super::style::{axis as axis_grey, ink, mode_color};
use super::{FigureOptions, PlotError};
use crate::experiment::deep::{half_final_crossings, DeepResult, LossKind};
use crate::experiment::Record;

pub use super::deep_histogram::{
    draw_histogram_figure, log_histogram, log_records, HistogramColumn, LogHistogram,
    HISTOGRAM_BINS,
};
pub use super::deep_probes::{chance_level, draw_probes_figure};

/// What the deep figures draw, as records on one time axis (t = η · step).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeepView {
    /// The loss's name on panel A's axis ("loss ||C − I||²", "NT-Xent loss", …).
    pub loss_label: String,
    /// What the embedding eigenvalues are of ("eigenvalues of C", …).
    pub eigen_title: String,
    /// Classes of the probes' labels: chance is 1 / classes.
    pub classes: usize,
    /// Loss and embedding eigenvalues (descending).
    pub records: Vec<Record>,
    /// The hidden representation's top covariance eigenvalues (loss NaN).
    pub hidden: Vec<Record>,
    /// Probe accuracies as `[embedding, hidden]` (loss NaN).
    pub probe: Vec<Record>,
    /// RankMe as `[embedding, hidden]` (loss NaN).
    pub rank: Vec<Record>,
    /// Each mode's step time: when λⱼ first reached half its final value (`None`: never).
    pub step_times: Vec<Option<f64>>,
}

impl From<&DeepResult> for DeepView {
    /// The view of a run so far: step times from its records as they are now (half each
    /// mode's latest value, the final one once the run is over), chance from its classes.
    fn from(r: &DeepResult) -> Self {
        let (loss_label, eigen_title) = match r.config.loss {
            LossKind::BarlowTwins => ("loss ||C − I||²", "eigenvalues of C"),
            LossKind::Simclr => ("NT-Xent loss", "normalized embedding covariance"),
            LossKind::Vicreg => ("VICReg loss", "embedding covariance eigenvalues"),
        };
        let plain = |t: f64, step: u64, eigenvalues: Vec<f64>| Record {
            t,
            step,
            loss: f64::NAN,
            eigenvalues,
        };
        Self {
            loss_label: loss_label.into(),
            eigen_title: eigen_title.into(),
            classes: r.classes.len(),
            records: r.records.clone(),
            hidden: r
                .hidden
                .iter()
                .map(|h| plain(h.t, h.step, h.eigenvalues.clone()))
                .collect(),
            probe: r
                .probe
                .iter()
                .map(|p| plain(p.t, p.step, vec![p.embedding, p.hidden]))
                .collect(),
            rank: r
                .rank
                .iter()
                .map(|p| plain(p.t, p.step, vec![p.embedding, p.hidden]))
                .collect(),
            step_times: half_final_crossings(&r.records, r.config.d),
        }
    }
}

impl DeepView {
    /// The time axis every deep figure shares: the span of all records.
    pub fn axis(&self, log: bool) -> TimeAxis {
        let all = [&self.records, &self.hidden, &self.probe, &self.rank];
        TimeAxis::spanning(all.into_iter().flatten().map(|r| r.t), log)
    }

    /// The step times inside `axis`, with their modes.
    pub(super) fn markers(&self, axis: &TimeAxis, coloured: bool) -> Vec<(f64, RGBColor)> {
        let times = self.step_times.iter().enumerate();
        times
            .filter_map(|(j, t)| t.filter(|&t| axis.contains(t)).map(|t| (j, t)))
            .map(|(j, t)| (t, if coloured { mode_color(j) } else { axis_grey() }))
            .collect()
    }
}

/// `(t, value)` of the records with a finite value on `axis`, thinned.
pub(super) fn points(
    records: &[Record],
    axis: &TimeAxis,
    value: impl Fn(&Record) -> Option<f64>,
) -> Vec<(f64, f64)> {
    let pts = records
        .iter()
        .filter(|r| axis.admits(r.t))
        .filter_map(|r| value(r).filter(|v| v.is_finite()).map(|v| (r.t, v)));
    thin(pts.collect())
}

/// One wide curve per column `j` of the records' eigenvalues, in mode `j`'s colour.
pub(super) fn mode_curves(records: &[Record], axis: &TimeAxis) -> Vec<Polyline> {
    let d = records
        .iter()
        .map(|r| r.eigenvalues.len())
        .max()
        .unwrap_or(0);
    (0..d)
        .map(|j| Polyline {
            points: points(records, axis, |r| r.eigenvalues.get(j).copied()),
            color: mode_color(j),
            line: Line::Wide,
        })
        .filter(|l| !l.points.is_empty())
        .collect()
}

/// A y range from 0 (or below, for negative data) to the lines' maximum, padded.
pub(super) fn y_from_zero(lines: &[Polyline]) -> std::ops::Range<f64> {
    let (lo, hi) = min_max(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let range = padded(lo.min(0.0), hi.max(0.0), 0.05);
    if lo >= 0.0 {
        0.0..range.end
    } else {
        range
    }
}

/// A time panel with `lines` and the step times dotted.
pub(super) fn time_panel(
    letter: &'static str,
    title: impl Into<String>,
    axis: &TimeAxis,
    lines: Vec<Polyline>,
    markers: Vec<(f64, RGBColor)>,
) -> PanelData {
    let y = y_from_zero(&lines);
    let mut p = PanelData::new(letter, title, axis.range.clone(), y);
    p.log_x = axis.log;
    p.lines = lines;
    p.markers = markers;
    p.x_desc = "t = η·step".into();
    p
}

/// Draws "Deep networks learn in steps too" onto `root`: A the loss, B the embedding
/// eigenvalues, each mode's step time dotted. Panel A reads as the loss, B as modes.
pub fn draw_deep_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &DeepView,
    opts: &FigureOptions,
) -> Result<FigureLayout, PlotError> {
    let axis = view.axis(opts.log_time);
    let loss = Polyline {
        points: points(&view.records, &axis, |r| Some(r.loss)),
        color: ink(),
        line: Line::Wide,
    };
    let mut a = time_panel("A", "loss", &axis, vec![loss], view.markers(&axis, false));
    a.y_desc = view.loss_label.clone();
    let eigen = mode_curves(&view.records, &axis);
    let mut b = time_panel(
        "B",
        &view.eigen_title,
        &axis,
        eigen,
        view.markers(&axis, true),
    );
    b.y_desc = "eigenvalue".into();
    b.key = vec![("step: λⱼ half way".into(), ink(), Line::Dotted)];
    let mut layout = draw_figure(root, &[a, b])?;
    if let Some(first) = layout.panels.first_mut() {
        first.kind = PanelKind::Loss;
    }
    Ok(layout)
}

/// The three deep figures, by the name the page and the downloads use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeepFigure {
    /// "Deep networks learn in steps too" ([`draw_deep_figure`]).
    Steps,
    /// "Hidden representations and probes" ([`draw_probes_figure`]).
    Probes,
    /// Fig 4's eigenvalue histogram over time ([`draw_histogram_figure`]).
    Histogram,
}

impl DeepFigure {
    /// The figure the page calls `name` ("main" is the cell's first figure).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "main" | "deep" => Some(Self::Steps),
            "probes" | "deep-probes" => Some(Self::Probes),
            "histogram" | "deep-histogram" => Some(Self::Histogram),
            _ => None,
        }
    }

    /// How the page shapes it.
    pub fn kind(self) -> FigureKind {
        match self {
            Self::Steps | Self::Histogram => FigureKind::Linear,
            Self::Probes => FigureKind::Mlp(3),
        }
    }

    /// Draws it onto `root`.
    pub fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        view: &DeepView,
        opts: &FigureOptions,
    ) -> Result<FigureLayout, PlotError> {
        match self {
            Self::Steps => draw_deep_figure(root, view, opts),
            Self::Probes => draw_probes_figure(root, view, opts),
            Self::Histogram => draw_histogram_figure(root, view, opts),
        }
    }

    /// Renders it to a standalone SVG document.
    pub fn svg(self, view: &DeepView, opts: &FigureOptions) -> Result<String, PlotError> {
        to_svg((opts.width, opts.height), |root| {
            self.draw(root, view, opts).map(|_| ())
        })
    }

    /// The records each panel's hover readout reads (none for the histogram's snapshots).
    pub fn readout_records(self, view: &DeepView) -> Vec<Vec<Record>> {
        match self {
            Self::Steps => vec![view.records.clone(), view.records.clone()],
            Self::Probes => vec![view.hidden.clone(), view.probe.clone(), view.rank.clone()],
            Self::Histogram => vec![log_records(&view.records)],
        }
    }
}
