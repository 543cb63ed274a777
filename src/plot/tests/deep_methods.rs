//! Table 2's figure on planted methods: three runs stepping at known steps and a known
//! alignment matrix.

use super::super::deep_methods::{
    cell_at, draw_methods_figure, methods_svg, readout_text, MethodsView,
};
use super::super::density::FigureKind;
use super::super::*;
use super::layout::check_every_width;
use super::sigmoid;
use crate::experiment::Record;

/// Each method's planted step (of its modes) and its steps in all.
const STEPS: [(&[f64], u64); 3] = [
    (&[20.0, 130.0, 310.0], 700),
    (&[5.0, 50.0, 170.0], 600),
    (&[6.0, 320.0, 850.0], 1500),
];

fn planted() -> MethodsView {
    let records = STEPS
        .iter()
        .map(|(taus, total)| {
            (0..=*total)
                .step_by(5)
                .map(|step| Record {
                    t: 0.01 * step as f64,
                    step,
                    loss: f64::NAN,
                    eigenvalues: taus
                        .iter()
                        .map(|tau| 2.0 * sigmoid(0.1 * (step as f64 - tau)))
                        .collect(),
                })
                .collect()
        })
        .collect();
    MethodsView {
        names: vec!["Barlow Twins".into(), "SimCLR".into(), "VICReg".into()],
        alignment: vec![
            vec![1.0, 0.409, 0.431],
            vec![0.409, 1.0, 0.481],
            vec![0.431, 0.481, 1.0],
        ],
        chance: 4.0 / 511.0,
        d: 4,
        rows: 512,
        records,
    }
}

#[test]
fn the_figure_writes_every_alignment_and_chance() {
    let svg = methods_svg(&planted(), &FigureOptions::default()).expect("svg");
    for text in [
        "0.409",
        "0.431",
        "0.481",
        "1.000",
        "chance 0.0078",
        "SimCLR",
        "VICReg",
    ] {
        assert!(svg.contains(text), "no {text}");
    }
    // nine shaded cells
    assert!(svg.matches("<rect").count() >= 9);
}

#[test]
fn each_band_rises_from_its_foot_to_its_top_at_the_planted_steps() {
    let view = planted();
    for (i, (taus, _)) in STEPS.iter().enumerate() {
        let band = view.band_records(i);
        let centre = (3 - i) as f64;
        let (first, last) = (&band[0], &band[band.len() - 1]);
        for j in 0..taus.len() {
            assert!(
                first.eigenvalues[j] < centre,
                "method {i} mode {j} starts low"
            );
            assert!(
                last.eigenvalues[j] > centre,
                "method {i} mode {j} ends high"
            );
            // half way up the band (half its final value) at the planted step
            let half = centre - 0.4 + 0.8 * 0.5 / 1.2;
            let at = band
                .iter()
                .find(|r| r.eigenvalues[j] >= half)
                .expect("crosses");
            assert!(
                (at.t - taus[j]).abs() <= 5.0,
                "method {i} mode {j}: {}",
                at.t
            );
        }
    }
}

#[test]
fn a_point_of_panel_a_names_its_pair() {
    let view = planted();
    assert_eq!(cell_at(&view, 1.0, 3.0), Some((0, 0)));
    assert_eq!(cell_at(&view, 2.2, 2.9), Some((0, 1)));
    assert_eq!(cell_at(&view, 3.0, 1.0), Some((2, 2)));
    assert_eq!(cell_at(&view, 3.6, 1.0), None);
    // before a method finished, its row and column are empty
    let mut partial = view;
    partial.alignment = vec![vec![1.0]];
    assert_eq!(cell_at(&partial, 2.0, 3.0), None);
}

#[test]
fn the_methods_figure_reads_well_at_every_width() {
    let view = planted();
    let kind = FigureKind::parse("deep-methods").expect("sized");
    check_every_width("deep-methods", kind, |root| {
        draw_methods_figure(root, &view)
    });
}

#[test]
fn the_readouts_name_the_pair_and_the_band_under_the_pointer() {
    let view = planted();
    assert_eq!(
        readout_text(&view, 0, 3.0, 2.0).as_deref(),
        Some("SimCLR–VICReg: alignment 0.481 (chance 0.0078)")
    );
    assert_eq!(readout_text(&view, 0, 0.2, 2.0), None);
    // panel B: VICReg's band (centred on 1) at step 852 reads its record at step 850
    let text = readout_text(&view, 1, 852.0, 1.1).expect("a band");
    assert!(text.starts_with("VICReg, step 850: λ = "), "{text}");
    let third = view.records[2]
        .iter()
        .find(|r| r.step == 850)
        .expect("step 850")
        .eigenvalues[2];
    assert!(text.ends_with(&format!("{third:.3}")), "{text} vs {third}");
}
