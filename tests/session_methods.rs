//! Cell 10, the three-method comparison (Table 2, docs/deep.md §5), as a session on the CPU:
//! its steps are the three runs' together, the methods finish in turn and the live alignment
//! grows with them, and its result equals `stepwise compare methods`' computation
//! (`compare_methods_cpu`) exactly: the same runs, in the same order.

use stepwise::experiment::deep::methods::compare_methods_cpu;
use stepwise::experiment::deep::methods_config::{MethodsConfig, MethodsFamily};
use stepwise::experiment::deep::LossKind;
use stepwise::experiment::session::{BackendWant, MethodsCell, Opening, SessionState};

/// The small family at `steps` steps per method.
fn short(steps: u64) -> MethodsConfig {
    MethodsConfig {
        family: MethodsFamily::Small,
        steps: Some(steps),
        ..MethodsConfig::default()
    }
}

#[test]
fn the_session_runs_the_three_methods_in_turn_and_equals_the_cli() {
    let cfg = short(12);
    let opening = Opening::new(MethodsCell, cfg.clone());
    let mut session =
        pollster::block_on(opening.start(BackendWant::Cpu, Err("-".into()))).expect("started");
    let first = session.progress();
    assert_eq!((first.step, first.total), (0.0, 36.0));
    assert_eq!((first.done, first.total_tasks), (Some(0), Some(3)));
    assert_eq!(first.current.as_deref(), Some("Barlow Twins"));
    let mut finished_seen = Vec::new();
    let mut last = 0.0;
    while !session.progress().finished {
        let p = pollster::block_on(session.advance(5)).expect("advanced");
        assert!(p.step > last && p.step <= p.total, "{p:?}");
        last = p.step;
        let live = session.live();
        // the alignment matrix is a square of the finished methods
        let done = live.comparison.methods.len();
        assert_eq!(live.comparison.alignment.len(), done);
        assert!(live.runs.len() >= done && live.runs.len() <= done + 1);
        if finished_seen.last() != Some(&done) {
            finished_seen.push(done);
        }
    }
    assert_eq!(finished_seen, [0, 1, 2, 3], "one method after another");
    let p = session.progress();
    assert_eq!((p.step, p.state), (36.0, SessionState::Finished));
    let result = session.result();
    let losses: Vec<LossKind> = result.methods.iter().map(|m| m.loss).collect();
    assert_eq!(
        losses,
        [LossKind::BarlowTwins, LossKind::Simclr, LossKind::Vicreg]
    );
    assert_eq!(result.results.len(), 3);
    let cli = compare_methods_cpu(&cfg.configs().expect("valid")).expect("compared");
    assert_eq!(result.alignment, cli.alignment, "bit for bit");
    assert_eq!(
        (result.chance, result.rows, result.d),
        (cli.chance, cli.rows, cli.d)
    );
    for (a, b) in result.methods.iter().zip(&cli.methods) {
        assert_eq!(a.final_eigenvalues, b.final_eigenvalues);
        assert_eq!(a.crossings, b.crossings);
    }
    // the alignment's invariants: 1 on the diagonal, symmetric, within [0, 1]
    for (i, row) in result.alignment.iter().enumerate() {
        assert!((row[i] - 1.0).abs() < 1e-9, "{row:?}");
        for (j, &a) in row.iter().enumerate() {
            assert!((0.0..=1.0 + 1e-9).contains(&a));
            assert!((a - result.alignment[j][i]).abs() < 1e-12);
        }
    }
}

#[test]
fn a_bad_step_count_is_refused_naming_the_key() {
    let opening = Opening::new(MethodsCell, short(0));
    let err = pollster::block_on(opening.start(BackendWant::Cpu, Err("-".into())))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("steps"), "{err}");
}
