//! The `stepwise` binary when its output cannot be written: a reader that goes away early
//! (`| head -c 100`: a quiet exit with status 0, as `head` users expect), a closed stderr
//! (no panic), and a full disk (`/dev/full`: a message and status 1, never a panic).

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::assert_clean_failure;

/// The binary with `args`, stdout and stderr piped, started.
fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Asserts a quiet ending: status 0 and no panic text on stderr.
fn assert_quiet(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

/// The reader closes stdout before the run has printed its summary (the run takes longer
/// than dropping the pipe), so every summary line meets a broken pipe.
#[test]
fn a_summary_into_a_closed_pipe_ends_quietly() {
    let mut child = spawn(&["run", "planted", "--set", "steps=400"]);
    drop(child.stdout.take()); // `| head -c 0`
    assert_quiet(&child.wait_with_output().unwrap());
}

/// `stepwise presets | head -c 10`: the reader takes 10 bytes and goes.
#[test]
fn presets_into_a_pipe_closed_early_end_quietly() {
    let mut child = spawn(&["presets"]);
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    assert!(head.starts_with(b"fig1"), "{head:?}");
    assert_quiet(&child.wait_with_output().unwrap());
}

/// `stepwise run planted --out - 2>&1 >out.json | head -c 0`: the summary goes to a closed
/// stderr; the JSON on stdout is still whole and the status 0.
#[test]
fn a_closed_stderr_loses_the_summary_not_the_result() {
    let mut child = spawn(&["run", "planted", "--set", "steps=400", "--out", "-"]);
    drop(child.stderr.take());
    let mut json = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut json).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let r: Value = serde_json::from_slice(&json).expect("stdout is whole JSON");
    assert_eq!(r["config"]["steps"], 400);
}

/// An error message to a closed stderr: status 1 (the error), not 101 (a panic).
#[test]
fn an_error_into_a_closed_stderr_is_status_1() {
    let mut child = spawn(&["run", "no-such-preset"]);
    drop(child.stderr.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// `--out /dev/full` and `--svg /dev/full`: the write fails with ENOSPC (os error 28).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_out_or_svg_is_a_message() {
    for flag in ["--out", "--svg"] {
        let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .args(["run", "planted", "--set", "steps=50", flag, "/dev/full"])
            .output()
            .unwrap();
        assert_clean_failure(&out, "cannot write `/dev/full`");
        assert_eq!(out.status.code(), Some(1), "{flag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("os error 28"), "{flag}: {stderr}");
    }
}

/// `stepwise run planted --out - > /dev/full`: stdout itself is on a full disk.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_a_message() {
    for args in [
        &["run", "planted", "--set", "steps=50", "--out", "-"][..],
        &["run", "planted", "--set", "steps=50"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_clean_failure(&out, "cannot write to stdout");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
}

/// `stepwise compare appg planted --out - | head -c 0` ends quietly, and its `--out
/// /dev/full` is a message.
#[cfg(target_os = "linux")]
#[test]
fn compare_into_a_closed_pipe_or_a_full_disk() {
    let mut child = spawn(&["compare", "appg", "planted", "--out", "-"]);
    drop(child.stdout.take());
    assert_quiet(&child.wait_with_output().unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["compare", "appg", "planted", "--out", "/dev/full"])
        .output()
        .unwrap();
    assert_clean_failure(&out, "cannot write `/dev/full`");
    assert_eq!(out.status.code(), Some(1));
}
