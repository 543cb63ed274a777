//! STL-10 binaries as base images (docs/deep.md §4).
//!
//! `stl10_binary.tar.gz` holds `train_X.bin` (5,000 images), `test_X.bin` (8,000) and
//! `unlabeled_X.bin` (100,000): 96x96 RGB images of 27,648 bytes each, stored as three
//! channel planes (red, green, blue), each plane **column-major** (byte `x·96 + y` of a plane
//! is pixel (y, x)). `train_y.bin` / `test_y.bin` hold one label byte 1..=10 per image.
//!
//! So that the network stays small, the images can be brought to a smaller `side`: they are
//! average-pooled by the largest whole factor f = ⌊96 / side⌋ (96 → 32 averages 3x3 blocks,
//! 96 → 48 averages 2x2) and the pooled ⌊96 / f⌋ px image is then centre-cropped to `side`
//! (e.g. 40 px: pool 2x2 to 48 px, keep the middle 40). Pooling rather than cropping first
//! keeps the whole scene, and STL-10's objects fill most of the frame.

use super::base_images::BaseImages;
use super::dataset_file::{
    check_bound, check_not_foreign, hint, record_count, DatasetFileError, Format,
};

/// Side of an STL-10 image.
pub const SIDE: usize = 96;
/// Bytes per image: 96·96·3.
pub const IMAGE_BYTES: usize = SIDE * SIDE * 3;
/// STL-10's class names, in label order (`class_names.txt`; label byte 1 is "airplane").
pub const CLASSES: [&str; 10] = [
    "airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck",
];
/// The single class of images read without a label file.
pub const UNLABELED: &str = "unlabeled";

/// A named file's bytes (the name is only used in messages).
pub type NamedBytes<'a> = (&'a str, &'a [u8]);

/// Reads an STL-10 image file and, when given, its label file, as base images of `side` px
/// (1..=96; see the module doc for the resizing). Without labels every image has the label
/// 0 of the single class [`UNLABELED`]; with them label byte k becomes label k − 1 of
/// [`CLASSES`]. The image count is held to [`super::dataset_file::max_images`]`(side)`
/// before any pixel is converted.
pub fn parse(
    images: NamedBytes<'_>,
    labels: Option<NamedBytes<'_>>,
    side: usize,
) -> Result<BaseImages, DatasetFileError> {
    let (name, bytes) = images;
    if side == 0 || side > SIDE {
        return Err(DatasetFileError::BadSide {
            file: name.into(),
            side,
        });
    }
    check_not_foreign(name, bytes, Format::StlImages)?;
    let count = record_count(name, bytes, IMAGE_BYTES, Format::StlImages, None)?;
    check_bound(name, count, side)?;
    let (labels, classes) = match labels {
        Some(file) => (
            read_labels(file, name, count)?,
            CLASSES.map(String::from).to_vec(),
        ),
        None => (vec![0; count], vec![UNLABELED.to_string()]),
    };
    let resize = Resize::new(side);
    let mut pixels = Vec::with_capacity(count * side * side * 3);
    for image in bytes.chunks_exact(IMAGE_BYTES) {
        resize.push(image, &mut pixels);
    }
    Ok(BaseImages {
        side,
        pixels,
        labels,
        classes,
    })
}

/// The labels (byte − 1) of a label file for `count` images of `images_file`.
fn read_labels(
    (name, bytes): NamedBytes<'_>,
    images_file: &str,
    count: usize,
) -> Result<Vec<u16>, DatasetFileError> {
    check_not_foreign(name, bytes, Format::StlLabels)?;
    if bytes.len() != count {
        return Err(DatasetFileError::LabelCount {
            images_file: images_file.into(),
            images: count,
            labels_file: name.into(),
            labels: bytes.len(),
        });
    }
    bytes
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if (1..=10).contains(&value) {
                Ok(u16::from(value - 1))
            } else {
                Err(DatasetFileError::LabelOutOfRange {
                    file: name.into(),
                    index,
                    value,
                    min: 1,
                    max: 10,
                    format: Format::StlLabels,
                    hint: hint(bytes),
                })
            }
        })
        .collect()
}

/// Average-pool by `factor`, then keep `side` px from `offset` (in pooled pixels).
#[derive(Debug, Clone, Copy)]
struct Resize {
    side: usize,
    factor: usize,
    offset: usize,
}

impl Resize {
    /// The resizing to `side` (1..=96).
    fn new(side: usize) -> Self {
        let factor = SIDE / side;
        let pooled = SIDE / factor;
        Self {
            side,
            factor,
            offset: (pooled - side) / 2,
        }
    }

    /// Appends one 96x96 planar column-major image as `side x side x 3` HWC floats in [0, 1].
    fn push(&self, image: &[u8], out: &mut Vec<f32>) {
        let f = self.factor;
        let divisor = (255 * f * f) as f32;
        for y in 0..self.side {
            for x in 0..self.side {
                let (sy, sx) = ((self.offset + y) * f, (self.offset + x) * f);
                for c in 0..3 {
                    let plane = &image[c * SIDE * SIDE..(c + 1) * SIDE * SIDE];
                    let mut sum = 0u32;
                    for xx in sx..sx + f {
                        for yy in sy..sy + f {
                            sum += u32::from(plane[xx * SIDE + yy]);
                        }
                    }
                    out.push(sum as f32 / divisor);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte of pixel (y, x), channel c of image `k` in the test files.
    fn value(k: usize, y: usize, x: usize, c: usize) -> u8 {
        ((3 * y + 5 * x + 70 * c + 11 * k) % 256) as u8
    }

    /// `count` images in STL-10's layout (planes, column-major), pixel values from [`value`].
    fn stl_file(count: usize) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(count * IMAGE_BYTES);
        for k in 0..count {
            for c in 0..3 {
                for x in 0..SIDE {
                    for y in 0..SIDE {
                        bytes.push(value(k, y, x, c));
                    }
                }
            }
        }
        bytes
    }

    fn at(base: &BaseImages, k: usize, y: usize, x: usize) -> [f32; 3] {
        let p = &base.image(k)[(y * base.side + x) * 3..][..3];
        [p[0], p[1], p[2]]
    }

    #[test]
    fn full_size_images_are_transposed_planes() {
        let file = stl_file(2);
        let labels = [4u8, 10];
        let base = parse(("train_X.bin", &file), Some(("train_y.bin", &labels)), 96).unwrap();
        assert_eq!((base.side, base.count()), (96, 2));
        assert_eq!(base.labels, [3, 9]);
        assert_eq!(
            (base.classes[3].as_str(), base.classes[9].as_str()),
            ("cat", "truck")
        );
        for (k, y, x) in [(0, 0, 0), (0, 5, 90), (1, 95, 1), (1, 40, 41)] {
            let want = [0, 1, 2].map(|c| f32::from(value(k, y, x, c)) / 255.0);
            assert_eq!(at(&base, k, y, x), want, "image {k} ({y}, {x})");
        }
    }

    /// The mean of the f x f block of image k with top-left pixel (y0, x0), as parse computes it.
    fn block_mean(k: usize, y0: usize, x0: usize, f: usize) -> [f32; 3] {
        [0, 1, 2].map(|c| {
            let mut sum = 0u32;
            for y in y0..y0 + f {
                for x in x0..x0 + f {
                    sum += u32::from(value(k, y, x, c));
                }
            }
            sum as f32 / (255 * f * f) as f32
        })
    }

    #[test]
    fn downscaling_pools_then_centre_crops() {
        let file = stl_file(2);
        let pooled = parse(("unlabeled_X.bin", &file), None, 32).unwrap();
        assert_eq!((pooled.side, pooled.pixels.len()), (32, 2 * 32 * 32 * 3));
        assert_eq!(pooled.classes, [UNLABELED]);
        assert_eq!(pooled.labels, [0, 0]);
        assert_eq!(at(&pooled, 0, 0, 0), block_mean(0, 0, 0, 3));
        assert_eq!(at(&pooled, 1, 31, 7), block_mean(1, 93, 21, 3));
        // 40 px: pool 2x2 to 48 px, then keep pooled pixels 4..44
        let forty = parse(("x.bin", &file), None, 40).unwrap();
        assert_eq!(at(&forty, 1, 0, 0), block_mean(1, 8, 8, 2));
        assert_eq!(at(&forty, 0, 39, 2), block_mean(0, 86, 12, 2));
        // 64 px: no pooling, the middle 64 (offset 16)
        let crop = parse(("x.bin", &file), None, 64).unwrap();
        assert_eq!(at(&crop, 1, 3, 60), block_mean(1, 19, 76, 1));
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let file = stl_file(2);
        let e = parse(("x.bin", &file), None, 0).unwrap_err();
        assert!(matches!(e, DatasetFileError::BadSide { side: 0, .. }));
        let e = parse(("x.bin", &file), None, 97).unwrap_err();
        assert!(matches!(e, DatasetFileError::BadSide { side: 97, .. }));
        let e = parse(("x.bin", &file[..IMAGE_BYTES + 100]), None, 32).unwrap_err();
        assert!(
            matches!(
                e,
                DatasetFileError::Size {
                    record: IMAGE_BYTES,
                    ..
                }
            ),
            "{e}"
        );
        let e = parse(("x.bin", &[]), None, 32).unwrap_err();
        assert!(matches!(e, DatasetFileError::Empty { .. }));
        let e = parse(("x.bin", &file), Some(("y.bin", &[1, 2, 3])), 32).unwrap_err();
        assert!(
            matches!(
                e,
                DatasetFileError::LabelCount {
                    images: 2,
                    labels: 3,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("x.bin") && e.to_string().contains("y.bin"));
        for bad in [0u8, 11] {
            let e = parse(("x.bin", &file), Some(("y.bin", &[1, bad])), 32).unwrap_err();
            assert!(
                matches!(e, DatasetFileError::LabelOutOfRange { index: 1, value, .. }
                    if value == bad),
                "{e}"
            );
        }
        let e = parse(("x.bin", &file), Some(("y.bin", &[])), 32).unwrap_err();
        assert!(matches!(
            e,
            DatasetFileError::Empty {
                format: Format::StlLabels,
                ..
            }
        ));
    }

    #[test]
    fn too_many_images_is_refused_before_converting() {
        // 2,428 images at 96 px exceed 256 MiB of floats; pooled to 32 px they fit the bound
        let file = vec![0u8; 2_428 * IMAGE_BYTES];
        let e = parse(("unlabeled_X.bin", &file), None, 96).unwrap_err();
        assert!(
            matches!(e, DatasetFileError::TooManyImages { max: 2_427, .. }),
            "{e}"
        );
        assert_eq!(super::super::dataset_file::max_images(32), 21_845);
    }
}
