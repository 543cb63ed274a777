use super::*;
use crate::data::{build_from, DatasetConfig};

/// RGBA bytes of a `width x height` image whose pixel (x, y) is (x, y, x + y, 255 - x).
fn rgba(width: usize, height: usize) -> Vec<u8> {
    (0..height)
        .flat_map(|y| {
            (0..width).flat_map(move |x| [x as u8, y as u8, (x + y) as u8, 255 - x as u8])
        })
        .collect()
}

#[test]
fn rgba_becomes_row_major_rgb_in_unit_range_without_alpha() {
    let p = photo_from_rgba("a.png", 5, 3, &rgba(5, 3)).unwrap();
    assert_eq!((p.width, p.height, p.rgb.len()), (5, 3, 45));
    // pixel (x = 4, y = 2) is at (2·5 + 4)·3
    let at = (2 * 5 + 4) * 3;
    assert_eq!(&p.rgb[at..at + 3], &[4.0 / 255.0, 2.0 / 255.0, 6.0 / 255.0]);
    assert!(p.rgb.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(p.name, "a.png");
}

#[test]
fn wrong_pixel_count_and_huge_sides_are_errors() {
    let short = photo_from_rgba("a", 5, 3, &rgba(5, 2)).unwrap_err();
    assert_eq!(
        short,
        LocalImageError::BadPixels {
            width: 5,
            height: 3,
            got: 40,
            expected: 60
        }
    );
    assert!(matches!(
        photo_from_rgba("a", 0, 0, &[]),
        Err(LocalImageError::BadPixels { .. })
    ));
    let wide = photo_from_rgba("a", MAX_SIDE + 1, 1, &[]).unwrap_err();
    assert_eq!(wide.to_string(), "8001x1 px is larger than 8000 px a side");
}

#[test]
fn collector_keeps_usable_images_and_says_why_it_skips_the_rest() {
    let mut set = LocalPhotos::new(12);
    assert_eq!(
        set.check_file("big.png", MAX_FILE_BYTES + 1),
        Some("52428801 bytes is larger than the 50 MB limit".into())
    );
    assert_eq!(set.check_file("notes.txt", 10), None);
    set.not_an_image("notes.txt", "InvalidStateError");
    assert_eq!(set.check_file("huge.png", 100), None);
    assert!(set
        .check_size("huge.png", 9000, 10)
        .unwrap()
        .contains("larger than 8000"));
    assert_eq!(set.check_file("tiny.png", 100), None);
    assert!(set
        .check_size("tiny.png", 11, 40)
        .unwrap()
        .contains("smaller than the base patch (12 px"));
    assert_eq!(set.check_file("ok.png", 100), None);
    assert_eq!(set.check_size("ok.png", 16, 12), None);
    assert_eq!(set.add_rgba("ok.png", 16, 12, &rgba(16, 12)), None);
    assert_eq!(set.skipped().len(), 4);
    let (photos, skipped) = set.finish().unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].width, 16);
    let names: Vec<&str> = skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["big.png", "notes.txt", "huge.png", "tiny.png"]);
    assert!(skipped[1]
        .to_string()
        .starts_with("notes.txt: not an image the browser can decode"));
}

#[test]
fn no_usable_image_is_an_error_listing_every_file() {
    let mut set = LocalPhotos::new(12);
    set.check_file("notes.txt", 5);
    set.not_an_image("notes.txt", "bad");
    let e = set.finish().unwrap_err();
    assert_eq!(e.files, 1);
    assert_eq!(
        e.to_string(),
        "none of the 1 files is a usable image (notes.txt: not an image the browser can decode (bad))"
    );
    assert!(LocalPhotos::new(3).finish().is_err());
}

#[test]
fn image_and_pixel_budgets_are_enforced() {
    let mut set = LocalPhotos::new(1);
    for i in 0..MAX_IMAGES {
        assert_eq!(set.check_file(&format!("{i}"), 4), None);
        assert_eq!(set.add_rgba(&format!("{i}"), 1, 1, &[1, 2, 3, 4]), None);
    }
    assert!(set
        .check_file("one more", 4)
        .unwrap()
        .contains("more than 100 images"));
    let mut set = LocalPhotos::new(1);
    assert!(set.check_size("a", 8000, 5001).unwrap().contains("exceed"));
}

#[test]
fn local_photos_are_cut_like_the_bundled_ones_and_small_ones_are_left_out() {
    let cfg = DatasetConfig {
        n: 30,
        crop: 4,
        base: 8,
        center: false,
        ..DatasetConfig::default()
    };
    let big = photo_from_rgba("big", 20, 10, &rgba(20, 10)).unwrap();
    let small = photo_from_rgba("small", 6, 6, &rgba(6, 6)).unwrap();
    let alone = build_from(&cfg, Some(std::slice::from_ref(&big))).unwrap();
    // the small photo cannot hold a base patch: the same pairs as from the big one alone
    let both = build_from(&cfg, Some(&[small.clone(), big.clone()])).unwrap();
    assert_eq!(alone, both);
    assert_eq!(alone.m, 48);
    // every crop pixel is a pixel of the big photo: red = x/255 < 20/255, green = y/255 < 10/255
    for row in alone.x.chunks_exact(3) {
        assert!(row[0] * 255.0 < 19.5 && row[1] * 255.0 < 9.5);
        assert!((row[2] - (row[0] + row[1])).abs() < 1e-6);
    }
    // not the bundled photos' pairs
    assert_ne!(alone, build_from(&cfg, None).unwrap());
    let none = build_from(&cfg, Some(&[small])).unwrap_err();
    assert!(none.to_string().contains("8 px"), "{none}");
    assert_eq!(usable(&[big], 11).len(), 0);
}

/// A `width x height` PNG of `rgba(width, height)` (colour type RGBA, 8 bits).
fn png(width: usize, height: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&rgba(width, height)).unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn png_files_become_the_same_photos_as_their_rgba_pixels() {
    let mut set = LocalPhotos::new(4);
    assert_eq!(set.check_file("a.png", 100), None);
    assert_eq!(set.add_png("a.png", &png(9, 7)), None);
    let (photos, skipped) = set.finish().unwrap();
    assert!(skipped.is_empty());
    let from_rgba = photo_from_rgba("a.png", 9, 7, &rgba(9, 7)).unwrap();
    assert_eq!((photos[0].width, photos[0].height), (9, 7));
    assert_eq!(photos[0].rgb, from_rgba.rgb);
}

#[test]
fn non_png_small_and_hugely_declared_files_are_skipped_with_reasons() {
    let mut set = LocalPhotos::new(8);
    let text = set.add_png("notes.txt", b"not an image\n").unwrap();
    assert!(text.starts_with("not a PNG image ("), "{text}");
    let small = set.add_png("small.png", &png(5, 30)).unwrap();
    assert_eq!(
        small,
        "5x30 px is smaller than the base patch (8 px a side)"
    );
    // a header declaring 100000 x 2 px: refused from the header, before any pixel is read
    let mut huge = png(2, 2);
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crate::experiment::python_export::crc32(&huge[12..29]);
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let wide = set.add_png("huge.png", &huge).unwrap();
    assert_eq!(wide, "100000x2 px is larger than 8000 px a side");
    let Err(none) = set.finish() else {
        panic!("no file was usable");
    };
    assert_eq!(none.skipped.len(), 3);
}
