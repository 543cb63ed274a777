//! Fault injection: the device lost at a chosen point of a GPU run, for the tests of the one
//! GPU-loss policy at every phase (tests/faults_gpu.rs, docs/architecture.md §4).
//!
//! A test arms a fault with [`lose_device_at`] on its own thread; the GPU layer reaches
//! [`FaultPoint`]s as it works, and the armed one destroys the device there, as a driver
//! reset or a browser's `device.destroy()` would. Unarmed, a point costs one thread-local
//! read: the hooks stay in every build (no `cfg`), the page's included.

use std::cell::Cell;

/// Where the GPU layer can lose its device on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// A device buffer is about to be created (with data to upload, or zeroed): a backend
    /// being built and its data uploaded when a session starts on the GPU (and the buffers a
    /// run creates later, e.g. Appendix G's per-run backends).
    Buffer,
    /// Work is about to be submitted and read back (`buffers::submit_and_read`, the one
    /// readback path).
    Readback,
}

/// The armed fault of this thread: its point, how many of its reaches to let pass, and
/// how many reaches there were since arming.
#[derive(Debug, Clone, Copy)]
struct Plan {
    point: FaultPoint,
    skip: u32,
    reached: u32,
    fired: bool,
}

thread_local! {
    static PLAN: Cell<Option<Plan>> = const { Cell::new(None) };
}

/// An armed fault; dropping it disarms it.
#[derive(Debug)]
pub struct Armed {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Armed {
    /// Whether the device was destroyed.
    pub fn fired(&self) -> bool {
        PLAN.with(|p| p.get().is_some_and(|p| p.fired))
    }

    /// How many times the point was reached since arming (the fatal one included).
    pub fn reached(&self) -> u32 {
        PLAN.with(|p| p.get().map_or(0, |p| p.reached))
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        PLAN.with(|p| p.set(None));
    }
}

/// Arms a fault on this thread: the device is destroyed when `point` is reached for the
/// `skip + 1`-th time from now (`skip = 0`: the next time), once.
pub fn lose_device_at(point: FaultPoint, skip: u32) -> Armed {
    PLAN.with(|p| {
        p.set(Some(Plan {
            point,
            skip,
            reached: 0,
            fired: false,
        }))
    });
    Armed {
        _not_send: std::marker::PhantomData,
    }
}

/// `point` is reached on `device`: destroys it if the armed fault says so.
pub(crate) fn reach(point: FaultPoint, device: &wgpu::Device) {
    let fire = PLAN.with(|p| {
        let mut plan = p.get()?;
        if plan.point != point || plan.fired {
            return None;
        }
        plan.reached += 1;
        plan.fired = plan.reached > plan.skip;
        p.set(Some(plan));
        Some(plan.fired)
    });
    if fire == Some(true) {
        device.destroy();
    }
}
