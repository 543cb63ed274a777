//! Soak, native half (issue 17 §5): the library's runs repeated in one process hold no more
//! memory at the end than after the first few. Heap: a counting global allocator (this test
//! crate only) gives the live bytes (allocated minus freed) after run 5 and after the last
//! run; they may differ by at most 10%. GPU: sessions and backends opened again and again on
//! lavapipe release every buffer they made (wgpu's per-device counters, its `counters`
//! feature: Cargo.toml's dev-dependencies). `cargo test --test soak -- --nocapture` prints
//! the figures.
//!
//! The tests of this file take one lock: the heap figures are the whole process's.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use stepwise::experiment::deep::{deep_preset, run_deep_cpu};
use stepwise::experiment::mlp::{run_mlp_cpu, MlpConfig};
use stepwise::experiment::session::{
    AdapterInfo, BackendKind, BackendWant, Cell, LinearCell, MlpCell, Opening, Stepper,
};
use stepwise::experiment::{preset, run_cpu, Config, RunConfig};

/// [`System`], counting the bytes it holds for us.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `System.alloc`, with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `System.alloc_zeroed`, with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `System.realloc`, with the caller's pointer, layout and size.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One test at a time: the heap is the process's.
static SERIAL: Mutex<()> = Mutex::new(());

fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Runs `run` `times` times, printing and returning the live heap bytes after run 5 and after
/// the last; asserts the growth is at most 10%.
fn soak(what: &str, times: usize, mut run: impl FnMut()) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let t = Instant::now();
    let mut after_5 = 0;
    for i in 1..=times {
        run();
        if i == 5 {
            after_5 = live_bytes();
        }
    }
    let after = live_bytes();
    let growth = (after - after_5) as f64 / after_5 as f64;
    println!(
        "{what}: {times} runs in {:.1} s; live heap after run 5: {after_5} B, after run \
         {times}: {after} B ({:+.2}%)",
        t.elapsed().as_secs_f64(),
        100.0 * growth
    );
    assert!(
        growth <= 0.10,
        "{what}: the live heap grew from {after_5} B after run 5 to {after} B after run {times}"
    );
}

/// The `small` preset (photo patches, m = 108, d = 4) run to its end, as `stepwise run`.
#[test]
fn two_hundred_linear_runs_hold_no_more_heap() {
    let cfg = preset("small").unwrap();
    soak("linear `small`", 200, || {
        let result = run_cpu(&cfg, false).expect("a run");
        assert!(!result.records.is_empty());
    });
}

/// `mlp-small-bt` shortened to 50 steps.
#[test]
fn two_hundred_mlp_runs_hold_no_more_heap() {
    let mut cfg = MlpConfig::preset("mlp-small-bt").unwrap();
    cfg.steps = Some(50);
    soak("MLP `mlp-small-bt` (50 steps)", 200, || {
        let result = run_mlp_cpu(&cfg).expect("a run");
        assert!(!result.records.is_empty());
    });
}

/// `resnet-bt-small` shortened to 2 steps (its data, network and evaluations each run).
#[test]
fn fifty_deep_runs_hold_no_more_heap() {
    let mut cfg = deep_preset("resnet-bt-small").unwrap();
    cfg.steps = 2;
    cfg.record_every = 2;
    soak("deep `resnet-bt-small` (2 steps)", 50, || {
        let result = run_deep_cpu(&cfg).expect("a run");
        assert!(!result.records.is_empty());
    });
}

/// The device's live buffers and their bytes, once its finished work is released.
fn live_buffers(device: &wgpu::Device) -> (isize, isize) {
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("poll");
    let hal = device.get_internal_counters().hal;
    (hal.buffers.read(), hal.buffer_memory.read())
}

fn adapter() -> AdapterInfo {
    AdapterInfo::from_wgpu(&common::ctx().adapter_info)
}

/// A small linear run for the GPU cycles: `planted` (m = 24, d = 4), 60 steps.
fn planted() -> RunConfig {
    let mut cfg = preset("planted").unwrap();
    cfg.steps = Some(60);
    cfg
}

/// The page's way: a session opened on a new device, stepped, dropped, 30 times. Each
/// device holds no buffer once its session is gone (only what wgpu keeps for itself, the
/// same on every device), and the heap does not grow.
#[test]
fn thirty_gpu_sessions_leave_no_buffer_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let t = Instant::now();
    let (cfg, info) = (planted(), adapter());
    let mut rows = Vec::with_capacity(30);
    let mut heap_after_5 = 0;
    for cycle in 1..=30 {
        let mut opening = Opening::new(LinearCell, cfg.clone());
        opening.prepare(None).expect("prepare");
        let mut session = pollster::block_on(opening.start(BackendWant::Gpu, Ok(info.clone())))
            .expect("a session");
        assert_eq!(session.choice().kind, BackendKind::WebGpu);
        pollster::block_on(session.advance(20)).expect("GPU steps");
        let device = session
            .engine()
            .gpu()
            .expect("on the GPU")
            .backend()
            .device()
            .clone();
        let running = live_buffers(&device);
        drop(session);
        let left = live_buffers(&device);
        drop(device);
        rows.push((running, left));
        if cycle == 5 {
            heap_after_5 = live_bytes();
        }
    }
    let heap = live_bytes();
    let (running, left_5, left) = (rows[4].0, rows[4].1, rows[29].1);
    println!(
        "GPU sessions: 30 in {:.1} s; buffers while running {} ({} B), once dropped: after \
         cycle 5 {} ({} B), after cycle 30 {} ({} B); live heap after cycle 5: {heap_after_5} \
         B, after cycle 30: {heap} B",
        t.elapsed().as_secs_f64(),
        running.0,
        running.1,
        left_5.0,
        left_5.1,
        left.0,
        left.1,
    );
    assert!(running.0 > left.0, "the session's buffers were counted");
    for (i, (_, l)) in rows.iter().enumerate() {
        assert_eq!(*l, rows[0].1, "cycle {}: buffers left on the device", i + 1);
    }
    let growth = (heap - heap_after_5) as f64 / heap_after_5 as f64;
    assert!(growth <= 0.10, "heap {heap_after_5} B → {heap} B");
}

/// Backends made again and again on one device (linear and MLP, as `Cell::start_gpu` makes
/// them for a session), stepped and dropped: the device's live buffers and bytes after
/// cycle 30 are those after cycle 5.
#[test]
fn thirty_backends_on_one_device_do_not_grow_its_buffers() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let t = Instant::now();
    let ctx = common::new_context();
    let linear = LinearCell.prepare(&planted(), None).expect("prepare");
    let mut mlp_cfg = MlpConfig::preset("mlp-small-bt").unwrap();
    mlp_cfg.steps = Some(20);
    let mlp_cell = MlpCell { auto_size: false };
    let mlp = mlp_cell.prepare(&mlp_cfg, None).expect("prepare");
    let mut counts = Vec::new();
    for _ in 0..30 {
        pollster::block_on(async {
            let mut a = LinearCell.start_gpu(&ctx, &linear).await.expect("linear");
            a.advance(20).await.expect("linear steps");
            let mut b = mlp_cell.start_gpu(&ctx, &mlp).await.expect("MLP");
            b.advance(10).await.expect("MLP steps");
        });
        counts.push(live_buffers(&ctx.device));
    }
    println!(
        "backends on one device: 30 cycles in {:.1} s; live buffers after cycle 5: {} ({} B), \
         after cycle 30: {} ({} B)",
        t.elapsed().as_secs_f64(),
        counts[4].0,
        counts[4].1,
        counts[29].0,
        counts[29].1
    );
    assert_eq!(counts[29], counts[4], "the device's live buffers grew");
}
