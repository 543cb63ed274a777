//! How matrices live on the GPU: a logical r x c matrix is stored row-major as
//! pad4(r) x pad4(c) f32, zero padded, so every row is a whole number of vec4s and every
//! kernel reads 4-row, vec4-wide blocks without edge cases. Zero padding only adds zero terms
//! to the products, and the update keeps padded entries zero.

use super::context::GpuError;

/// `n` rounded up to a multiple of 4.
pub fn pad4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// Row-major `rows` x `cols` data in the padded layout.
pub fn pack(rows: usize, cols: usize, data: &[f32]) -> Vec<f32> {
    let stride = pad4(cols);
    let mut out = vec![0.0; pad4(rows) * stride];
    for (dst, src) in out
        .chunks_exact_mut(stride)
        .zip(data.chunks_exact(cols.max(1)))
    {
        dst[..cols].copy_from_slice(&src[..cols]);
    }
    out
}

/// The logical `rows` x `cols` matrix back out of padded data.
pub fn unpack(rows: usize, cols: usize, padded: &[f32]) -> Vec<f32> {
    let stride = pad4(cols);
    padded
        .chunks_exact(stride.max(1))
        .take(rows)
        .flat_map(|row| row[..cols].iter().copied())
        .collect()
}

/// Number of f32 in the padded layout of a `rows` x `cols` matrix.
pub fn padded_len(rows: usize, cols: usize) -> usize {
    pad4(rows) * pad4(cols)
}

/// (padded rows, vec4s per row) of a `rows` x `cols` matrix for an elementwise kernel, or an
/// error naming `what` if it is empty or too large for u32 indexing.
pub fn vec4_grid(what: &str, rows: usize, cols: usize) -> Result<(u32, u32), GpuError> {
    if rows == 0 || cols == 0 {
        return Err(GpuError::Shape(format!(
            "{what}: empty {rows} x {cols} matrix"
        )));
    }
    if padded_len(rows, cols) > u32::MAX as usize {
        return Err(GpuError::Shape(format!(
            "{what}: a {rows} x {cols} matrix exceeds u32 indexing"
        )));
    }
    Ok((pad4(rows) as u32, (pad4(cols) / 4) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_then_unpack_is_identity() {
        for (r, c) in [(1, 1), (3, 5), (4, 8), (7, 2)] {
            let data: Vec<f32> = (0..r * c).map(|v| v as f32 + 1.0).collect();
            let packed = pack(r, c, &data);
            assert_eq!(packed.len(), padded_len(r, c));
            assert_eq!(packed.iter().filter(|v| **v != 0.0).count(), r * c);
            assert_eq!(unpack(r, c, &packed), data);
        }
    }
}
