//! The session core natively (no GPU): state transitions, the GPU-loss policy with an
//! injected failing backend, budget slicing on a fake clock, typed errors and the auto
//! backend choice. The fakes (a failing backend, a stepper whose steps cost a known time)
//! are in `session_fakes`.

mod session_fakes;
use session_fakes::{FakeClock, FlakyCell, TickCell, Ticker};

use std::rc::Rc;

use stepwise::experiment::mlp::{MlpConfig, TYPICAL_AUTO_STEPS};
use stepwise::experiment::session::{
    choose_backend, AdapterInfo, BackendChoice, BackendKind, BackendWant, Cell, Engine, ErrorKind,
    LinearCell, MlpCell, Opening, Session, SessionError, SessionState, Why,
};
use stepwise::experiment::{
    overrides, prepare, preset, run_cpu, BackendError, Config, RunConfig, RunError, Solver,
};
use stepwise::gpu::GpuError;

fn planted() -> RunConfig {
    preset("planted").unwrap()
}

fn swiftshader() -> AdapterInfo {
    AdapterInfo::classify("google swiftshader (fallback adapter)", true)
}

fn hardware() -> AdapterInfo {
    AdapterInfo::classify("nvidia geforce rtx 4070", false)
}

#[test]
fn a_session_goes_idle_preparing_paused_running_paused_finished() {
    let mut opening = Opening::new(LinearCell, planted());
    assert_eq!(opening.state(), SessionState::Idle);
    opening.prepare(None).unwrap();
    assert_eq!(opening.state(), SessionState::Preparing);
    let start = opening.start(BackendWant::Cpu, Err("not asked".into()));
    let mut session = pollster::block_on(start).unwrap();
    assert_eq!(session.state(), SessionState::Paused);
    assert_eq!(session.choice().why, Why::Requested);
    assert_eq!(
        session.choice().to_string(),
        "CPU (requested with backend=cpu)"
    );
    let total = session.prepared().steps();
    assert!(total > 100, "{total}");
    let first = session.progress();
    assert_eq!(
        (first.step, first.total, first.records),
        (0.0, total as f64, 1)
    );

    session.resume().unwrap();
    assert_eq!(session.state(), SessionState::Running);
    let p = pollster::block_on(session.advance(50)).unwrap();
    assert_eq!(p.state, SessionState::Running);
    assert_eq!(p.step, 50.0, "whole intervals of 10 within the budget");
    assert_eq!(p.records as usize, session.live().records.len());
    session.pause();
    assert_eq!(session.state(), SessionState::Paused);

    // a single step while paused stays paused
    let p = pollster::block_on(session.advance(1)).unwrap();
    assert_eq!((p.state, p.step), (SessionState::Paused, 60.0));
    let p = pollster::block_on(session.advance(u64::MAX)).unwrap();
    assert_eq!(p.state, SessionState::Finished);
    assert!(p.finished);
    assert_eq!(p.step, total as f64);

    // the live records are the CLI's, and the result carries the choice
    let cli = run_cpu(&planted(), false).unwrap();
    let result = session.result();
    assert_eq!(result.records, cli.records);
    assert_eq!(result.theory.records, cli.theory.records);
    assert_eq!(result.data_digest, cli.data_digest);
    assert_eq!(
        result.backend_choice.as_ref().unwrap().kind,
        BackendKind::Cpu
    );
    let json: serde_json::Value = serde_json::to_value(&result).unwrap();
    assert_eq!(json["backend_choice"]["kind"], "cpu");
    assert_eq!(json["backend_choice"]["why"]["kind"], "requested");
    let cli_json = serde_json::to_value(&cli).unwrap();
    assert!(
        cli_json.get("backend_choice").is_none(),
        "CLI files unchanged"
    );
}

#[test]
fn a_diverging_run_fails_and_every_later_call_repeats_it() {
    let cfg = overrides::apply(&planted(), "lr=1").unwrap();
    let mut opening = Opening::new(LinearCell, cfg);
    opening.prepare(None).unwrap();
    let mut session = pollster::block_on(opening.start(BackendWant::Cpu, Err("-".into()))).unwrap();
    session.resume().unwrap();
    let err = pollster::block_on(session.advance(u64::MAX)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Diverged);
    assert!(matches!(err, SessionError::Run(RunError::Diverged { .. })));
    assert_eq!(session.state(), SessionState::Failed);
    let failure = session.failure().unwrap().clone();
    assert_eq!(failure.kind, ErrorKind::Diverged);
    assert_eq!(failure.message, err.to_string());
    for _ in 0..2 {
        let again = pollster::block_on(session.advance(10)).unwrap_err();
        assert!(matches!(again, SessionError::Stopped { .. }), "{again:?}");
        assert_eq!(
            (again.kind(), again.to_string()),
            (ErrorKind::Diverged, failure.message.clone())
        );
    }
    assert_eq!(session.resume().unwrap_err().kind(), ErrorKind::Diverged);
    assert_eq!(session.state(), SessionState::Failed);
}

#[test]
fn a_lost_gpu_resumes_on_the_cpu_at_the_same_step_with_the_same_trajectory() {
    let prep = prepare(&planted()).unwrap();
    let cell = FlakyCell { fail_at: 235 };
    let gpu = pollster::block_on(cell.start_gpu_fake(&prep)).unwrap();
    let choice = BackendChoice {
        adapter: Some("fake".into()),
        ..BackendChoice::cpu(Why::Faster)
    };
    let choice = BackendChoice {
        kind: BackendKind::WebGpu,
        ..choice
    };
    let mut session = Session::new(cell, prep, Engine::Gpu(gpu), choice);
    let p = pollster::block_on(session.advance(200)).unwrap();
    assert_eq!(p.step, 200.0);
    assert!(!session.take_choice_changed());
    let before = session.live().records.len();

    // the next 100 steps cross step 235: the backend fails, the run resumes at step 200
    let p = pollster::block_on(session.advance(100)).unwrap();
    assert_eq!(p.step, 200.0, "the step is kept");
    assert_eq!(p.state, SessionState::Paused);
    assert!(session.engine().cpu().is_some());
    assert!(session.take_choice_changed());
    let choice = session.choice().clone();
    assert_eq!(choice.kind, BackendKind::Cpu);
    let Why::GpuLost { step, error } = &choice.why else {
        panic!("{choice:?}")
    };
    assert_eq!(*step, 200);
    assert!(error.contains("GPU device lost"), "{error}");
    assert_eq!(
        choice.to_string(),
        format!("CPU (the GPU stopped at step 200: {error}; the run continues on the CPU)")
    );
    assert_eq!(session.live().records.len(), before);

    // the records continue from there, and the run ends as a CPU-only run does
    let p = pollster::block_on(session.advance(100)).unwrap();
    assert_eq!(p.step, 300.0);
    assert!(session.live().records.len() > before);
    pollster::block_on(session.advance(u64::MAX)).unwrap();
    assert_eq!(session.state(), SessionState::Finished);
    let cli = run_cpu(&planted(), false).unwrap();
    let live = session.live();
    assert_eq!(live.records.len(), cli.records.len());
    assert_eq!(live.backend, cli.backend);
    for (a, b) in live.records.iter().zip(&cli.records) {
        assert_eq!(a.step, b.step);
        for (x, y) in a.eigenvalues.iter().zip(&b.eigenvalues) {
            assert!((x - y).abs() <= 1e-6, "step {}: {x} vs {y}", a.step);
        }
    }
}

#[test]
fn time_budgets_are_sliced_into_chunks_that_take_about_the_budget() {
    let clock = Rc::new(FakeClock::default());
    // 0.1 ms a step, records every 10 steps, 1000 steps
    let ticker = Ticker::new(Rc::clone(&clock), 0.1, 10, 1000);
    let budgets = ticker.budgets();
    let mut session = Session::new(
        TickCell,
        (),
        Engine::Cpu(ticker),
        BackendChoice::cpu(Why::Requested),
    );

    let t0 = clock.now();
    let p = pollster::block_on(session.advance_for(8.0, clock.as_ref())).unwrap();
    // one interval to measure, then the rest of the 8 ms at the measured rate
    assert_eq!(*budgets.borrow(), vec![10, 70]);
    assert!((clock.now() - t0 - 8.0).abs() < 1e-9);
    assert_eq!(p.step, 80.0);
    let measured = session.choice().measured_step_ms.unwrap();
    assert!((measured - 0.1).abs() < 1e-9, "{measured}");

    // calibrated: one chunk per budget
    budgets.borrow_mut().clear();
    let t1 = clock.now();
    pollster::block_on(session.advance_for(8.0, clock.as_ref())).unwrap();
    assert_eq!(*budgets.borrow(), vec![80]);
    assert!((clock.now() - t1 - 8.0).abs() < 1e-9);

    // a tiny budget still runs one recording interval
    budgets.borrow_mut().clear();
    pollster::block_on(session.advance_for(0.05, clock.as_ref())).unwrap();
    assert_eq!(*budgets.borrow(), vec![10]);

    // never past the run's end: 830 steps left, a 200 ms budget asks for them only
    budgets.borrow_mut().clear();
    let p = pollster::block_on(session.advance_for(200.0, clock.as_ref())).unwrap();
    assert_eq!(*budgets.borrow(), vec![830]);
    assert!(p.finished);
    assert_eq!(session.state(), SessionState::Finished);
}

#[test]
fn slices_follow_a_change_of_speed() {
    let clock = Rc::new(FakeClock::default());
    let ticker = Ticker::new(Rc::clone(&clock), 0.1, 10, 100_000);
    let (budgets, cost) = (ticker.budgets(), ticker.cost());
    let mut session = Session::new(
        TickCell,
        (),
        Engine::Cpu(ticker),
        BackendChoice::cpu(Why::Requested),
    );
    pollster::block_on(session.advance_for(8.0, clock.as_ref())).unwrap();
    // steps become 4x dearer: the next slice overshoots once, then the chunks shrink
    cost.set(0.4);
    budgets.borrow_mut().clear();
    let t = clock.now();
    pollster::block_on(session.advance_for(8.0, clock.as_ref())).unwrap();
    assert_eq!(*budgets.borrow(), vec![80]);
    assert!((clock.now() - t - 32.0).abs() < 1e-9);
    budgets.borrow_mut().clear();
    let t = clock.now();
    pollster::block_on(session.advance_for(8.0, clock.as_ref())).unwrap();
    assert_eq!(*budgets.borrow(), vec![20]);
    assert!((clock.now() - t - 8.0).abs() < 1e-9);
}

#[test]
fn errors_are_typed_by_kind() {
    let bad = overrides::apply(&planted(), "d=0");
    let cfg = match bad {
        Ok(cfg) => cfg,
        Err(_) => RunConfig { d: 0, ..planted() },
    };
    let mut opening = Opening::new(LinearCell, cfg);
    let err = opening.prepare(None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(opening.state(), SessionState::Idle);

    let gpu = RunError::Backend(BackendError::Gpu(GpuError::DeviceLost("gone".into())));
    assert_eq!(SessionError::from(gpu).kind(), ErrorKind::Gpu);
    let diverged = RunError::Diverged {
        step: 3,
        lr: 1.0,
        stable_lr: 0.1,
    };
    assert_eq!(SessionError::from(diverged).kind(), ErrorKind::Diverged);
    let mlp = RunError::MlpDiverged { step: 3, lr: 1.0 };
    assert_eq!(SessionError::from(mlp).kind(), ErrorKind::Diverged);
    assert_eq!(
        SessionError::from(RunError::NoPositiveMode).kind(),
        ErrorKind::Run
    );
    assert_eq!(SessionError::Busy.kind(), ErrorKind::Busy);
    let kinds = [
        ErrorKind::Config,
        ErrorKind::Run,
        ErrorKind::Diverged,
        ErrorKind::Gpu,
        ErrorKind::Busy,
    ];
    let names: Vec<String> = kinds
        .iter()
        .map(|k| serde_json::to_string(k).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "\"config\"",
            "\"run\"",
            "\"diverged\"",
            "\"gpu\"",
            "\"busy\""
        ]
    );
    // the GPU's error is kept typed inside the backend error
    let e = BackendError::from(GpuError::BufferMap("x".into()));
    assert!(matches!(e, BackendError::Gpu(GpuError::BufferMap(_))));
}

#[test]
fn auto_picks_the_cpu_for_fig1_on_swiftshader() {
    // the eigenbasis solver, as measured in Chromium (the default truncated one is cheaper)
    let cfg = RunConfig {
        solver: Solver::Eigenbasis,
        ..preset("fig1").unwrap()
    };
    let prep = prepare(&cfg).unwrap();
    assert_eq!(prep.steps(), 14_673);
    let cpu = LinearCell
        .estimate(&prep, BackendKind::Cpu, &swiftshader())
        .unwrap();
    let gpu = LinearCell
        .estimate(&prep, BackendKind::WebGpu, &swiftshader())
        .unwrap();
    // measured in Chromium (README.md): steps ~0.8 s on the CPU, 16.5 s on SwiftShader
    assert!((0.4..1.6).contains(&cpu), "{cpu}");
    assert!((8.0..33.0).contains(&gpu), "{gpu}");
    let choice = choose_backend(BackendWant::Auto, Some(cpu), Some(gpu), &Ok(swiftshader()));
    assert_eq!((choice.kind, &choice.why), (BackendKind::Cpu, &Why::Faster));
    let notice = choice.to_string();
    assert!(
        notice.starts_with("CPU (faster here: about 0.8 s on the CPU against 16 s"),
        "{notice}"
    );
    let json = serde_json::to_value(&choice).unwrap();
    assert_eq!(json["why"]["kind"], "faster");
    assert_eq!(json["cpu_seconds"].as_f64(), Some(cpu));

    // forced either way, and no adapter at all
    let forced = choose_backend(BackendWant::Gpu, Some(cpu), Some(gpu), &Ok(swiftshader()));
    assert_eq!(
        (forced.kind, &forced.why),
        (BackendKind::WebGpu, &Why::Requested)
    );
    assert_eq!(
        forced.to_string(),
        "WebGPU: google swiftshader (fallback adapter)"
    );
    let cpu_only = choose_backend(BackendWant::Cpu, Some(cpu), Some(gpu), &Ok(hardware()));
    assert_eq!(
        (cpu_only.kind, &cpu_only.why),
        (BackendKind::Cpu, &Why::Requested)
    );
    let none = choose_backend(
        BackendWant::Gpu,
        None,
        None,
        &Err("navigator.gpu is missing".into()),
    );
    assert_eq!(none.kind, BackendKind::Cpu);
    assert_eq!(
        none.why,
        Why::NoAdapter {
            reason: "navigator.gpu is missing".into()
        }
    );
    assert_eq!(
        none.to_string(),
        "CPU (no WebGPU adapter: navigator.gpu is missing)"
    );
}

#[test]
fn auto_picks_the_gpu_for_a_large_mlp_on_hardware() {
    let cfg = MlpConfig::preset("fig2-bt").unwrap();
    let cell = MlpCell { auto_size: false };
    let plan = cell.prepare(&cfg, None).unwrap();
    let cpu = cell.estimate(&plan, BackendKind::Cpu, &hardware()).unwrap();
    let gpu = cell
        .estimate(&plan, BackendKind::WebGpu, &hardware())
        .unwrap();
    // fig2-bt's ~2200 steps took 58 s on the CPU in wasm; a hardware GPU: about a second
    let steps = cfg.steps.unwrap_or(TYPICAL_AUTO_STEPS) as f64;
    assert!(cpu > 60.0 && cpu / steps > 0.02, "{cpu}");
    assert!(gpu < 5.0, "{gpu}");
    let choice = choose_backend(BackendWant::Auto, Some(cpu), Some(gpu), &Ok(hardware()));
    assert_eq!(
        (choice.kind, &choice.why),
        (BackendKind::WebGpu, &Why::Faster)
    );
    assert_eq!(choice.to_string(), "WebGPU: nvidia geforce rtx 4070");
    // on SwiftShader the same network is slower on the GPU than on the CPU
    let soft = cell
        .estimate(&plan, BackendKind::WebGpu, &swiftshader())
        .unwrap();
    assert!(soft > cpu, "{soft} vs {cpu}");
    // with auto_size the CPU would run the fallback's smaller data: far cheaper
    let sized = MlpCell { auto_size: true };
    let small = sized.prepare(&cfg, None).unwrap();
    assert!(small.fallback.is_some());
    let small_cpu = sized
        .estimate(&small, BackendKind::Cpu, &hardware())
        .unwrap();
    assert!(small_cpu * 4.0 < cpu, "{small_cpu} vs {cpu}");
}
