//! Shared by the generated-input tests (`tests/fuzz_*.rs`, issue 17 §1): how many inputs a
//! parser gets, and hostile values (numbers in every spelling, markup, prototype keys,
//! unicode controls, 20k-character strings) that the strategies mix with plausible ones;
//! [`configs`] holds the configuration parsers' strategies and properties.
//!
//! Without `STEPWISE_FUZZ_CASES` each parser gets the bounded CI batch its test names (the
//! three files together take ~20 s on two loaded cores); with it, every parser gets that
//! many: `STEPWISE_FUZZ_CASES=100000 cargo test --release --test fuzz_files --test
//! fuzz_configs --test fuzz_deep_configs -- --nocapture` (one test by name for one parser)
//! prints the inputs tried and accepted per parser. The share-link parsers are the slow ones
//! (about 1 ms an input in release); the inputs are seeded, so a failure reproduces with the
//! same count.

#![allow(dead_code)] // each test binary uses part of it

pub mod configs;

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

/// The number of inputs per parser: `STEPWISE_FUZZ_CASES` if set, else `ci`.
pub fn cases(ci: u32) -> u32 {
    std::env::var("STEPWISE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(ci)
}

/// Runs `test` on `cases(ci)` inputs of `strategy` (seeded: the same inputs every run, so a
/// CI failure reproduces; no regression files written). `test` says whether the parser
/// accepted the input; a batch in which it accepted none, or refused all, fails: the
/// generator would not be reaching both paths. Prints the counts for the report.
pub fn run<S: Strategy>(name: &str, ci: u32, strategy: S, test: impl Fn(S::Value) -> bool)
where
    S::Value: std::fmt::Debug,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = cases(ci);
    let config = RunnerConfig {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..RunnerConfig::default()
    };
    let rng = proptest::test_runner::TestRng::deterministic_rng(
        proptest::test_runner::RngAlgorithm::ChaCha,
    );
    let mut runner = TestRunner::new_with_rng(config, rng);
    let accepted = AtomicUsize::new(0);
    let start = std::time::Instant::now();
    let result = runner.run(&strategy, |input| {
        if test(input) {
            accepted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    let accepted = accepted.into_inner();
    let seconds = start.elapsed().as_secs_f64();
    let failed = u8::from(result.is_err());
    eprintln!("fuzz {name}: {n} inputs ({accepted} accepted) in {seconds:.1} s, {failed} failed");
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
    let both = accepted > 0 && accepted < n as usize;
    assert!(both || n < 50, "fuzz {name}: {accepted} of {n} accepted");
}

/// A string of `n` copies of `c`.
fn long(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

/// Hostile scalar texts: numbers in every spelling, words, markup, controls, long strings.
pub fn hostile_text() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = [
        "",
        " ",
        "0",
        "-0",
        "+1",
        "1",
        "2",
        "3",
        "10",
        "64",
        "65",
        "-1",
        "0.5",
        ".5",
        "5.",
        "1e3",
        "1E-3",
        "1e309",
        "-1e309",
        "1e-400",
        "NaN",
        "nan",
        "-NaN",
        "Infinity",
        "-Infinity",
        "inf",
        "-inf",
        "0x10",
        "0b11",
        "1_000",
        "١٢",
        "１２",
        "18446744073709551615",
        "18446744073709551616",
        "9007199254740993",
        "-9223372036854775809",
        "1e18",
        "4.2e1",
        "true",
        "false",
        "TRUE",
        "null",
        "auto",
        "undefined",
        "[]",
        "[1,2,3]",
        "[1e400]",
        "[null]",
        "4,2,1",
        "{}",
        "{\"a\":1}",
        "[[[[[[[[[[]]]]]]]]]]",
        "\"quoted\"",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "\"><img src=x onerror=alert(1)>",
        "__proto__",
        "constructor",
        "prototype",
        "\u{0}",
        "\u{1b}[31m",
        "a\u{202e}b",
        "\u{feff}1",
        "1\u{0}",
        "\u{200b}",
        "%",
        "%zz",
        "%e2%80",
        "%00",
        "%2e%2e",
        "é",
        "😀",
        "expected `x`",
        "unknown variant `x`, expected one of `a`, `b`",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let long_values = vec![long('9', 20_000), long('a', 20_000), long('\u{7}', 20_000)];
    prop_oneof![
        6 => proptest::sample::select(fixed),
        1 => proptest::sample::select(long_values),
        2 => any::<f64>().prop_map(|x| x.to_string()),
        2 => any::<i64>().prop_map(|x| x.to_string()),
        1 => any::<u64>().prop_map(|x| x.to_string()),
        2 => "\\PC{0,12}",
        1 => ".{0,12}",
        1 => proptest::collection::vec(any::<f64>(), 0..6).prop_map(|v| {
            let items: Vec<String> = v.iter().map(f64::to_string).collect();
            items.join(",")
        }),
    ]
}

/// Hostile keys: `keys` (the real ones) most of the time, else prototype keys, view keys,
/// near-misses and junk.
pub fn hostile_key(keys: Vec<String>) -> impl Strategy<Value = String> {
    let junk: Vec<String> = [
        "__proto__",
        "constructor",
        "prototype",
        "__proto__.polluted",
        "constructor.prototype",
        "dataset.__proto__",
        "preset",
        "embed",
        "log_time",
        "cell",
        "",
        ".",
        "..",
        "dataset.",
        ".d",
        "d.",
        "D",
        "dataset..n",
        "dataset.n.x",
        "toString",
        "hasOwnProperty",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    prop_oneof![
        8 => proptest::sample::select(keys),
        3 => proptest::sample::select(junk),
        1 => "\\PC{0,10}",
        1 => Just(long('k', 20_000)),
    ]
}

/// Percent-encodes every byte but unreserved ones (as a browser's `encodeURIComponent`).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard CRC-32 (PNG chunks), so mutated headers still pass the decoder's CRC check.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Checks that no character of `text` is a control character and that it is not longer
/// than `max` characters: what a notice shown to the visitor must be.
pub fn assert_readable(text: &str, max: usize) {
    assert!(
        !text.chars().any(char::is_control),
        "control character in {text:?}"
    );
    let n = text.chars().count();
    assert!(
        n <= max,
        "{n} characters (> {max}): {}",
        &text[..text.len().min(300)]
    );
}
