//! Every cell as a session on the CPU: the App. G comparison (its steps over all runs and
//! probes, its progress, its result equal to the one-call comparison), the init comparison
//! and the symmetry landscape (one-step sessions), and the cells that run only on the CPU.

use stepwise::experiment::appg::{compare_cpu, AppgConfig, AppgModel, EtaPolicy};
use stepwise::experiment::cells::{init_comparison, landscape_from};
use stepwise::experiment::session::{
    AdapterInfo, AppgCell, BackendKind, BackendWant, ErrorKind, InitCell, Opening, SessionState,
    Stepper, SymmetryCell, SymmetryConfig, Why,
};
use stepwise::experiment::{preset, Config};

fn hardware() -> Result<AdapterInfo, String> {
    Ok(AdapterInfo::classify("nvidia geforce rtx 4070", false))
}

fn planted_equal() -> AppgConfig {
    let mut cfg = AppgConfig::preset("planted").unwrap();
    cfg.eta = EtaPolicy::Equal;
    cfg
}

#[test]
fn a_comparison_session_counts_the_steps_of_all_its_runs() {
    let cfg = planted_equal();
    let opening = Opening::new(AppgCell, cfg.clone());
    let mut session = pollster::block_on(opening.start(BackendWant::Cpu, Err("-".into()))).unwrap();
    let first = session.progress();
    assert_eq!(
        (first.step, first.done, first.rows),
        (0.0, Some(0), Some(0))
    );
    assert_eq!(first.total_tasks, Some(5));
    let mut last = 0.0;
    let mut calls = 0;
    while !session.progress().finished {
        let p = pollster::block_on(session.advance(500)).unwrap();
        assert!(p.step > last && p.step <= p.total, "{p:?}");
        // a new run's first interval may pass the budget's end
        assert!(p.step - last <= 520.0, "{p:?}");
        last = p.step;
        calls += 1;
    }
    // 5 runs of 2482 steps
    let p = session.progress();
    assert_eq!((p.step, p.total), (5.0 * 2482.0, 5.0 * 2482.0));
    assert_eq!(
        (p.done, p.rows, p.state),
        (Some(5), Some(5), SessionState::Finished)
    );
    assert!(calls >= 25, "{calls}");
    let whole = compare_cpu(&cfg).unwrap();
    let result = session.result();
    assert_eq!(result.rows, whole.rows);
    assert_eq!(result.backend_choice.unwrap().why, Why::Requested);
    let json = serde_json::to_value(&whole).unwrap();
    assert!(json.get("backend_choice").is_none());
}

#[test]
fn the_running_row_is_drawn_while_it_runs() {
    let opening = Opening::new(AppgCell, planted_equal());
    let mut session = pollster::block_on(opening.start(BackendWant::Cpu, Err("-".into()))).unwrap();
    pollster::block_on(session.advance(3000)).unwrap();
    let live = session.live();
    assert_eq!(live.result.rows.len(), 1, "the baseline is done");
    let current = live
        .current
        .as_ref()
        .expect("the second run is drawn as it goes");
    assert_eq!(current.steps, Stepper::step(session.engine()) - 2482);
    assert_eq!(session.progress().records as usize, current.records.len());
    assert!(session.progress().current.unwrap().contains("step"));
}

#[test]
fn the_mlp_comparison_runs_on_the_cpu_and_says_so() {
    let mut cfg = AppgConfig::preset("mlp-small-bt").unwrap();
    assert_eq!(cfg.model, AppgModel::Mlp);
    cfg.eta = EtaPolicy::Equal;
    let opening = Opening::new(AppgCell, cfg);
    let session = pollster::block_on(opening.start(BackendWant::Gpu, hardware())).unwrap();
    let choice = session.choice();
    assert_eq!(choice.kind, BackendKind::Cpu);
    assert_eq!(
        choice.why,
        Why::OnlyOnCpu {
            what: "the MLP comparison".into()
        }
    );
    assert_eq!(
        choice.to_string(),
        "CPU (the MLP comparison runs on the CPU)"
    );
}

#[test]
fn the_init_comparison_is_a_session_of_one_step() {
    let cfg = preset("planted").unwrap();
    let opening = Opening::new(InitCell, cfg.clone());
    let mut session = pollster::block_on(opening.start(BackendWant::Auto, hardware())).unwrap();
    assert_eq!(
        session.choice().to_string(),
        "CPU (the init comparison runs on the CPU)"
    );
    assert_eq!(session.state(), SessionState::Paused);
    assert!(session.live().is_none());
    let p = pollster::block_on(session.advance(1)).unwrap();
    assert_eq!(
        (p.step, p.total, p.state),
        (1.0, 1.0, SessionState::Finished)
    );
    let expected = init_comparison(&cfg).unwrap();
    assert_eq!(session.live().as_ref(), Some(&expected));
    assert_eq!(p.records as usize, expected.random.len());
}

#[test]
fn the_symmetry_landscape_is_checked_then_computed_in_one_step() {
    let bad = SymmetryConfig {
        gammas: vec![1.0],
        init: 1.0,
    };
    let mut opening = Opening::new(SymmetryCell, bad);
    let err = opening.prepare(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("s(0) = 1 is not small"), "{err}");
    let too_many = SymmetryConfig {
        gammas: vec![1.0; 9],
        ..SymmetryConfig::default()
    };
    assert!(too_many.validate().is_err());

    let cfg = SymmetryConfig::default();
    let opening = Opening::new(SymmetryCell, cfg.clone());
    let mut session = pollster::block_on(opening.start(BackendWant::Auto, hardware())).unwrap();
    pollster::block_on(session.advance(1)).unwrap();
    assert_eq!(session.state(), SessionState::Finished);
    // the s axis spans every γ's minima: 1.25 · max(γ^{-1/2}, 1/γ) = 1.25 · 4 for γ = 0.25
    let expected = landscape_from(&cfg.gammas, 5.0, 801, cfg.init);
    assert_eq!(session.live().as_ref(), Some(&expected));
}

#[test]
fn adapters_are_classed_software_or_hardware() {
    for name in [
        "Google SwiftShader",
        "llvmpipe (LLVM 17.0.6, 256 bits)",
        "lavapipe",
    ] {
        assert!(AdapterInfo::classify(name, false).software, "{name}");
    }
    assert!(AdapterInfo::classify("some adapter", true).software);
    assert!(!AdapterInfo::classify("Apple M2", false).software);
    assert!(!hardware().unwrap().software);
    assert_eq!(BackendWant::parse("gpu"), Some(BackendWant::Gpu));
    assert_eq!(BackendWant::parse("auto"), Some(BackendWant::Auto));
    assert_eq!(BackendWant::parse("fast"), None);
    assert_eq!(
        serde_json::to_string(&BackendKind::WebGpu).unwrap(),
        "\"webgpu\""
    );
}
