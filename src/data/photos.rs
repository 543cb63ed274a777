//! The bundled photos (www/data/, see its ATTRIBUTION.md), decoded to RGB in [0, 1].

use std::io::Cursor;
use std::sync::OnceLock;

use super::local::{MAX_SIDE, MAX_TOTAL_PIXELS};
use super::DataError;

/// A decoded RGB photo, row-major `height x width x 3`, values in [0, 1].
#[derive(Debug, Clone)]
pub struct Photo {
    pub name: String,
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<f32>,
}

impl Photo {
    /// Appends the `side x side` RGB crop with top-left corner (top, left) to `out`.
    pub fn push_crop(&self, top: usize, left: usize, side: usize, out: &mut Vec<f32>) {
        for y in top..top + side {
            let start = (y * self.width + left) * 3;
            out.extend_from_slice(&self.rgb[start..start + side * 3]);
        }
    }
}

/// Number of bundled photos.
pub const PHOTO_COUNT: usize = 6;

/// The bundled photos' names, in the order of www/data/manifest.txt.
const NAMES: [&str; PHOTO_COUNT] = [
    "astronaut",
    "chelsea",
    "coffee",
    "hubble_deep_field",
    "retina",
    "rocket",
];

/// PNG bytes of the bundled photos, in the order of [`NAMES`]: only in native binaries. The
/// page's worker fetches the same files from www/data/ and hands their pixels over
/// ([`provide_bundled`]), so the wasm module does not carry 0.5 MB of incompressible PNG.
#[cfg(not(target_arch = "wasm32"))]
const BUNDLED: [&[u8]; PHOTO_COUNT] = [
    include_bytes!("../../www/data/astronaut.png"),
    include_bytes!("../../www/data/chelsea.png"),
    include_bytes!("../../www/data/coffee.png"),
    include_bytes!("../../www/data/hubble_deep_field.png"),
    include_bytes!("../../www/data/retina.png"),
    include_bytes!("../../www/data/rocket.png"),
];

/// The bundled photos, decoded once per process: by [`provide_bundled`] (a page hands over
/// the pixels its browser decoded) or, natively, on first use from the PNG bytes in this
/// binary.
static DECODED: OnceLock<Vec<Photo>> = OnceLock::new();

/// Every bundled photo, decoded (once per process). In the page: an error until the worker
/// has provided them.
pub fn bundled() -> Result<&'static [Photo], DataError> {
    if let Some(photos) = DECODED.get() {
        return Ok(photos);
    }
    let photos = decode_embedded()?;
    Ok(DECODED.get_or_init(|| photos))
}

#[cfg(not(target_arch = "wasm32"))]
fn decode_embedded() -> Result<Vec<Photo>, DataError> {
    NAMES
        .iter()
        .zip(BUNDLED)
        .map(|(name, bytes)| decode_png(name, bytes))
        .collect()
}

#[cfg(target_arch = "wasm32")]
fn decode_embedded() -> Result<Vec<Photo>, DataError> {
    Err(DataError::PhotosNotLoaded)
}

/// The names of the bundled photos, in the order of www/data/manifest.txt.
pub fn bundled_names() -> [&'static str; PHOTO_COUNT] {
    NAMES
}

/// Hands over the bundled photos decoded elsewhere (a page's browser decodes the same PNGs
/// natively, off the wasm module's hot path); they must come in the order and with the
/// names of [`bundled_names`]. Returns whether they are the ones used from now on (false:
/// the photos were decoded already, or `photos` does not match the bundled set).
pub fn provide_bundled(photos: Vec<Photo>) -> bool {
    let names = bundled_names();
    let matches =
        photos.len() == PHOTO_COUNT && photos.iter().zip(names).all(|(p, name)| p.name == name);
    matches && DECODED.set(photos).is_ok()
}

/// The width and height of a PNG image from its header, without decoding its pixels (or why
/// the bytes are not a PNG).
pub fn png_size(bytes: &[u8]) -> Result<(usize, usize), String> {
    let reader = png::Decoder::new(Cursor::new(bytes))
        .read_info()
        .map_err(|e| e.to_string())?;
    let info = reader.info();
    Ok((info.width as usize, info.height as usize))
}

/// Decodes a PNG (grey, grey+alpha, RGB, RGBA or palette; 16-bit stripped to 8) to RGB in
/// [0, 1]; alpha is dropped. Images over [`MAX_SIDE`] px a side or [`MAX_TOTAL_PIXELS`] px
/// are refused from their header, before any pixel buffer is allocated.
pub fn decode_png(name: &str, bytes: &[u8]) -> Result<Photo, DataError> {
    let err = |reason: String| DataError::Image {
        name: name.to_string(),
        reason,
    };
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| err(e.to_string()))?;
    // the header's size is checked before the pixel buffer is allocated: a 20-byte header
    // can claim 2^31 px a side (found by tests/fuzz_files.rs: an abort on allocation)
    let (width, height) = (reader.info().width as usize, reader.info().height as usize);
    if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_TOTAL_PIXELS {
        return Err(err(format!(
            "{width}x{height} px is larger than {MAX_SIDE} px a side or {MAX_TOTAL_PIXELS} px"
        )));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| err("image too large".into()))?;
    let mut buf = vec![0u8; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| err(e.to_string()))?;
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let mut rgb = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let row = &buf[y * info.line_size..y * info.line_size + width * channels];
        for px in row.chunks_exact(channels) {
            let (r, g, b) = if channels >= 3 {
                (px[0], px[1], px[2])
            } else {
                (px[0], px[0], px[0])
            };
            rgb.extend([r, g, b].map(|v| v as f32 / 255.0));
        }
    }
    Ok(Photo {
        name: name.to_string(),
        width,
        height,
        rgb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bundled_set_can_be_provided_and_only_once() {
        assert!(!provide_bundled(Vec::new()), "an empty set");
        let decoded = bundled().unwrap();
        let mut renamed = decoded.to_vec();
        renamed[0].name = "other".into();
        assert!(!provide_bundled(renamed), "a wrong name");
        // decoded already: the first photos stay
        assert!(!provide_bundled(decoded.to_vec()));
        assert_eq!(bundled_names()[0], decoded[0].name);
    }

    #[test]
    fn bundled_photos_decode_and_fit_the_largest_patch() {
        let photos = bundled().unwrap();
        assert_eq!(photos.len(), PHOTO_COUNT);
        for p in photos {
            assert!(p.width >= super::super::config::MAX_BASE, "{}", p.name);
            assert!(p.height >= super::super::config::MAX_BASE, "{}", p.name);
            assert_eq!(p.rgb.len(), p.width * p.height * 3);
            assert!(p.rgb.iter().all(|v| (0.0..=1.0).contains(v)));
            // a photo, not a flat colour
            let mean = p.rgb.iter().sum::<f32>() / p.rgb.len() as f32;
            let var = p.rgb.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / p.rgb.len() as f32;
            assert!(var > 1e-3, "{} is flat", p.name);
        }
    }

    #[test]
    fn the_names_are_the_manifest_the_page_fetches() {
        let manifest = include_str!("../../www/data/manifest.txt");
        let files: Vec<String> = bundled_names().iter().map(|n| format!("{n}.png")).collect();
        assert_eq!(manifest.split_whitespace().collect::<Vec<_>>(), files);
    }

    #[test]
    fn garbage_is_a_decode_error() {
        let e = decode_png("junk", b"not a png").unwrap_err();
        assert!(e.to_string().contains("junk"));
    }
}
