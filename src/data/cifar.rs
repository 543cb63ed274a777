//! CIFAR-10 binary batches as base images (docs/deep.md §4).
//!
//! The binary version (`cifar-10-binary.tar.gz`: `data_batch_1.bin` … `data_batch_5.bin`,
//! `test_batch.bin`, 10,000 images each) stores records of 3073 bytes: one label byte (0..=9)
//! then 3072 pixel bytes, the 1024 red values of the 32x32 image in row-major order, then
//! the green, then the blue. We keep pixels / 255 in our HWC layout, `(y·32 + x)·3 + c`.

use super::base_images::BaseImages;
use super::dataset_file::{
    check_bound, check_not_foreign, hint, record_count, DatasetFileError, Format,
};

/// Side of a CIFAR-10 image.
pub const SIDE: usize = 32;
/// Bytes per record: one label byte and 32·32·3 pixel bytes.
pub const RECORD: usize = 1 + SIDE * SIDE * 3;
/// CIFAR-10's class names, in label order (`batches.meta.txt`).
pub const CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// One CIFAR-10 binary batch file (`name` is only used in messages).
pub fn parse(name: &str, bytes: &[u8]) -> Result<BaseImages, DatasetFileError> {
    parse_many(&[(name, bytes)])
}

/// Several CIFAR-10 binary batch files, concatenated in the order given; every file is
/// checked (not empty, not a foreign file, whole records, labels 0..=9) and the total held
/// to the bound of [`super::dataset_file::max_images`] before any pixel is converted.
pub fn parse_many(files: &[(&str, &[u8])]) -> Result<BaseImages, DatasetFileError> {
    let mut total = 0;
    for &(name, bytes) in files {
        total += check(name, bytes)?;
        check_bound(name, total, SIDE)?;
    }
    let mut pixels = Vec::with_capacity(total * SIDE * SIDE * 3);
    let mut labels = Vec::with_capacity(total);
    for &(_, bytes) in files {
        for record in bytes.chunks_exact(RECORD) {
            labels.push(u16::from(record[0]));
            push_pixels(&record[1..], &mut pixels);
        }
    }
    Ok(BaseImages {
        side: SIDE,
        pixels,
        labels,
        classes: CLASSES.iter().map(|c| c.to_string()).collect(),
    })
}

/// The number of records of a valid batch file.
fn check(name: &str, bytes: &[u8]) -> Result<usize, DatasetFileError> {
    check_not_foreign(name, bytes, Format::Cifar10)?;
    let near = Some((
        RECORD + 1,
        "CIFAR-100's 3074-byte records: only CIFAR-10 is read",
    ));
    let count = record_count(name, bytes, RECORD, Format::Cifar10, near)?;
    for (index, record) in bytes.chunks_exact(RECORD).enumerate() {
        if usize::from(record[0]) >= CLASSES.len() {
            return Err(DatasetFileError::LabelOutOfRange {
                file: name.into(),
                index,
                value: record[0],
                min: 0,
                max: 9,
                format: Format::Cifar10,
                hint: hint(bytes),
            });
        }
    }
    Ok(count)
}

/// Appends one image's planar (R plane, G plane, B plane) bytes as HWC floats in [0, 1].
fn push_pixels(planes: &[u8], out: &mut Vec<f32>) {
    let area = SIDE * SIDE;
    for p in 0..area {
        for c in 0..3 {
            out.push(f32::from(planes[c * area + p]) / 255.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with label `label` whose pixel (y, x) has R = (y + x) % 256, G = 7·y,
    /// B = 255 − x, plus `extra` added to every byte (mod 256).
    fn record(label: u8, extra: u8) -> Vec<u8> {
        let mut r = vec![label];
        for c in 0..3 {
            for y in 0..SIDE {
                for x in 0..SIDE {
                    let v = [(y + x) % 256, 7 * y, 255 - x][c] as u8;
                    r.push(v.wrapping_add(extra));
                }
            }
        }
        r
    }

    fn at(base: &BaseImages, i: usize, y: usize, x: usize) -> [f32; 3] {
        let p = &base.image(i)[(y * SIDE + x) * 3..][..3];
        [p[0], p[1], p[2]]
    }

    fn bytes(v: [usize; 3]) -> [f32; 3] {
        v.map(|b| b as f32 / 255.0)
    }

    #[test]
    fn records_become_hwc_pixels_and_labels() {
        let file = [record(3, 0), record(9, 1)].concat();
        let base = parse("data_batch_1.bin", &file).unwrap();
        assert_eq!((base.side, base.count()), (32, 2));
        assert_eq!(base.labels, [3, 9]);
        assert_eq!(base.classes[3], "cat");
        assert_eq!(base.classes.len(), 10);
        assert_eq!(at(&base, 0, 0, 0), bytes([0, 0, 255]));
        assert_eq!(at(&base, 0, 5, 9), bytes([14, 35, 246]));
        assert_eq!(at(&base, 1, 31, 2), bytes([34, 218, 254]));
        assert_eq!(at(&base, 1, 1, 31), bytes([33, 8, 225]));
    }

    #[test]
    fn several_files_concatenate() {
        let a = record(1, 0);
        let b = [record(2, 5), record(0, 9)].concat();
        let base = parse_many(&[("a.bin", &a), ("b.bin", &b)]).unwrap();
        assert_eq!(base.labels, [1, 2, 0]);
        assert_eq!(at(&base, 2, 0, 0), bytes([9, 9, 8]));
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let empty = parse("e.bin", &[]).unwrap_err();
        assert!(matches!(empty, DatasetFileError::Empty { .. }));
        let mut truncated = [record(1, 0), record(2, 0)].concat();
        truncated.pop();
        let e = parse("t.bin", &truncated).unwrap_err();
        assert!(matches!(e, DatasetFileError::Size { len: 6145, .. }), "{e}");
        assert!(e.to_string().contains("t.bin"));
        let mut bad = [record(1, 0), record(2, 0)].concat();
        bad[RECORD] = 10;
        let e = parse("l.bin", &bad).unwrap_err();
        assert!(
            matches!(
                e,
                DatasetFileError::LabelOutOfRange {
                    index: 1,
                    value: 10,
                    ..
                }
            ),
            "{e}"
        );
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(RECORD, 0);
        let e = parse("photo.png", &png).unwrap_err();
        assert!(matches!(
            e,
            DatasetFileError::Foreign {
                kind: "a PNG image",
                ..
            }
        ));
        let text = "airplane\nautomobile\nbird\n".repeat(128);
        let e = parse("batches.meta.txt", text.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("looks like text"), "{e}");
        let cifar100 = vec![0u8; 2 * (RECORD + 1)];
        let e = parse("train.bin", &cifar100).unwrap_err();
        assert!(e.to_string().contains("CIFAR-100"), "{e}");
    }

    #[test]
    fn too_many_images_is_refused_before_converting() {
        let batch = record(0, 0).repeat(10_923);
        // twice 10,923 images (21,846) exceeds the 21,845 of 256 MiB
        let e = parse_many(&[("one.bin", &batch), ("two.bin", &batch)]).unwrap_err();
        assert!(
            matches!(&e, DatasetFileError::TooManyImages { file, images: 21_846, .. }
                if file == "two.bin"),
            "{e}"
        );
    }
}
