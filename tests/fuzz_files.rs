//! Generated inputs for every parser of outside files (issue 17 §1): PNG headers and
//! decoding (`data::photos`), the upload collector (`data::local::LocalPhotos`), and the
//! CIFAR-10 / STL-10 readers (`data::cifar`, `data::stl`).
//!
//! Inputs are structured: valid PNGs of every colour type and bit depth, then mutated
//! (bytes flipped, cut short, IHDR sizes rewritten with a correct CRC, junk appended);
//! dataset files of whole records with label bytes in and out of range and lengths a byte
//! off. Properties: no panic; what is accepted has the shape and ranges it claims; every
//! rejection is a typed error naming its file.

mod fuzz_support;

use fuzz_support::{crc32, run};
use proptest::prelude::*;
use stepwise::data::local::{LocalPhotos, MAX_IMAGES, MAX_SIDE, MAX_TOTAL_PIXELS};
use stepwise::data::photos::{decode_png, png_size};
use stepwise::data::{cifar, stl};

/// A valid PNG of `w`x`h` px; `kind` picks the colour type and bit depth.
fn encode_png(w: u32, h: u32, kind: u8, seed: u64) -> Vec<u8> {
    use png::{BitDepth, ColorType};
    let kinds = [
        (ColorType::Grayscale, BitDepth::One),
        (ColorType::Grayscale, BitDepth::Four),
        (ColorType::Grayscale, BitDepth::Eight),
        (ColorType::Grayscale, BitDepth::Sixteen),
        (ColorType::GrayscaleAlpha, BitDepth::Eight),
        (ColorType::Rgb, BitDepth::Eight),
        (ColorType::Rgb, BitDepth::Sixteen),
        (ColorType::Rgba, BitDepth::Eight),
        (ColorType::Rgba, BitDepth::Sixteen),
        (ColorType::Indexed, BitDepth::Two),
        (ColorType::Indexed, BitDepth::Eight),
    ];
    let (color, depth) = kinds[kind as usize % kinds.len()];
    let bits = color.samples() * depth as usize;
    let row = (w as usize * bits).div_ceil(8);
    let mut state = seed | 1;
    let data: Vec<u8> = (0..row * h as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if color == ColorType::Indexed {
        // a palette of 4 entries: 8-bit indices above 3 are out of it (a decode error)
        encoder.set_palette(vec![0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
    }
    let mut writer = encoder.write_header().expect("valid header");
    writer.write_image_data(&data).expect("right length");
    writer.finish().expect("finishes");
    out
}

/// One mutation of a PNG's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    None,
    Flip(Vec<(usize, u8)>),
    Cut(usize),
    /// New IHDR width and height (the chunk's CRC recomputed, so the decoder reads them).
    Size(u32, u32),
    /// A new IHDR byte (bit depth, colour type, compression, filter, interlace) at 24..29.
    Header(usize, u8),
    Append(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let side = prop_oneof![
        0u32..64,
        Just(MAX_SIDE as u32 + 1),
        Just(u32::MAX),
        Just(1 << 31),
        any::<u32>()
    ];
    prop_oneof![
        2 => Just(Mutation::None),
        2 => proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6).prop_map(Mutation::Flip),
        1 => any::<usize>().prop_map(Mutation::Cut),
        2 => (side.clone(), side).prop_map(|(w, h)| Mutation::Size(w, h)),
        1 => (24usize..29, any::<u8>()).prop_map(|(i, b)| Mutation::Header(i, b)),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Mutation::Append),
    ]
}

fn mutate(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let fix_crc = |b: &mut Vec<u8>| {
        let crc = crc32(&b[12..29]).to_be_bytes();
        b[29..33].copy_from_slice(&crc);
    };
    match m {
        Mutation::None => {}
        Mutation::Flip(flips) => flips.iter().for_each(|&(i, b)| {
            let n = bytes.len();
            bytes[i % n] ^= b;
        }),
        Mutation::Cut(at) => bytes.truncate(at % (bytes.len() + 1)),
        Mutation::Size(w, h) => {
            bytes[16..20].copy_from_slice(&w.to_be_bytes());
            bytes[20..24].copy_from_slice(&h.to_be_bytes());
            fix_crc(&mut bytes);
        }
        Mutation::Header(i, b) => {
            bytes[*i] = *b;
            fix_crc(&mut bytes);
        }
        Mutation::Append(tail) => bytes.extend(tail),
    }
    bytes
}

/// PNG bytes: mutated valid images, or plain random bytes (sometimes behind the signature).
fn png_bytes() -> impl Strategy<Value = Vec<u8>> {
    let image = (1u32..40, 1u32..40, any::<u8>(), any::<u64>(), mutation())
        .prop_map(|(w, h, k, seed, m)| mutate(encode_png(w, h, k, seed), &m));
    let random = (
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(sig, mut b)| {
            if sig {
                b.splice(0..0, *b"\x89PNG\r\n\x1a\n");
            }
            b
        });
    prop_oneof![4 => image, 1 => random]
}

fn check_png(bytes: &[u8]) -> bool {
    let size = png_size(bytes);
    if let Ok((w, h)) = size {
        assert!(w > 0 && h > 0, "{w}x{h}");
    }
    match decode_png("upload.png", bytes) {
        Ok(photo) => {
            assert_eq!(Ok((photo.width, photo.height)), size);
            assert!(photo.width <= MAX_SIDE && photo.height <= MAX_SIDE);
            assert_eq!(photo.rgb.len(), photo.width * photo.height * 3);
            assert!(photo.rgb.iter().all(|v| (0.0..=1.0).contains(v)));
            true
        }
        Err(e) => {
            assert!(e.to_string().contains("upload.png"), "{e}");
            false
        }
    }
}

#[test]
fn fuzz_png() {
    run("png", 5000, png_bytes(), |b| check_png(&b));
}

/// One file of an upload: a PNG (the command line's path) or decoded RGBA (the page's).
#[derive(Debug, Clone)]
enum Upload {
    Png(Vec<u8>),
    Rgba {
        width: usize,
        height: usize,
        extra: i8,
    },
    NotAnImage(String),
}

fn upload() -> impl Strategy<Value = (String, u64, Upload)> {
    let side = prop_oneof![4 => 0usize..80, 1 => Just(MAX_SIDE), 1 => Just(MAX_SIDE + 1), 1 => Just(usize::MAX / 2)];
    let file = prop_oneof![
        3 => png_bytes().prop_map(Upload::Png),
        3 => (side.clone(), side, -2i8..3).prop_map(|(width, height, extra)| Upload::Rgba { width, height, extra }),
        1 => fuzz_support::hostile_text().prop_map(Upload::NotAnImage),
    ];
    let bytes = prop_oneof![9 => 0u64..1_000_000, 1 => any::<u64>()];
    ("\\PC{0,12}", bytes, file)
}

fn check_uploads(base: usize, files: &[(String, u64, Upload)]) -> bool {
    let mut local = LocalPhotos::new(base);
    for (name, bytes, file) in files {
        if local.check_file(name, *bytes).is_some() {
            continue;
        }
        match file {
            Upload::Png(b) => {
                local.add_png(name, b);
            }
            Upload::NotAnImage(reason) => local.not_an_image(name, reason),
            Upload::Rgba {
                width,
                height,
                extra,
            } => {
                // a buffer of the right length (± extra bytes) for small images only
                let n = (width.saturating_mul(*height)).min(100 * 100) * 4;
                let rgba = vec![7u8; n.saturating_add_signed(isize::from(*extra))];
                local.add_rgba(name, *width, *height, &rgba);
            }
        }
    }
    match local.finish() {
        Ok((photos, skipped)) => {
            assert_eq!(photos.len() + skipped.len(), files.len());
            assert!(photos.len() <= MAX_IMAGES);
            let pixels: usize = photos.iter().map(|p| p.width * p.height).sum();
            assert!(pixels <= MAX_TOTAL_PIXELS);
            for p in &photos {
                assert!(
                    p.width >= base
                        && p.height >= base
                        && p.width <= MAX_SIDE
                        && p.height <= MAX_SIDE
                );
                assert_eq!(p.rgb.len(), p.width * p.height * 3);
            }
            skipped
                .iter()
                .for_each(|s| assert!(s.to_string().starts_with(&s.name)));
            true
        }
        Err(e) => {
            assert_eq!(e.files, files.len());
            assert_eq!(e.skipped.len(), files.len());
            false
        }
    }
}

#[test]
fn fuzz_uploads() {
    let files = proptest::collection::vec(upload(), 0..8);
    run("uploads", 2000, (0usize..40, files), |(base, f)| {
        check_uploads(base, &f)
    });
}

/// Bytes of `records` records of `record` bytes (pixels from `seed`), the first byte of each
/// from `labels` (cycled), then `delta` bytes more or fewer, and sometimes a foreign
/// signature in front.
fn records(record: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    let labels = prop_oneof![
        3 => proptest::collection::vec(0u8..10, 1..4),
        1 => proptest::collection::vec(any::<u8>(), 1..4),
    ];
    let delta = prop_oneof![3 => Just(0isize), 1 => -2isize..3];
    let sig = prop_oneof![3 => Just(usize::MAX), 1 => 0usize..4];
    (0..=max, any::<u64>(), labels, delta, sig).prop_map(move |(n, seed, labels, delta, sig)| {
        let mut bytes: Vec<u8> = (0..n * record)
            .map(|i| (seed as usize).wrapping_mul(i + 1).wrapping_shr(7) as u8)
            .collect();
        for (r, chunk) in bytes.chunks_mut(record).enumerate() {
            chunk[0] = labels[r % labels.len()];
        }
        bytes.resize(bytes.len().saturating_add_signed(delta), 3);
        let prefixes: [&[u8]; 4] = [b"\x89PNG", b"\x1f\x8b\x08", b"\x80\x02", b"PK\x03\x04"];
        if let Some(p) = prefixes.get(sig) {
            let k = p.len().min(bytes.len());
            bytes[..k].copy_from_slice(&p[..k]);
        }
        bytes
    })
}

#[test]
fn fuzz_cifar() {
    let files = proptest::collection::vec(records(cifar::RECORD, 4), 1..3);
    run("cifar", 2000, files, |files| {
        let names = ["data_batch_1.bin", "data_batch_2.bin"];
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .zip(names)
            .map(|(b, n)| (n, b.as_slice()))
            .collect();
        match cifar::parse_many(&named) {
            Ok(base) => {
                let records: usize = files.iter().map(|f| f.len() / cifar::RECORD).sum();
                assert_eq!(base.count(), records);
                assert_eq!(base.pixels.len(), records * 32 * 32 * 3);
                assert!(base.labels.iter().all(|&l| l < 10));
                assert!(base.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
                true
            }
            Err(e) => {
                assert!(names.iter().any(|n| e.to_string().contains(n)), "{e}");
                false
            }
        }
    });
}

#[test]
fn fuzz_stl() {
    // label files: one byte per image (STL-10's labels are 1..=10), sometimes one too many
    let labels = proptest::option::of((proptest::collection::vec(0u8..12, 4), 0usize..2));
    let side = prop_oneof![4 => 1usize..97, 1 => Just(0usize), 1 => 97usize..1000];
    let input = (records(stl::IMAGE_BYTES, 3), labels, side);
    run("stl", 500, input, |(images, labels, side)| {
        let count = images.len() / stl::IMAGE_BYTES;
        let labels = labels.map(|(mut l, extra)| {
            l.truncate(count + extra);
            l
        });
        let labels = labels.as_deref().map(|l| ("train_y.bin", l));
        match stl::parse(("train_X.bin", &images), labels, side) {
            Ok(base) => {
                assert_eq!(base.count(), images.len() / stl::IMAGE_BYTES);
                assert_eq!(base.pixels.len(), base.count() * side * side * 3);
                assert!(base
                    .labels
                    .iter()
                    .all(|&l| usize::from(l) < base.classes.len()));
                assert!(base.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
                true
            }
            Err(e) => {
                assert!(e.to_string().contains(".bin"), "{e}");
                false
            }
        }
    });
}

#[test]
fn a_png_header_claiming_a_huge_image_is_refused_before_allocating() {
    // found by fuzz_png: decode_png allocated what a rewritten IHDR claimed (542 GB) and
    // aborted. 1-bit grey keeps the claimed sizes inside the png crate's own limits, whose
    // check is on the packed rows, not on the expanded 8-bit buffer.
    let sides = [(MAX_SIDE as u32 + 1, 1), (1, 40_000), (7000, 7000)];
    for (w, h) in sides {
        let bytes = mutate(encode_png(4, 4, 0, 1), &Mutation::Size(w, h));
        assert_eq!(png_size(&bytes), Ok((w as usize, h as usize)));
        let e = decode_png("big.png", &bytes).unwrap_err().to_string();
        assert!(e.contains("big.png") && e.contains("larger than"), "{e}");
    }
    let small = encode_png(4, 4, 0, 1);
    assert_eq!(decode_png("ok.png", &small).unwrap().rgb.len(), 4 * 4 * 3);
}
