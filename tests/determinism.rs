//! Same seed, same bits; different seeds, different data.

use stepwise::data::{self, DatasetConfig, DatasetKind};
use stepwise::experiment::{init_weights, overrides, preset, run_cpu};

fn photo(seed: u64) -> data::Pairs {
    data::build(&DatasetConfig {
        n: 30,
        crop: 5,
        base: 9,
        seed,
        ..DatasetConfig::default()
    })
    .unwrap()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn photo_patches_are_bit_identical_for_a_seed() {
    let (a, b) = (photo(3), photo(3));
    assert_eq!(bits(&a.x), bits(&b.x));
    assert_eq!(bits(&a.x_prime), bits(&b.x_prime));
    assert_ne!(bits(&a.x), bits(&photo(4).x));
}

#[test]
fn planted_data_is_bit_identical_for_a_seed() {
    let cfg = DatasetConfig {
        kind: DatasetKind::Planted,
        n: 20,
        dim: 7,
        noise: 0.1,
        spectrum: vec![2.0, 1.0],
        ..DatasetConfig::default()
    };
    let (a, b) = (data::build(&cfg).unwrap(), data::build(&cfg).unwrap());
    assert_eq!(bits(&a.x), bits(&b.x));
    assert_eq!(bits(&a.x_prime), bits(&b.x_prime));
    let other = data::build(&DatasetConfig { seed: 1, ..cfg }).unwrap();
    assert_ne!(bits(&a.x), bits(&other.x));
}

#[test]
fn init_weights_are_seeded() {
    assert_eq!(
        bits(&init_weights(3, 5, 0.1, 9)),
        bits(&init_weights(3, 5, 0.1, 9))
    );
    assert_ne!(
        bits(&init_weights(3, 5, 0.1, 9)),
        bits(&init_weights(3, 5, 0.1, 10))
    );
}

#[test]
fn centered_views_have_zero_feature_mean() {
    let p = photo(0);
    for j in 0..p.m {
        let mean: f64 = (0..p.n)
            .map(|i| p.x_row(i)[j] as f64 + p.x_prime_row(i)[j] as f64)
            .sum::<f64>()
            / (2 * p.n) as f64;
        assert!(mean.abs() < 1e-6, "feature {j} mean {mean}");
    }
}

#[test]
fn a_whole_run_is_reproducible() {
    let cfg = overrides::apply_all(preset("small").unwrap(), &["steps=200"]).unwrap();
    let (a, b) = (run_cpu(&cfg, false).unwrap(), run_cpu(&cfg, false).unwrap());
    assert_eq!(a, b);
}

#[test]
fn the_data_digest_identifies_the_data() {
    let cfg = overrides::apply_all(preset("small").unwrap(), &["steps=10"]).unwrap();
    let a = run_cpu(&cfg, false).unwrap();
    assert_eq!(a.data_digest.len(), 16);
    assert_eq!(a.data_digest, run_cpu(&cfg, false).unwrap().data_digest);
    let other = overrides::apply(&cfg, "dataset.seed=1").unwrap();
    assert_ne!(a.data_digest, run_cpu(&other, false).unwrap().data_digest);
    let other = overrides::apply(&cfg, "seed=1").unwrap();
    assert_ne!(a.data_digest, run_cpu(&other, false).unwrap().data_digest);
}
