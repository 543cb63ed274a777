//! The portable product against the naive triple loop, bit for bit (docs/deep.md §6).

use super::*;
use crate::data::rng::Rng;
use proptest::prelude::*;

/// The definition: each element summed over k in order, starting from C (or 0).
fn naive(dims: Dims, c: &mut [f32], a: Operand<'_>, b: Operand<'_>, accumulate: bool) {
    let Dims { m, n, k } = dims;
    for i in 0..m {
        for j in 0..n {
            let mut s = if accumulate { c[i * n + j] } else { 0.0 };
            for p in 0..k {
                s += a.at(m, k, i, p) * b.at(k, n, p, j);
            }
            c[i * n + j] = s;
        }
    }
}

fn random(len: usize, rng: &mut Rng) -> Vec<f32> {
    (0..len).map(|_| rng.normal() as f32).collect()
}

/// Bits of gemm and of the naive loop, for one size and choice of transposes.
fn both(dims: Dims, ta: bool, tb: bool, accumulate: bool, seed: u64) -> (Vec<u32>, Vec<u32>) {
    let mut rng = Rng::new(seed, 0);
    let (a, b) = (
        random(dims.m * dims.k, &mut rng),
        random(dims.k * dims.n, &mut rng),
    );
    let c0 = random(dims.m * dims.n, &mut rng);
    let op = |data, transposed| Operand { data, transposed };
    let (mut fast, mut slow) = (c0.clone(), c0);
    Gemm::default().product(dims, &mut fast, op(&a, ta), op(&b, tb), accumulate);
    naive(dims, &mut slow, op(&a, ta), op(&b, tb), accumulate);
    let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect();
    (bits(fast), bits(slow))
}

#[test]
fn bit_identical_to_the_naive_loop_at_awkward_sizes() {
    let sizes = [1, 3, 7, 16, 33, 129];
    let mut seed = 0;
    for &m in &sizes {
        for &n in &sizes {
            for k in [1, 5, 33, 257, 600] {
                for (ta, tb, acc) in [
                    (false, false, false),
                    (false, true, false),
                    (true, false, true),
                    (true, true, true),
                    (false, false, true),
                ] {
                    seed += 1;
                    let (fast, slow) = both(Dims { m, n, k }, ta, tb, acc, seed);
                    assert!(
                        fast == slow,
                        "{m}x{n}x{k} transposes ({ta}, {tb}) accumulate {acc}"
                    );
                }
            }
        }
    }
}

#[test]
fn chunks_of_k_accumulated_equal_one_product() {
    let (m, n, k) = (37, 21, 300);
    let mut rng = Rng::new(4, 0);
    let (a, b) = (random(k * m, &mut rng), random(k * n, &mut rng));
    let mut whole = vec![0.0; m * n];
    let mut gemm = Gemm::default();
    let dims = Dims { m, n, k };
    gemm.product(
        dims,
        &mut whole,
        Operand::transposed(&a),
        Operand::plain(&b),
        false,
    );
    let mut parts = vec![0.0; m * n];
    for (p0, kb) in [(0, 100), (100, 7), (107, 193)] {
        let dims = Dims { m, n, k: kb };
        let (a, b) = (&a[p0 * m..][..kb * m], &b[p0 * n..][..kb * n]);
        gemm.product(
            dims,
            &mut parts,
            Operand::transposed(a),
            Operand::plain(b),
            true,
        );
    }
    assert!(whole
        .iter()
        .zip(&parts)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
    // and the sums do depend on the order: the test would see a reordered kernel
    let mut backwards = vec![0.0f32; m * n];
    for p in (0..k).rev() {
        for i in 0..m {
            for j in 0..n {
                backwards[i * n + j] += a[p * m + i] * b[p * n + j];
            }
        }
    }
    assert!(whole
        .iter()
        .zip(&backwards)
        .any(|(x, y)| x.to_bits() != y.to_bits()));
}

#[test]
fn empty_k_clears_or_keeps_c() {
    let dims = Dims { m: 2, n: 3, k: 0 };
    let mut c = vec![1.5; 6];
    let mut gemm = Gemm::default();
    gemm.product(dims, &mut c, Operand::plain(&[]), Operand::plain(&[]), true);
    assert_eq!(c, vec![1.5; 6]);
    gemm.product(
        dims,
        &mut c,
        Operand::plain(&[]),
        Operand::plain(&[]),
        false,
    );
    assert_eq!(c, vec![0.0; 6]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_size_is_bit_identical(
        m in 1usize..80, n in 1usize..80, k in 1usize..300,
        ta: bool, tb: bool, acc: bool, seed in 0u64..1000,
    ) {
        let (fast, slow) = both(Dims { m, n, k }, ta, tb, acc, seed);
        prop_assert!(fast == slow);
    }
}
