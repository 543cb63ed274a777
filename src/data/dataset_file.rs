//! What the CIFAR-10 and STL-10 readers share (docs/deep.md §4): the typed error for a file
//! that is not what it should be, the memory bound on what is kept, and the recognition of
//! common foreign files by their first bytes. Every message names the file and says what to
//! do; no input panics.

use std::fmt;

/// Most images kept from dataset files (all files of one data source together).
pub const MAX_IMAGES: usize = 60_000;

/// Most f32 values kept as pixels: 256 MiB (64 Mi floats), e.g. 21,845 CIFAR-10 images
/// (two of its five 10,000-image training batches) or 2,427 STL-10 images at 96 px
/// (21,845 when average-pooled to 32 px). Bounds the memory of a browser tab.
pub const MAX_PIXEL_FLOATS: usize = 64 * 1024 * 1024;

/// The kind of file a reader expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CIFAR-10 binary batch (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`).
    Cifar10,
    /// STL-10 images (`train_X.bin`, `test_X.bin`, `unlabeled_X.bin`).
    StlImages,
    /// STL-10 labels (`train_y.bin`, `test_y.bin`).
    StlLabels,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Cifar10 => "CIFAR-10 binary batch (data_batch_N.bin, test_batch.bin)",
            Format::StlImages => "STL-10 image file (train_X.bin, test_X.bin, unlabeled_X.bin)",
            Format::StlLabels => "STL-10 label file (train_y.bin, test_y.bin)",
        })
    }
}

/// Why a dataset file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatasetFileError {
    #[error("`{file}` is empty: give a {format}")]
    Empty { file: String, format: Format },
    #[error(
        "`{file}` is {len} bytes, not a whole number of {record}-byte records: it is truncated \
         or not a {format}{hint}"
    )]
    Size {
        file: String,
        len: usize,
        record: usize,
        format: Format,
        /// Empty, or a sentence on what the file looks like instead.
        hint: String,
    },
    #[error(
        "`{file}`: record {index} has label {value}, outside {min}..={max}: this is not a \
         {format}{hint}"
    )]
    LabelOutOfRange {
        file: String,
        index: usize,
        value: u8,
        min: u8,
        max: u8,
        format: Format,
        hint: String,
    },
    #[error(
        "`{labels_file}` has {labels} labels but `{images_file}` has {images} images: give the \
         label file that belongs to the images (train_y.bin for train_X.bin, test_y.bin for \
         test_X.bin)"
    )]
    LabelCount {
        images_file: String,
        images: usize,
        labels_file: String,
        labels: usize,
    },
    #[error(
        "`{file}` brings the total to {images} images of {side}x{side} px, more than the {max} \
         this tool keeps (at most {MAX_IMAGES} images and 256 MiB of pixels): give fewer or \
         smaller files (e.g. one batch file, or the first {max} records only)"
    )]
    TooManyImages {
        file: String,
        images: usize,
        side: usize,
        max: usize,
    },
    #[error("`{file}` is {kind}, not a {format}: {advice}")]
    Foreign {
        file: String,
        kind: &'static str,
        format: Format,
        advice: &'static str,
    },
    #[error(
        "`{file}`: cannot make {side} px images from STL-10's 96 px: choose a side from 1 to 96 \
         (32 average-pools 3x3 blocks)"
    )]
    BadSide { file: String, side: usize },
}

/// Recognizes a few common foreign files from their first bytes (only signatures of at least
/// four bytes, which a real dataset file almost never starts with): (kind, advice).
pub(super) fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const EXTRACT: &str = "extract the archive (e.g. `tar xzf cifar-10-binary.tar.gz` or \
                           `tar xzf stl10_binary.tar.gz`) and give the .bin files inside";
    const IMAGES: &str = "images of your own go in the images input instead";
    let signatures: [(&[u8], &str, &str); 6] = [
        (b"\x89PNG", "a PNG image", IMAGES),
        (b"\xff\xd8\xff", "a JPEG image", IMAGES),
        (b"GIF8", "a GIF image", IMAGES),
        (b"\x1f\x8b\x08", "a gzip archive", EXTRACT),
        (b"PK\x03\x04", "a zip archive", EXTRACT),
        (
            b"\x93NUMPY",
            "a NumPy array",
            "give the original binary files",
        ),
    ];
    for (magic, kind, advice) in signatures {
        if bytes.starts_with(magic) {
            return Some((kind, advice));
        }
    }
    if bytes.get(257..262) == Some(b"ustar") {
        return Some(("a tar archive", EXTRACT));
    }
    None
}

/// A weaker guess, only used to explain a file that already failed a check.
pub(super) fn hint(bytes: &[u8]) -> String {
    if bytes.starts_with(b"\x80\x02") || bytes.starts_with(b"\x80\x03") {
        return " (it looks like a Python pickle, e.g. CIFAR-10's *python* version: download \
                the binary version, cifar-10-binary.tar.gz)"
            .into();
    }
    let head = &bytes[..bytes.len().min(64)];
    let text = head
        .iter()
        .all(|&b| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b));
    if text && !head.is_empty() {
        return " (it looks like text)".into();
    }
    String::new()
}

/// Fails with [`DatasetFileError::Empty`] or [`DatasetFileError::Foreign`] when `bytes`
/// cannot be a dataset file whatever its size.
pub(super) fn check_not_foreign(
    file: &str,
    bytes: &[u8],
    format: Format,
) -> Result<(), DatasetFileError> {
    if bytes.is_empty() {
        return Err(DatasetFileError::Empty {
            file: file.into(),
            format,
        });
    }
    if let Some((kind, advice)) = sniff(bytes) {
        return Err(DatasetFileError::Foreign {
            file: file.into(),
            kind,
            format,
            advice,
        });
    }
    Ok(())
}

/// The number of `record`-byte records in `bytes`, or [`DatasetFileError::Size`] (with a
/// hint naming a near format in `near`, when its record size fits instead).
pub(super) fn record_count(
    file: &str,
    bytes: &[u8],
    record: usize,
    format: Format,
    near: Option<(usize, &str)>,
) -> Result<usize, DatasetFileError> {
    if bytes.len().is_multiple_of(record) {
        return Ok(bytes.len() / record);
    }
    let mut hint = hint(bytes);
    if let Some((other, what)) = near {
        if hint.is_empty() && bytes.len().is_multiple_of(other) {
            hint = format!(" ({} bytes is a whole number of {what})", bytes.len());
        }
    }
    Err(DatasetFileError::Size {
        file: file.into(),
        len: bytes.len(),
        record,
        format,
        hint,
    })
}

/// Fails with [`DatasetFileError::TooManyImages`] when `total` images of `side` px exceed
/// the bounds.
pub(super) fn check_bound(file: &str, total: usize, side: usize) -> Result<(), DatasetFileError> {
    let max = max_images(side);
    if total > max {
        return Err(DatasetFileError::TooManyImages {
            file: file.into(),
            images: total,
            side,
            max,
        });
    }
    Ok(())
}

/// Most images of `side` px kept: [`MAX_IMAGES`], fewer when [`MAX_PIXEL_FLOATS`] binds.
pub fn max_images(side: usize) -> usize {
    let per_image = side.saturating_mul(side).saturating_mul(3).max(1);
    MAX_IMAGES.min(MAX_PIXEL_FLOATS / per_image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_follow_the_side() {
        assert_eq!(max_images(32), 21_845);
        assert_eq!(max_images(96), 2_427);
        assert_eq!(max_images(8), MAX_IMAGES);
        assert_eq!(max_images(usize::MAX), 0);
    }

    #[test]
    fn sniffs_foreign_files() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....").map(|s| s.0),
            Some("a PNG image")
        );
        assert_eq!(
            sniff(&[0x1f, 0x8b, 0x08, 0]).map(|s| s.0),
            Some("a gzip archive")
        );
        let mut tar = vec![0u8; 600];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar).map(|s| s.0), Some("a tar archive"));
        assert_eq!(sniff(&[3, 0x89, b'P', b'N', b'G']), None);
        assert!(hint(b"label,pixels\n1,2,3").contains("text"));
        assert!(hint(&[0x80, 0x02, 0x7d]).contains("pickle"));
        assert_eq!(hint(&[0, 255, 7]), "");
    }

    #[test]
    fn messages_name_the_file_and_the_fix() {
        let e = DatasetFileError::Foreign {
            file: "cat.png".into(),
            kind: "a PNG image",
            format: Format::Cifar10,
            advice: "images of your own go in the images input instead",
        };
        let text = e.to_string();
        assert!(text.contains("cat.png") && text.contains("CIFAR-10") && text.contains("own"));
        let e = check_bound("b.bin", 30_000, 32).unwrap_err();
        assert!(e.to_string().contains("b.bin") && e.to_string().contains("21845"));
    }
}
