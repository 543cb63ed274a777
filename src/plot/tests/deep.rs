//! The deep figures on a planted run: eight modes stepping at known times from a small
//! init, hidden eigenvalues jumping with the first four, the embedding probe rising with
//! the modes and the hidden one high from the start.

use super::super::deep::{log_histogram, log_records, DeepFigure, DeepView, HISTOGRAM_BINS};
use super::super::density::FigureKind;
use super::super::series::TimeAxis;
use super::super::*;
use super::layout::check_every_width;
use super::sigmoid;
use crate::experiment::deep::half_final_crossings;
use crate::experiment::Record;

/// The planted step times (t), one per embedding mode.
const STEPS: [f64; 8] = [0.3, 0.7, 1.1, 1.4, 2.5, 4.0, 4.7, 7.8];
/// Each mode's final eigenvalue.
const FINAL: f64 = 1.0;
/// Where every eigenvalue starts (small init).
const FLOOR: f64 = 1e-6;

fn record(t: f64, step: u64, eigenvalues: Vec<f64>) -> Record {
    Record {
        t,
        step,
        loss: f64::NAN,
        eigenvalues,
    }
}

/// A planted deep run on t = 0, 0.025, …, 10 (401 records), six classes.
pub(super) fn planted_view() -> DeepView {
    let mut view = DeepView {
        loss_label: "loss ||C − I||²".into(),
        eigen_title: "eigenvalues of C".into(),
        classes: 6,
        ..DeepView::default()
    };
    for i in 0..=400u32 {
        let (t, step) = (f64::from(i) * 0.025, u64::from(i));
        let eig: Vec<f64> = STEPS
            .iter()
            .map(|tau| FLOOR + FINAL * sigmoid(12.0 * (t - tau)))
            .collect();
        let learned: f64 = eig.iter().sum::<f64>() / FINAL;
        let loss = eig.iter().map(|l| (1.0 - l).powi(2)).sum();
        view.records.push(Record {
            loss,
            ..record(t, step, eig.clone())
        });
        let hidden = (0..4).map(|j| 1.0 + 4.0 * eig[j]).rev().collect();
        view.hidden.push(record(t, step, hidden));
        let embedding = 1.0 / 6.0 + (0.85 - 1.0 / 6.0) * learned / 8.0;
        view.probe.push(record(t, step, vec![embedding, 0.9]));
        view.rank
            .push(record(t, step, vec![1.0 + learned.min(7.0), 20.0]));
    }
    view.step_times = half_final_crossings(&view.records, STEPS.len());
    view
}

#[test]
fn step_times_are_where_each_mode_reaches_half_its_final_value() {
    let view = planted_view();
    for (j, (got, want)) in view.step_times.iter().zip(STEPS).enumerate() {
        let got = got.unwrap_or(f64::NAN);
        assert!((got - want).abs() < 0.01, "mode {j}: {got} vs {want}");
    }
    // a mode still at zero at the end has no step time
    let mut records = view.records.clone();
    records.iter_mut().for_each(|r| r.eigenvalues[7] = 0.0);
    assert_eq!(half_final_crossings(&records, 8)[7], None);
    assert_eq!(half_final_crossings(&[], 2), vec![None, None]);
}

#[test]
fn the_histogram_counts_every_positive_eigenvalue_once_and_tiles_time() {
    let view = planted_view();
    let axis = view.axis(false);
    let hist = log_histogram(&view.records, HISTOGRAM_BINS, &axis);
    assert_eq!(hist.edges.len(), HISTOGRAM_BINS + 1);
    assert_eq!(hist.columns.len(), view.records.len());
    assert_eq!(hist.skipped, 0);
    for c in &hist.columns {
        assert_eq!(c.counts.iter().sum::<u32>(), 8, "t = {}", c.t);
    }
    // columns meet: each ends where the next begins, from the axis's start to its end
    for w in hist.columns.windows(2) {
        assert!((w[0].span.end - w[1].span.start).abs() < 1e-12);
    }
    assert_eq!(hist.columns[0].span.start, axis.range.start);
    // the edges span log10 of the smallest (FLOOR) to the largest eigenvalue
    assert!(
        (hist.edges[0] - FLOOR.log10()).abs() < 1e-3,
        "{:?}",
        hist.edges
    );
    assert!((hist.edges[HISTOGRAM_BINS] - (FLOOR + FINAL).log10()).abs() < 1e-3);
    // at t = 2, four modes are learned (last bin), three not started (first bin) and one
    // rising between (τ = 2.5): Fig 4's two groups
    let mid = hist.columns.iter().find(|c| c.t >= 2.0).expect("t = 2");
    assert_eq!(mid.counts[0], 3, "{:?}", mid.counts);
    assert_eq!(mid.counts[HISTOGRAM_BINS - 1], 4, "{:?}", mid.counts);
    // a zero eigenvalue has no log: skipped, not counted
    let mut records = view.records.clone();
    records[3].eigenvalues[0] = 0.0;
    let hist = log_histogram(&records, 10, &axis);
    assert_eq!(hist.skipped, 1);
    assert_eq!(hist.columns[3].counts.iter().sum::<u32>(), 7);
    assert!(log_records(&records)[3].eigenvalues[0].is_nan());
}

#[test]
fn on_a_log_axis_the_histogram_skips_t_zero_and_splits_geometrically() {
    let view = planted_view();
    let axis = TimeAxis::spanning(view.records.iter().map(|r| r.t), true);
    let hist = log_histogram(&view.records, 12, &axis);
    assert_eq!(hist.columns.len(), view.records.len() - 1);
    let (a, b) = (hist.columns[0].t, hist.columns[1].t);
    assert!((hist.columns[0].span.end - (a * b).sqrt()).abs() < 1e-12);
}

#[test]
fn the_figures_mark_every_step_and_chance() {
    let view = planted_view();
    let axis = view.axis(false);
    assert_eq!(view.markers(&axis, true).len(), 8);
    let opts = FigureOptions::default();
    let probes = DeepFigure::Probes.svg(&view, &opts).expect("probes");
    assert!(probes.contains("chance 1/6"), "no chance level");
    assert!(
        probes.contains("on embedding"),
        "the figure says which probe shows what"
    );
    let deep = DeepFigure::Steps.svg(&view, &opts).expect("deep");
    assert!(deep.contains("eigenvalues of C"));
    let hist = DeepFigure::Histogram.svg(&view, &opts).expect("histogram");
    // one shaded rectangle per non-empty bin of every column
    let cells: usize = log_histogram(&view.records, HISTOGRAM_BINS, &axis)
        .columns
        .iter()
        .map(|c| c.counts.iter().filter(|n| **n > 0).count())
        .sum();
    assert!(hist.matches("<rect").count() >= cells, "{cells} cells");
}

#[test]
fn the_deep_figures_read_well_at_every_width() {
    let view = planted_view();
    for log_time in [false, true] {
        let opts = FigureOptions {
            log_time,
            ..FigureOptions::default()
        };
        for name in ["deep", "deep-probes", "deep-histogram"] {
            let figure = DeepFigure::parse(name).expect(name);
            // the page sizes each figure by the same name
            assert_eq!(FigureKind::parse(name), Some(figure.kind()));
            check_every_width(name, figure.kind(), |root| figure.draw(root, &view, &opts));
        }
    }
}

#[test]
fn a_deep_result_is_viewed_with_its_probes_ranks_classes_and_step_times() {
    use crate::experiment::deep::{
        DeepConfig, DeepResult, DeepTiming, HiddenRecord, ProbeRecord, RankRecord,
    };
    let planted = planted_view();
    let config = DeepConfig::default();
    let result = DeepResult {
        backend: "cpu-f32".into(),
        parameters: 0,
        hidden_dim: 64,
        base_count: 12,
        classes: (0..6).map(|i| format!("photo {i}")).collect(),
        records: planted.records.clone(),
        hidden: planted
            .hidden
            .iter()
            .map(|r| HiddenRecord {
                t: r.t,
                step: r.step,
                eigenvalues: r.eigenvalues.clone(),
            })
            .collect(),
        probe: planted
            .probe
            .iter()
            .map(|r| ProbeRecord {
                t: r.t,
                step: r.step,
                embedding: r.eigenvalues[0],
                hidden: r.eigenvalues[1],
            })
            .collect(),
        rank: planted
            .rank
            .iter()
            .map(|r| RankRecord {
                t: r.t,
                step: r.step,
                embedding: r.eigenvalues[0],
                hidden: r.eigenvalues[1],
            })
            .collect(),
        crossings: Vec::new(),
        timing: DeepTiming {
            seconds: 1.0,
            steps_per_second: 1.0,
            flops_per_view: 1,
        },
        data_digest: String::new(),
        local_images: None,
        backend_choice: None,
        config,
    };
    let view = DeepView::from(&result);
    assert_eq!(view.classes, 6);
    assert_eq!(view.eigen_title, "eigenvalues of C");
    // the probe and rank panels read [embedding, hidden] (loss NaN: compare the rest)
    let columns = |rs: &[Record]| -> Vec<(u64, Vec<f64>)> {
        rs.iter().map(|r| (r.step, r.eigenvalues.clone())).collect()
    };
    assert_eq!(columns(&view.probe), columns(&planted.probe));
    assert_eq!(columns(&view.rank), columns(&planted.rank));
    assert!(view.hidden.iter().all(|r| r.loss.is_nan()));
    // step times from the records (the live run's crossings are not assembled yet)
    assert_eq!(view.step_times, planted.step_times);
}
