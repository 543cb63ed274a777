//! Memory bounds as a function of a configuration (docs/architecture.md §7): the
//! peak bytes a run needs on the CPU and in GPU storage buffers, computed from its sizes
//! before anything is allocated, the budgets validation holds them to (1 GiB natively,
//! 512 MiB in the page) and the adapter's buffer limits a GPU run must fit.
//!
//! Every configuration kind reports its [`MemoryNeed`] through
//! [`Config::memory_need`](super::Config::memory_need); the formulas are in [`models`].

mod deep;
mod models;

pub(crate) use models::{appg_need, deep_need, mlp_run_need, run_need, symmetry_need};
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::validate::ConfigError;

/// The native CLI's budget: 1 GiB.
pub const NATIVE_BUDGET: Budget = Budget {
    bytes: 1 << 30,
    place: "natively",
};
/// The page's budget (wasm32 memory is at most 4 GiB, shared with the page's own data):
/// 512 MiB. The page's worker checks configurations against it.
pub const PAGE_BUDGET: Budget = Budget {
    bytes: 512 << 20,
    place: "in the page",
};

/// Bytes a configuration may need, and where that budget holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bytes: u64,
    /// `natively` or `in the page`, for messages.
    pub place: &'static str,
}

/// The peak memory of a run: CPU bytes (data, kernel and Γ matrices, eigenbases, records,
/// workspaces) and the GPU storage buffers its backend creates (all together, and the
/// largest one, which the adapter's binding limit must admit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemoryNeed {
    pub cpu_bytes: u64,
    pub gpu_total_bytes: u64,
    pub gpu_largest_buffer_bytes: u64,
    /// The dotted key of the largest CPU term (the one to make smaller).
    pub cpu_key: String,
    /// The dotted key of the largest GPU buffer.
    pub gpu_key: String,
}

/// Which side of a [`MemoryNeed`] is over budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Cpu,
    Gpu,
}

impl Side {
    fn what(self) -> &'static str {
        match self {
            Side::Cpu => "CPU memory",
            Side::Gpu => "GPU buffers",
        }
    }
}

/// A configuration whose memory exceeds a [`Budget`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{key}` makes this run need {} MiB of {} ({bytes} bytes), more than the {} MiB allowed \
     {place}: make `{key}` smaller",
    bytes >> 20,
    side.what(),
    budget >> 20
)]
pub struct OverBudget {
    /// The dotted key whose term is the largest.
    pub key: String,
    pub side: Side,
    pub bytes: u64,
    pub budget: u64,
    pub place: &'static str,
}

impl From<OverBudget> for ConfigError {
    fn from(e: OverBudget) -> Self {
        ConfigError::new(&e.key, e.to_string())
    }
}

impl MemoryNeed {
    /// Refuses a need over `budget` on either side, naming the key of its largest term.
    pub fn check(&self, budget: Budget) -> Result<(), OverBudget> {
        let over = |key: &str, side, bytes| OverBudget {
            key: key.to_string(),
            side,
            bytes,
            budget: budget.bytes,
            place: budget.place,
        };
        if self.cpu_bytes > budget.bytes {
            return Err(over(&self.cpu_key, Side::Cpu, self.cpu_bytes));
        }
        if self.gpu_total_bytes > budget.bytes {
            return Err(over(&self.gpu_key, Side::Gpu, self.gpu_total_bytes));
        }
        Ok(())
    }

    /// The same need with every key prefixed (`run.` for the comparison's linear run).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.cpu_key = format!("{prefix}.{}", self.cpu_key);
        self.gpu_key = format!("{prefix}.{}", self.gpu_key);
        self
    }
}

/// The buffer limits of a GPU device (WebGPU's `maxStorageBufferBindingSize` and
/// `maxBufferSize`), as requested when the device was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BufferLimits {
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
}

/// A GPU buffer a run needs that the device's limits do not admit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "its largest GPU buffer (`{key}`) needs {bytes} bytes, more than this adapter's limit of \
     {limit} bytes"
)]
pub struct BufferTooLarge {
    pub key: String,
    pub bytes: u64,
    pub limit: u64,
}

impl BufferLimits {
    /// The largest storage buffer that can be created and bound.
    pub fn largest_buffer(&self) -> u64 {
        self.max_storage_buffer_binding_size
            .min(self.max_buffer_size)
    }

    /// Whether every buffer of `need` fits these limits.
    pub fn admit(&self, need: &MemoryNeed) -> Result<(), BufferTooLarge> {
        let limit = self.largest_buffer();
        if need.gpu_largest_buffer_bytes > limit {
            return Err(BufferTooLarge {
                key: need.gpu_key.clone(),
                bytes: need.gpu_largest_buffer_bytes,
                limit,
            });
        }
        Ok(())
    }
}

/// Adds a run's terms up: each with the key that sizes it.
#[derive(Debug, Default)]
pub struct Tally {
    need: MemoryNeed,
    cpu_top: u64,
}

/// Bytes of `len` f32.
pub fn f32s(len: usize) -> u64 {
    (len as u64).saturating_mul(4)
}

/// Bytes of `len` f64.
pub fn f64s(len: usize) -> u64 {
    (len as u64).saturating_mul(8)
}

/// Bytes of a GPU matrix in the padded layout (pad4(rows) x pad4(cols) f32, at least one
/// vec4: `gpu::layout`).
pub fn gpu_matrix(rows: usize, cols: usize) -> u64 {
    f32s((rows.div_ceil(4) * 4 * cols.div_ceil(4) * 4).max(4))
}

impl Tally {
    /// A CPU term of `bytes`, sized by `key`.
    pub fn cpu(&mut self, key: &str, bytes: u64) -> &mut Self {
        self.need.cpu_bytes = self.need.cpu_bytes.saturating_add(bytes);
        if bytes > self.cpu_top || self.need.cpu_key.is_empty() {
            self.cpu_top = bytes;
            self.need.cpu_key = key.to_string();
        }
        self
    }

    /// A GPU storage buffer of `bytes`, sized by `key`.
    pub fn gpu(&mut self, key: &str, bytes: u64) -> &mut Self {
        let need = &mut self.need;
        need.gpu_total_bytes = need.gpu_total_bytes.saturating_add(bytes);
        if bytes > need.gpu_largest_buffer_bytes || need.gpu_key.is_empty() {
            need.gpu_largest_buffer_bytes = bytes;
            need.gpu_key = key.to_string();
        }
        self
    }

    /// `count` GPU buffers of `each` bytes.
    pub fn gpus(&mut self, key: &str, count: usize, each: u64) -> &mut Self {
        for _ in 0..count {
            self.gpu(key, each);
        }
        self
    }

    /// GPU buffers of `total` bytes together, the largest of them `largest` bytes.
    pub fn gpu_spread(&mut self, key: &str, total: u64, largest: u64) -> &mut Self {
        self.gpu(key, largest);
        let need = &mut self.need;
        need.gpu_total_bytes = need
            .gpu_total_bytes
            .saturating_add(total.saturating_sub(largest));
        self
    }

    pub fn finish(&mut self) -> MemoryNeed {
        std::mem::take(&mut self.need)
    }
}

/// The larger of two needs side by side (two phases that do not overlap: the MLP's NTK on
/// the GPU is freed before training starts).
pub fn peak(a: MemoryNeed, b: MemoryNeed) -> MemoryNeed {
    let (cpu_bytes, cpu_key) = if a.cpu_bytes >= b.cpu_bytes {
        (a.cpu_bytes, a.cpu_key.clone())
    } else {
        (b.cpu_bytes, b.cpu_key.clone())
    };
    let gpu_key = if a.gpu_largest_buffer_bytes >= b.gpu_largest_buffer_bytes {
        a.gpu_key
    } else {
        b.gpu_key
    };
    MemoryNeed {
        cpu_bytes,
        gpu_total_bytes: a.gpu_total_bytes.max(b.gpu_total_bytes),
        gpu_largest_buffer_bytes: a.gpu_largest_buffer_bytes.max(b.gpu_largest_buffer_bytes),
        cpu_key,
        gpu_key,
    }
}
