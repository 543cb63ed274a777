//! Labelled base images for the deep-network experiments (docs/deep.md): square RGB images
//! from which every training step cuts fresh random crops. The bundled photos give base
//! patches labelled by their source photo; other sources (the visitor's images, CIFAR-10 and
//! STL-10 binaries) build the same type.

use std::borrow::Borrow;

use super::local::usable;
use super::photos::Photo;
use super::rng::{stream, Rng};
use super::DataError;

/// `count` square RGB images, `side x side x 3` each (row, column, channel), values in [0, 1],
/// each with a class label.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseImages {
    /// Side of every image in pixels.
    pub side: usize,
    /// `count x side x side x 3` f32, image-major.
    pub pixels: Vec<f32>,
    /// One label per image, each below `classes.len()`.
    pub labels: Vec<u16>,
    /// Class names (e.g. the source photo's name, or CIFAR-10's "airplane", …).
    pub classes: Vec<String>,
}

impl BaseImages {
    /// Number of images.
    pub fn count(&self) -> usize {
        self.labels.len()
    }

    /// Floats per image: side² · 3.
    pub fn image_len(&self) -> usize {
        self.side * self.side * 3
    }

    /// Image `i`, `side x side x 3`.
    pub fn image(&self, i: usize) -> &[f32] {
        let len = self.image_len();
        &self.pixels[i * len..(i + 1) * len]
    }
}

/// Cuts `count` base patches of `side` px at seeded random places from `photos` (each at least
/// `side` px a side), the photo chosen uniformly; the label is the photo's index and the class
/// its name.
///
/// # Panics
/// If `photos` is empty or one is smaller than `side` (callers filter with
/// [`super::local::usable`]).
pub fn from_photos<P: Borrow<Photo>>(
    photos: &[P],
    count: usize,
    side: usize,
    seed: u64,
) -> BaseImages {
    assert!(!photos.is_empty(), "no photos to cut base patches from");
    let mut rng = Rng::new(seed, stream::PATCHES);
    let mut pixels = Vec::with_capacity(count * side * side * 3);
    let mut labels = Vec::with_capacity(count);
    for _ in 0..count {
        let index = rng.below(photos.len());
        let photo: &Photo = photos[index].borrow();
        let top = rng.below(photo.height - side + 1);
        let left = rng.below(photo.width - side + 1);
        photo.push_crop(top, left, side, &mut pixels);
        labels.push(index as u16);
    }
    let classes = photos.iter().map(|p| p.borrow().name.clone()).collect();
    BaseImages {
        side,
        pixels,
        labels,
        classes,
    }
}

/// How many of the visitor's `photos` can give base images of `side` px (those at least
/// `side` px a side; [`from_own_photos`] cuts from exactly these).
pub fn usable_count(photos: &[Photo], side: usize) -> usize {
    usable(photos, side).len()
}

/// `count` base images of `side` px cut from the visitor's own `photos` (docs/deep.md §4),
/// labelled by source image: [`from_photos`] over the photos at least `side` px a side (the
/// others are left out, so class k is the k-th usable photo).
pub fn from_own_photos(
    photos: &[Photo],
    count: usize,
    side: usize,
    seed: u64,
) -> Result<BaseImages, DataError> {
    let kept = usable(photos, side);
    if kept.is_empty() {
        return Err(DataError::NoUsableOwnImages {
            count: photos.len(),
            side,
        });
    }
    Ok(from_photos(&kept, count, side, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(name: &str, value: f32, side: usize) -> Photo {
        Photo {
            name: name.into(),
            width: side,
            height: side + 3,
            rgb: vec![value; side * (side + 3) * 3],
        }
    }

    #[test]
    fn labels_name_the_source_photo() {
        let photos = [flat("zero", 0.0, 9), flat("one", 1.0, 12)];
        let base = from_photos(&photos, 40, 8, 3);
        assert_eq!(base.count(), 40);
        assert_eq!(base.pixels.len(), 40 * 8 * 8 * 3);
        assert_eq!(base.classes, ["zero", "one"]);
        for i in 0..base.count() {
            let want = f32::from(base.labels[i]);
            assert!(base.image(i).iter().all(|&v| v == want));
        }
        assert!(base.labels.contains(&0) && base.labels.contains(&1));
    }

    #[test]
    fn own_photos_too_small_are_left_out() {
        let photos = [
            flat("small", 0.5, 5),
            flat("big", 1.0, 12),
            flat("also", 0.0, 10),
        ];
        assert_eq!(usable_count(&photos, 8), 2);
        let base = from_own_photos(&photos, 30, 8, 1).unwrap();
        // class k is the k-th usable photo, and its pixels come from that photo
        assert_eq!(base.classes, ["big", "also"]);
        for i in 0..base.count() {
            let want = [1.0, 0.0][usize::from(base.labels[i])];
            assert!(base.image(i).iter().all(|&v| v == want));
        }
        let e = from_own_photos(&photos, 30, 20, 1).unwrap_err();
        assert!(
            matches!(e, DataError::NoUsableOwnImages { count: 3, side: 20 }),
            "{e}"
        );
    }
}
