//! Reused buffers, so that a training step does not allocate once the first has run
//! (docs/deep.md §2): the forward and backward passes take their buffers from a [`Pool`] and
//! give them back; a recycled [`super::Tape`] returns all of its own.

use super::ops::Real;

/// Free buffers, handed out best-fit by capacity.
#[derive(Debug, Clone, Default)]
pub struct Pool<T> {
    free: Vec<Vec<T>>,
    /// Buffers allocated so far (constant once the steps repeat).
    allocations: usize,
}

impl<T: Real> Pool<T> {
    /// An empty buffer with capacity for `len` values: the free buffer with the smallest
    /// capacity that fits (no allocation), else a new one.
    fn pick(&mut self, len: usize) -> Vec<T> {
        let best = (self.free.iter().enumerate())
            .filter(|(_, b)| b.capacity() >= len)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i);
        let mut buf = match best {
            Some(i) => self.free.swap_remove(i),
            None => {
                self.allocations += 1;
                Vec::with_capacity(len)
            }
        };
        buf.clear();
        buf
    }

    /// A buffer of `len` zeros.
    pub fn take(&mut self, len: usize) -> Vec<T> {
        let mut buf = self.pick(len);
        buf.resize(len, T::ZERO);
        buf
    }

    /// A buffer holding a copy of `values`.
    pub fn copy(&mut self, values: &[T]) -> Vec<T> {
        let mut buf = self.pick(values.len());
        buf.extend_from_slice(values);
        buf
    }

    /// Returns a buffer for later use.
    pub fn give(&mut self, buf: Vec<T>) {
        if buf.capacity() > 0 {
            self.free.push(buf);
        }
    }

    /// Buffers this pool has allocated (not counting those given to it).
    pub fn allocations(&self) -> usize {
        self.allocations
    }

    /// Floats held by the free buffers.
    pub fn held(&self) -> usize {
        self.free.iter().map(Vec::capacity).sum()
    }
}
