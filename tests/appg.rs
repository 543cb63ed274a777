//! Appendix G's variants against the claims docs/math.md §8 makes for them, on the CPU backend.

use stepwise::experiment::appg::{
    compare_cpu, AppgConfig, AppgResult, Comparison, CpuVariants, EtaPolicy, LinearTrials, Policy,
    VariantBackends, VariantSet,
};
use stepwise::experiment::{prepare, Config, LinearRun, RunPlan};
use stepwise::model::spectral::LossVariant;

/// The planted preset (spectrum 4, 3, 2, 1.5, … in m = 24, d = 4, η = 1e-3).
fn planted() -> AppgConfig {
    AppgConfig::preset("planted").expect("planted preset")
}

fn equal_only(mut cfg: AppgConfig) -> AppgConfig {
    cfg.eta = EtaPolicy::Equal;
    cfg
}

fn t_to_all(r: &AppgResult, v: LossVariant) -> f64 {
    r.row(v, Policy::Equal)
        .and_then(|row| row.t_to_all)
        .unwrap_or_else(|| panic!("{} never learned every mode", v.name()))
}

#[test]
fn sharp_escape_time_barely_depends_on_the_init_scale() {
    let mut times = Vec::new();
    for alpha in [1e-4, 1e-6] {
        let mut cfg = equal_only(planted());
        cfg.run.init_scale = alpha;
        cfg.run.record_every = 2;
        cfg.run.steps = Some(4000);
        cfg.variants = VariantSet {
            sharp: true,
            smooth: false,
            quartic: false,
            precondition: false,
        };
        let r = compare_cpu(&cfg).expect("comparison");
        times.push((
            t_to_all(&r, LossVariant::Baseline),
            t_to_all(&r, LossVariant::Sharp),
        ));
    }
    let base_growth = times[1].0 - times[0].0;
    let sharp_growth = times[1].1 - times[0].1;
    // the baseline's escape from λ ~ α² takes ln(1/α²)/(8 γ_d): 100x smaller α adds
    // ln(100)/(4 γ_d) with γ_d = 1.5 (the 4th planted eigenvalue)
    let expected = 100f64.ln() / (4.0 * 1.5);
    assert!(
        (base_growth - expected).abs() < 0.1 * expected,
        "baseline: {times:?}, grew by {base_growth}, expected {expected}"
    );
    assert!(
        sharp_growth.abs() < 0.1 * base_growth,
        "sharp grew by {sharp_growth} against the baseline's {base_growth}: {times:?}"
    );
}

#[test]
fn stable_eta_search_finds_the_baseline_bound_and_wider_basins_for_the_smooth_variants() {
    let mut cfg = planted();
    cfg.eta = EtaPolicy::Stable;
    cfg.variants.sharp = false;
    cfg.variants.precondition = false;
    let r = compare_cpu(&cfg).expect("comparison");
    let eta = |v: LossVariant| {
        r.stable
            .iter()
            .find(|s| s.variant == v)
            .and_then(|s| s.eta)
            .expect("a stable η")
    };
    // the baseline's edge is 1/(4 γ_1) = 1/16 (gradient descent on (γ s² − 1)² at s = γ^-½);
    // 4 bisections of a factor-2 bracket leave it within 2^(1/16) below
    let bound = 1.0 / (4.0 * r.gamma_1);
    let base = eta(LossVariant::Baseline);
    assert!(
        base <= bound * 1.01 && base > bound / 2f64.powf(1.0 / 16.0) * 0.95,
        "{base} vs {bound}"
    );
    assert!(
        eta(LossVariant::Smooth) > 1.5 * base,
        "smooth {}",
        eta(LossVariant::Smooth)
    );
    assert!(
        eta(LossVariant::Quartic) > 1.5 * base,
        "quartic {}",
        eta(LossVariant::Quartic)
    );
    // every stable-η row learned every mode without diverging
    for row in r.rows.iter().filter(|x| x.policy == Policy::Stable) {
        assert!(!row.diverged && row.steps_to_all.is_some(), "{row:?}");
    }
}

#[test]
fn preconditioning_with_a_large_shift_and_step_is_the_baseline() {
    let mut cfg = planted();
    cfg.run.steps = Some(1500);
    cfg.a = 1e5;
    let prep = prepare(&cfg.run).expect("prepare");
    let mut factory = CpuVariants::new(&prep, &cfg);
    let plan = RunPlan::of(&prep);
    let records = |v: LossVariant, lr: f64, factory: &mut CpuVariants| {
        pollster::block_on(async {
            let backend = factory.create(&prep, v, lr).await.expect("backend");
            let mut run = LinearRun::with_plan(backend, RunPlan { lr, ..plan })
                .await
                .expect("start");
            run.finish().await.expect("run");
            run.records().to_vec()
        })
    };
    let base = records(LossVariant::Baseline, plan.lr, &mut factory);
    let pre = records(LossVariant::Precondition, plan.lr * cfg.a, &mut factory);
    assert_eq!(base.len(), pre.len());
    let mut worst: f64 = 0.0;
    for (b, p) in base.iter().zip(&pre) {
        for (x, y) in b.eigenvalues.iter().zip(&p.eigenvalues) {
            worst = worst.max((x - y).abs());
        }
    }
    // a (M + aI)⁻¹ = I − M/a + …: with M ≲ 2 (learned modes) the steps differ by ~1e-5
    assert!(worst < 1e-3, "max |Δλ| = {worst}");
    assert!(
        base.last().unwrap().eigenvalues[0] > 0.9,
        "the baseline learned"
    );
}

#[test]
fn speedups_are_against_the_baseline_of_the_same_policy() {
    let r = compare_cpu(&planted()).expect("comparison");
    assert_eq!(r.rows.len(), 10);
    for p in [Policy::Equal, Policy::Stable] {
        let base = r.row(LossVariant::Baseline, p).unwrap();
        assert_eq!(base.speedup, Some(1.0));
        for row in r.rows.iter().filter(|x| x.policy == p) {
            let expected = base.steps_to_all.unwrap() as f64 / row.steps_to_all.unwrap() as f64;
            assert!((row.speedup.unwrap() - expected).abs() < 1e-12);
            // the loss column is the variant's own loss at the final eigenvalues
            let own = row.variant.loss(&row.final_eigenvalues);
            assert!((row.final_loss.unwrap() - own).abs() < 1e-12);
        }
    }
    // at equal η sharp and preconditioning escape faster; smooth is the baseline below λ = 1
    let eq = |v| r.row(v, Policy::Equal).unwrap().speedup.unwrap();
    assert!(eq(LossVariant::Sharp) > 2.0);
    assert!(eq(LossVariant::Precondition) > 2.0);
    assert!((eq(LossVariant::Smooth) - 1.0).abs() < 0.05);
}

#[test]
fn a_diverging_baseline_becomes_a_row_with_a_failure() {
    let mut cfg = equal_only(planted());
    cfg.run.lr = Some(0.5); // 8x the stability bound 1/(4γ_1)
    cfg.variants.precondition = false;
    let r = compare_cpu(&cfg).expect("the comparison itself succeeds");
    let base = r.row(LossVariant::Baseline, Policy::Equal).unwrap();
    assert!(base.diverged, "{base:?}");
    assert!(base.failure.as_deref().unwrap().contains("diverged"));
    assert!(base.final_loss.is_none());
    assert_eq!(base.speedup, None);
}

#[test]
fn comparisons_are_advanced_in_budgets_with_progress() {
    let cfg = equal_only(planted());
    let prep = prepare(&cfg.run).expect("prepare");
    let factory = CpuVariants::new(&prep, &cfg);
    let mut c = Comparison::new(&cfg, LinearTrials::new(prep, factory));
    let mut calls = 0;
    while !pollster::block_on(c.advance(500)).expect("advance") {
        let p = c.progress();
        assert!(p.done < p.total);
        calls += 1;
    }
    // 5 runs of 2482 steps in budgets of 500 steps
    assert!(calls >= 20, "{calls} calls");
    assert_eq!(c.progress().done, 5);
    let whole = compare_cpu(&cfg).unwrap();
    assert_eq!(c.result().rows, whole.rows, "chunked and whole runs agree");
}

#[test]
fn the_mlp_compares_too_and_sharp_escapes_faster() {
    let mut cfg = AppgConfig::preset("mlp-small-bt").expect("preset");
    cfg.eta = EtaPolicy::Equal;
    cfg.variants.quartic = false;
    let r = compare_cpu(&cfg).expect("comparison");
    assert_eq!(r.rows.len(), 4);
    assert!(r.backend.starts_with("cpu"), "{}", r.backend);
    let base = r.row(LossVariant::Baseline, Policy::Equal).unwrap();
    assert!(base.steps_to_all.is_some(), "{base:?}");
    let sharp = r.row(LossVariant::Sharp, Policy::Equal).unwrap();
    assert!(sharp.speedup.unwrap() > 2.0, "{sharp:?}");
    assert_eq!(
        r.config.mlp.lr,
        Some(r.eta_baseline),
        "η resolved into the config"
    );
}
