//! The visitor's own images: RGBA pixels decoded by the browser, checked and turned into
//! the same [`Photo`] as the bundled photos, so that the photo-patches dataset cuts them
//! exactly as it cuts those.

use super::photos::{decode_png, png_size, Photo};

/// Largest file accepted, in bytes (checked before decoding).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Largest width or height of an image.
pub const MAX_SIDE: usize = 8000;
/// Largest number of images kept (a folder may hold many more).
pub const MAX_IMAGES: usize = 100;
/// Largest number of pixels of all kept images together (each pixel takes 12 bytes as RGB
/// f32: about 0.5 GB, well inside a wasm tab's memory).
pub const MAX_TOTAL_PIXELS: usize = 40_000_000;

/// Why one file was skipped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocalImageError {
    #[error("{bytes} bytes is larger than the {} MB limit", MAX_FILE_BYTES / (1024 * 1024))]
    FileTooLarge { bytes: u64 },
    #[error("not an image the browser can decode ({reason})")]
    NotAnImage { reason: String },
    #[error("not a PNG image ({reason}): the command line reads PNG files only")]
    NotAPng { reason: String },
    #[error("{width}x{height} px is larger than {MAX_SIDE} px a side")]
    TooWide { width: usize, height: usize },
    #[error("{width}x{height} px is smaller than the base patch ({base} px a side)")]
    TooSmall {
        width: usize,
        height: usize,
        base: usize,
    },
    #[error("{got} bytes of pixels for {width}x{height} RGBA (expected {expected})")]
    BadPixels {
        width: usize,
        height: usize,
        got: usize,
        expected: usize,
    },
    #[error("more than {MAX_IMAGES} images: the rest are left out")]
    TooMany,
    #[error("the images together exceed {MAX_TOTAL_PIXELS} pixels")]
    TooManyPixels,
}

/// A skipped file and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub name: String,
    pub why: LocalImageError,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.why)
    }
}

/// None of the files gave a usable image.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("none of the {files} files is a usable image{}", list(.skipped))]
pub struct NoUsableImages {
    pub files: usize,
    pub skipped: Vec<Skipped>,
}

fn list(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let items: Vec<String> = skipped.iter().map(Skipped::to_string).collect();
    format!(" ({})", items.join("; "))
}

/// Whether an image of this size can give base patches of side `base`.
pub fn fits(width: usize, height: usize, base: usize) -> bool {
    width >= base && height >= base
}

/// The photos at least `base` px a side (the others cannot hold a base patch).
pub fn usable(photos: &[Photo], base: usize) -> Vec<&Photo> {
    photos
        .iter()
        .filter(|p| fits(p.width, p.height, base))
        .collect()
}

/// RGBA bytes (row-major, 4 per pixel, as canvas `getImageData` gives them) to an RGB
/// [`Photo`] in [0, 1]; alpha is dropped, as for the bundled PNGs.
pub fn photo_from_rgba(
    name: &str,
    width: usize,
    height: usize,
    rgba: &[u8],
) -> Result<Photo, LocalImageError> {
    check_side(width, height)?;
    let expected = width * height * 4;
    if rgba.len() != expected || expected == 0 {
        return Err(LocalImageError::BadPixels {
            width,
            height,
            got: rgba.len(),
            expected,
        });
    }
    let rgb = rgba
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]].map(|v| v as f32 / 255.0))
        .collect();
    Ok(Photo {
        name: name.to_string(),
        width,
        height,
        rgb,
    })
}

fn check_side(width: usize, height: usize) -> Result<(), LocalImageError> {
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(LocalImageError::TooWide { width, height });
    }
    Ok(())
}

/// Collects the files of one upload: each is checked before it is decoded (file size, then
/// image size) and after (pixels, base patch side); the usable ones become photos.
#[derive(Debug, Default)]
pub struct LocalPhotos {
    base: usize,
    files: usize,
    pixels: usize,
    photos: Vec<Photo>,
    skipped: Vec<Skipped>,
}

impl LocalPhotos {
    /// A collector for images that must hold base patches of side `base`.
    pub fn new(base: usize) -> Self {
        Self {
            base,
            ..Self::default()
        }
    }

    fn skip(&mut self, name: &str, why: LocalImageError) -> Option<String> {
        let message = why.to_string();
        self.skipped.push(Skipped {
            name: name.to_string(),
            why,
        });
        Some(message)
    }

    /// A new file of `bytes` bytes: why it is skipped, or None to go on decoding it.
    pub fn check_file(&mut self, name: &str, bytes: u64) -> Option<String> {
        self.files += 1;
        if bytes > MAX_FILE_BYTES {
            return self.skip(name, LocalImageError::FileTooLarge { bytes });
        }
        if self.photos.len() >= MAX_IMAGES {
            return self.skip(name, LocalImageError::TooMany);
        }
        None
    }

    /// The file did not decode.
    pub fn not_an_image(&mut self, name: &str, reason: &str) {
        let reason = reason.chars().take(120).collect();
        self.skip(name, LocalImageError::NotAnImage { reason });
    }

    /// A PNG file's bytes, after [`LocalPhotos::check_file`] (the command line's own
    /// images): the image's size is checked from its header before its pixels are decoded.
    /// Keeps it as a photo, or says why not.
    pub fn add_png(&mut self, name: &str, bytes: &[u8]) -> Option<String> {
        let not_png = |reason: String| LocalImageError::NotAPng {
            reason: reason.chars().take(120).collect(),
        };
        let (width, height) = match png_size(bytes) {
            Ok(size) => size,
            Err(reason) => return self.skip(name, not_png(reason)),
        };
        if let Some(why) = self.check_size(name, width, height) {
            return Some(why);
        }
        match decode_png(name, bytes) {
            Ok(photo) => {
                self.pixels += width * height;
                self.photos.push(photo);
                None
            }
            Err(e) => self.skip(name, not_png(e.to_string())),
        }
    }

    /// The decoded size of the file: why it is skipped, or None to go on reading its pixels.
    pub fn check_size(&mut self, name: &str, width: usize, height: usize) -> Option<String> {
        if let Err(why) = check_side(width, height) {
            return self.skip(name, why);
        }
        if !fits(width, height, self.base) {
            let base = self.base;
            return self.skip(
                name,
                LocalImageError::TooSmall {
                    width,
                    height,
                    base,
                },
            );
        }
        if self.pixels + width * height > MAX_TOTAL_PIXELS {
            return self.skip(name, LocalImageError::TooManyPixels);
        }
        None
    }

    /// The file's RGBA pixels: keeps it as a photo, or says why not.
    pub fn add_rgba(
        &mut self,
        name: &str,
        width: usize,
        height: usize,
        rgba: &[u8],
    ) -> Option<String> {
        if let Some(why) = self.check_size(name, width, height) {
            return Some(why);
        }
        match photo_from_rgba(name, width, height, rgba) {
            Ok(photo) => {
                self.pixels += width * height;
                self.photos.push(photo);
                None
            }
            Err(why) => self.skip(name, why),
        }
    }

    /// The files skipped so far.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The photos and the skipped files, or an error when no file was usable.
    pub fn finish(self) -> Result<(Vec<Photo>, Vec<Skipped>), NoUsableImages> {
        if self.photos.is_empty() {
            return Err(NoUsableImages {
                files: self.files,
                skipped: self.skipped,
            });
        }
        Ok((self.photos, self.skipped))
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
