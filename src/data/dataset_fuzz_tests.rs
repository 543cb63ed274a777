//! No bytes make the CIFAR-10 or STL-10 readers panic: a seeded loop over random byte
//! strings, some of them sized to whole records so that the label and pixel paths run.

use super::dataset_file::DatasetFileError;
use super::rng::Rng;
use super::{cifar, stl};

/// Random bytes of a random length: arbitrary, a whole number of `record`s, or one of those
/// with a byte more or less; half of them with valid label bytes at every record start, the
/// others sometimes starting with a file signature.
fn random_bytes(rng: &mut Rng, record: usize, max_records: usize) -> Vec<u8> {
    let len = match rng.below(4) {
        0 => rng.below(3 * record),
        1 => record * rng.below(max_records + 1),
        2 => (record * (1 + rng.below(max_records))).saturating_sub(1),
        _ => record * rng.below(max_records + 1) + 1,
    };
    let mut bytes: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
    if rng.below(2) == 0 {
        // mostly valid: every record starts with a CIFAR-10 label and an STL-10 label byte
        bytes
            .iter_mut()
            .step_by(record)
            .for_each(|b| *b = 1 + *b % 9);
        return bytes;
    }
    let prefixes: [&[u8]; 4] = [b"\x89PNG", b"\x1f\x8b\x08", b"\x80\x02", b"hello"];
    if let Some(p) = prefixes.get(rng.below(5)) {
        let n = p.len().min(bytes.len());
        bytes[..n].copy_from_slice(&p[..n]);
    }
    bytes
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(2023, 0);
    let mut parsed = [0usize; 2];
    for _ in 0..3000 {
        let a = random_bytes(&mut rng, cifar::RECORD, 4);
        let b = random_bytes(&mut rng, cifar::RECORD, 2);
        let files: &[(&str, &[u8])] = match rng.below(2) {
            0 => &[("a.bin", &a)],
            _ => &[("a.bin", &a), ("b.bin", &b)],
        };
        if let Ok(base) = cifar::parse_many(files) {
            assert_eq!(base.pixels.len(), base.count() * 32 * 32 * 3);
            assert!(base.labels.iter().all(|&l| l < 10));
            parsed[0] += 1;
        }
    }
    for _ in 0..300 {
        let images = random_bytes(&mut rng, stl::IMAGE_BYTES, 2);
        let count = images.len() / stl::IMAGE_BYTES;
        let labels: Vec<u8> = match rng.below(3) {
            0 => (0..count).map(|_| 1 + rng.below(10) as u8).collect(),
            _ => random_bytes(&mut rng, 1, count + 1),
        };
        let side = rng.below(100);
        let with_labels = rng.below(2) == 0;
        let file = with_labels.then_some(("y.bin", labels.as_slice()));
        match stl::parse(("x.bin", &images), file, side) {
            Ok(base) => {
                assert_eq!(base.pixels.len(), base.count() * side * side * 3);
                assert!(base.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
                parsed[1] += 1;
            }
            Err(e) => assert!(e.to_string().contains(".bin"), "{e}"),
        }
    }
    // the loop reached the conversion paths, not only the early checks
    assert!(parsed.iter().all(|&p| p > 10), "{parsed:?}");
}

#[test]
fn every_error_message_names_its_file() {
    let cases: [(&str, Result<_, DatasetFileError>); 3] = [
        ("a.bin", cifar::parse("a.bin", &[1, 2, 3])),
        ("b.bin", cifar::parse("b.bin", &[11; cifar::RECORD])),
        ("c.bin", stl::parse(("c.bin", &[7; 10]), None, 32)),
    ];
    for (file, result) in cases {
        let message = result.unwrap_err().to_string();
        assert!(message.contains(file), "{message}");
    }
}
