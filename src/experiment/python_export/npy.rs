//! NumPy's `.npy` format (version 1.0) for a row-major f32 matrix: the magic string, a
//! Python-literal header padded to 64 bytes, then the little-endian values.
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>

/// `rows` x `cols` f32 values (row-major) as a `.npy` file `np.load` reads as float32.
pub fn npy_f32(rows: usize, cols: usize, data: &[f32]) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic (6) + version (2) + header length (2) + header + '\n': a multiple of 64
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 4 * data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    // the header is at most a few hundred bytes: version 1.0's u16 length always fits
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_values_follow_little_endian() {
        let data = [1.0f32, -2.5, 3.25, f32::MIN_POSITIVE, 0.0, 7.0];
        let bytes = npy_f32(2, 3, &data);
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + len) % 64, 0);
        let header = std::str::from_utf8(&bytes[10..10 + len]).unwrap();
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        assert!(header.ends_with('\n'));
        let values: Vec<f32> = bytes[10 + len..]
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(values, data);
    }
}
