//! The deep-network experiments' augmentations (docs/deep.md §2, the paper's Appendix D
//! scaled down): every training step draws a batch of base images and cuts two fresh random
//! `crop x crop` crops of each, each flipped left-right with probability ½. The views of a
//! step are a pure function of the base images and the generator's state, so the CPU and
//! GPU backends train on bit-identical batches.

use super::base_images::BaseImages;
use super::rng::Rng;

/// `batch` indices into `0..count` for one training step (docs/deep.md §2).
///
/// When `batch <= count` they are distinct (drawn without replacement, by a partial
/// Fisher–Yates shuffle); when `batch > count` every image appears ⌊batch/count⌋ or
/// ⌈batch/count⌉ times (successive shuffled passes over all images, the last one cut short).
/// Returns an empty vector when `count` or `batch` is 0.
pub fn batch_indices(count: usize, batch: usize, rng: &mut Rng) -> Vec<usize> {
    let mut out = Vec::with_capacity(batch);
    if count == 0 {
        return out;
    }
    let mut pool: Vec<usize> = (0..count).collect();
    while out.len() < batch {
        let take = (batch - out.len()).min(count);
        for i in 0..take {
            let j = i + rng.below(count - i);
            pool.swap(i, j);
        }
        out.extend_from_slice(&pool[..take]);
    }
    out
}

/// Two random views of each of the base images `indices` (docs/deep.md §2):
/// `[2B, crop, crop, 3]` f32 NHWC with B = `indices.len()`; rows 0..B are the first views
/// and rows B..2B the second views, so view i's positive twin is (i + B) mod 2B (the layout
/// of `model::ssl_loss`). Each view is an independent uniformly placed `crop x crop` window
/// of its base image, mirrored left-right with probability ½ when `flip`.
///
/// The generator is consumed in a fixed order (first views of all images, then second
/// views; per view: top, left, then the flip when `flip`), so a seed fixes the batch.
///
/// # Panics
/// If `crop` is 0 or larger than `base.side`, or an index is out of range (the deep
/// configuration validates the crop against the base side; indices come from
/// [`batch_indices`]).
pub fn views(
    base: &BaseImages,
    indices: &[usize],
    crop: usize,
    flip: bool,
    rng: &mut Rng,
) -> Vec<f32> {
    assert!(
        crop > 0 && crop <= base.side,
        "crop {crop} must lie in 1..={} (the base side)",
        base.side
    );
    let mut out = Vec::with_capacity(2 * indices.len() * crop * crop * 3);
    for _view in 0..2 {
        for &i in indices {
            let top = rng.below(base.side - crop + 1);
            let left = rng.below(base.side - crop + 1);
            let mirrored = flip && rng.below(2) == 1;
            push_view(base, i, Window { top, left, crop }, mirrored, &mut out);
        }
    }
    out
}

/// A square window of a base image.
#[derive(Debug, Clone, Copy)]
struct Window {
    top: usize,
    left: usize,
    crop: usize,
}

/// Appends window `w` of base image `i` (columns reversed when `mirrored`) to `out`.
fn push_view(base: &BaseImages, i: usize, w: Window, mirrored: bool, out: &mut Vec<f32>) {
    let image = base.image(i);
    for y in w.top..w.top + w.crop {
        let row = &image[(y * base.side + w.left) * 3..(y * base.side + w.left + w.crop) * 3];
        if mirrored {
            for pixel in row.chunks_exact(3).rev() {
                out.extend_from_slice(pixel);
            }
        } else {
            out.extend_from_slice(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::stream;

    /// `count` images of side `side` whose pixel (y, x) of image k holds
    /// R = k, G = y, B = x: every value says where it came from.
    fn ramp(count: usize, side: usize) -> BaseImages {
        let mut pixels = Vec::new();
        for k in 0..count {
            for y in 0..side {
                for x in 0..side {
                    pixels.extend([k as f32, y as f32, x as f32]);
                }
            }
        }
        BaseImages {
            side,
            pixels,
            labels: (0..count as u16).collect(),
            classes: (0..count).map(|k| format!("image {k}")).collect(),
        }
    }

    fn pixel(views: &[f32], view: usize, crop: usize, y: usize, x: usize) -> [f32; 3] {
        let at = ((view * crop + y) * crop + x) * 3;
        [views[at], views[at + 1], views[at + 2]]
    }

    /// The (top, left) of a view and whether it is mirrored, read back from the ramp,
    /// after checking that it is a contiguous window of image `k`.
    fn window_of(views: &[f32], view: usize, crop: usize, k: usize) -> (usize, usize, bool) {
        let first = pixel(views, view, crop, 0, 0);
        let last = pixel(views, view, crop, 0, crop - 1);
        let mirrored = crop > 1 && last[2] < first[2];
        let top = first[1] as usize;
        let left = if mirrored { last[2] } else { first[2] } as usize;
        for y in 0..crop {
            for x in 0..crop {
                let src_x = if mirrored { crop - 1 - x } else { x };
                let want = [k as f32, (top + y) as f32, (left + src_x) as f32];
                assert_eq!(
                    pixel(views, view, crop, y, x),
                    want,
                    "view {view} ({y},{x})"
                );
            }
        }
        (top, left, mirrored)
    }

    #[test]
    fn views_are_windows_of_their_own_image() {
        let (side, crop) = (9, 5);
        let base = ramp(7, side);
        let indices = [3, 0, 6, 3];
        let mut rng = Rng::new(11, stream::AUGMENT);
        let v = views(&base, &indices, crop, true, &mut rng);
        let b = indices.len();
        assert_eq!(v.len(), 2 * b * crop * crop * 3);
        for view in 0..2 * b {
            // first views of every image, then the second views in the same order
            let (top, left, _) = window_of(&v, view, crop, indices[view % b]);
            assert!(top + crop <= side && left + crop <= side);
        }
    }

    #[test]
    fn flips_reverse_columns_about_half_the_time() {
        let (side, crop) = (6, 4);
        let base = ramp(2, side);
        let indices: Vec<usize> = (0..200).map(|i| i % 2).collect();
        let mut rng = Rng::new(5, stream::AUGMENT);
        let v = views(&base, &indices, crop, true, &mut rng);
        let mut tops = [0usize; 3];
        let mut mirrored = 0;
        for view in 0..400 {
            let (top, _, m) = window_of(&v, view, crop, indices[view % 200]);
            tops[top] += 1;
            mirrored += usize::from(m);
        }
        // 400 fair coin flips: 200 ± 3σ (σ = 10)
        assert!(
            (170..=230).contains(&mirrored),
            "{mirrored} mirrored of 400"
        );
        // every vertical offset in 0..=2 occurs (each with probability 1/3)
        assert!(tops.iter().all(|&t| t > 90), "{tops:?}");
        let mut rng = Rng::new(5, stream::AUGMENT);
        let plain = views(&base, &indices, crop, false, &mut rng);
        for view in 0..400 {
            assert!(!window_of(&plain, view, crop, indices[view % 200]).2);
        }
    }

    #[test]
    fn full_crop_flip_is_the_mirror_image() {
        let base = ramp(1, 3);
        let mut rng = Rng::new(0, stream::AUGMENT);
        // Seek a seed-determined flipped view of the whole image and compare pixel by pixel.
        let v = views(&base, &[0; 16], 3, true, &mut rng);
        let flipped = (0..32).find(|&view| pixel(&v, view, 3, 0, 0)[2] == 2.0);
        let view = flipped.expect("32 fair flips all came up heads");
        for y in 0..3 {
            for x in 0..3 {
                assert_eq!(pixel(&v, view, 3, y, x), [0.0, y as f32, (2 - x) as f32]);
            }
        }
    }

    #[test]
    fn same_seed_same_views() {
        let base = ramp(5, 8);
        let run = |seed| {
            let mut rng = Rng::new(seed, stream::AUGMENT);
            let idx = batch_indices(5, 4, &mut rng);
            (idx.clone(), views(&base, &idx, 6, true, &mut rng))
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3).1, run(4).1);
    }

    #[test]
    fn batch_indices_are_distinct_when_they_can_be() {
        let mut rng = Rng::new(9, stream::BATCH);
        let mut seen = vec![0usize; 10];
        for _ in 0..500 {
            let mut idx = batch_indices(10, 4, &mut rng);
            for &i in &idx {
                seen[i] += 1;
            }
            idx.sort_unstable();
            idx.dedup();
            assert_eq!(idx.len(), 4);
        }
        // 2000 draws over 10 images: each 200 ± 60 (> 4σ)
        assert!(seen.iter().all(|&s| (140..=260).contains(&s)), "{seen:?}");
        let all = batch_indices(10, 10, &mut rng);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn batch_larger_than_count_repeats_evenly() {
        let mut rng = Rng::new(2, stream::BATCH);
        let idx = batch_indices(3, 8, &mut rng);
        assert_eq!(idx.len(), 8);
        let mut counts = [0usize; 3];
        for i in idx {
            counts[i] += 1;
        }
        let mut sorted = counts;
        sorted.sort_unstable();
        assert_eq!(sorted, [2, 3, 3]);
        assert!(batch_indices(0, 4, &mut rng).is_empty());
        assert!(batch_indices(4, 0, &mut rng).is_empty());
    }
}
