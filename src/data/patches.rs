//! The photo-patches dataset: base patches cut at random places from photos, two random
//! RGB crops of each, flattened as (row, column, channel), pixels in [0, 1].

use std::borrow::Borrow;

use super::config::DatasetConfig;
use super::photos::Photo;
use super::rng::{stream, Rng};
use super::Pairs;

/// Cuts `cfg.n` pairs of crops from `photos` (every photo is at least `cfg.base` a side).
pub fn build<P: Borrow<Photo>>(cfg: &DatasetConfig, photos: &[P]) -> Pairs {
    let m = cfg.m();
    let mut rng = Rng::new(cfg.seed, stream::PATCHES);
    let mut x = Vec::with_capacity(cfg.n * m);
    let mut x_prime = Vec::with_capacity(cfg.n * m);
    for _ in 0..cfg.n {
        let photo: &Photo = photos[rng.below(photos.len())].borrow();
        let top = rng.below(photo.height - cfg.base + 1);
        let left = rng.below(photo.width - cfg.base + 1);
        for view in [&mut x, &mut x_prime] {
            let dy = rng.below(cfg.base - cfg.crop + 1);
            let dx = rng.below(cfg.base - cfg.crop + 1);
            photo.push_crop(top + dy, left + dx, cfg.crop, view);
        }
    }
    Pairs {
        n: cfg.n,
        m,
        x,
        x_prime,
        crop: Some(cfg.crop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(width: usize, height: usize) -> Photo {
        let rgb = (0..width * height * 3).map(|i| i as f32).collect();
        Photo {
            name: "ramp".into(),
            width,
            height,
            rgb,
        }
    }

    #[test]
    fn crops_are_inside_the_base_patch() {
        let cfg = DatasetConfig {
            n: 50,
            crop: 3,
            base: 5,
            ..Default::default()
        };
        let p = build(&cfg, &[ramp(40, 30)]);
        assert_eq!(p.m, 27);
        for i in 0..p.n {
            // pixel (0,0) red of each crop encodes its position: value = 3·(y·40 + x)
            let a = p.x_row(i)[0] as usize / 3;
            let b = p.x_prime_row(i)[0] as usize / 3;
            let (ay, ax, by, bx) = (a / 40, a % 40, b / 40, b % 40);
            // both crops lie in one base patch: offsets differ by at most base − crop
            assert!(ay.abs_diff(by) <= 2 && ax.abs_diff(bx) <= 2);
            // contiguous crop: next pixel in the row is the next photo pixel
            assert_eq!(p.x_row(i)[3], p.x_row(i)[0] + 3.0);
            assert_eq!(p.x_row(i)[9], p.x_row(i)[0] + 120.0);
        }
    }
}
