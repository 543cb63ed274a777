//! Plain-text exports of a run: CSV of the records next to the theory.

use std::fmt::Write;

use crate::experiment::{Record, RunResult};

fn push_record(line: &mut String, r: &Record, d: usize) {
    let _ = write!(line, ",{}", r.loss);
    for j in 0..d {
        match r.eigenvalues.get(j) {
            Some(v) => {
                let _ = write!(line, ",{v}");
            }
            None => line.push(','),
        }
    }
}

/// One row per record: t, step, loss, λ_1..λ_d, then the theory's loss and λ_1..λ_d at t.
pub fn records_csv(result: &RunResult) -> String {
    let d = result.config.d;
    let mut out = String::from("t,step,loss");
    for j in 1..=d {
        let _ = write!(out, ",lambda_{j}");
    }
    out.push_str(",theory_loss");
    for j in 1..=d {
        let _ = write!(out, ",theory_lambda_{j}");
    }
    out.push('\n');
    for (k, r) in result.records.iter().enumerate() {
        let _ = write!(out, "{},{}", r.t, r.step);
        push_record(&mut out, r, d);
        match result.theory.records.get(k) {
            Some(th) => push_record(&mut out, th, d),
            None => out.push_str(&",".repeat(d + 1)),
        }
        out.push('\n');
    }
    out
}
