//! The visitor's own images for the first cell: the page decodes each file to RGBA and hands
//! it to a [`LocalPhotoSet`]; once accepted, the photos stay in this thread's memory (never
//! sent anywhere) and every new linear session cuts its photo patches from them.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::data::local::{self, LocalPhotos};
use crate::data::photos::Photo;
use crate::experiment::mlp::{MlpConfig, MlpSetup};
use crate::experiment::{prepare_with_photos, Prepared, RunConfig, RunError};

thread_local! {
    /// The photos in use, or None for the bundled ones.
    static ACTIVE: RefCell<Option<Rc<Vec<Photo>>>> = const { RefCell::new(None) };
}

/// The photos new sessions use instead of the bundled ones, if any.
pub(super) fn active() -> Option<Rc<Vec<Photo>>> {
    ACTIVE.with(|a| a.borrow().clone())
}

/// `cfg` prepared on the photos in use: the visitor's when there are any, else the bundled.
pub(super) fn prepare_on_active(cfg: &RunConfig) -> Result<Prepared, RunError> {
    let photos = active();
    prepare_with_photos(cfg, photos.as_deref().map(Vec::as_slice))
}

/// The data and weights of the MLP run `cfg` on the photos in use (see
/// [`prepare_on_active`]).
pub(super) fn mlp_setup_on_active(cfg: &MlpConfig) -> Result<MlpSetup, RunError> {
    let photos = active();
    MlpSetup::with_photos(cfg, photos.as_deref().map(Vec::as_slice))
}

/// Notices about the active photos for a run with base patches of side `base`: those too
/// small for it are left out.
pub(super) fn notices(photos: &[Photo], base: usize) -> Vec<String> {
    let small: Vec<&str> = photos
        .iter()
        .filter(|p| !local::fits(p.width, p.height, base))
        .map(|p| p.name.as_str())
        .collect();
    if small.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "left out of this run, smaller than the base patch ({base} px a side): {}",
        small.join(", ")
    )]
}

/// One upload being collected: see the checks of [`LocalPhotos`].
#[wasm_bindgen]
pub struct LocalPhotoSet {
    inner: LocalPhotos,
}

#[derive(Serialize)]
struct Report {
    used: usize,
    skipped: Vec<String>,
}

#[wasm_bindgen]
impl LocalPhotoSet {
    /// An upload for runs with base patches of side `base` (smaller images are skipped).
    #[wasm_bindgen(constructor)]
    pub fn new(base: u32) -> LocalPhotoSet {
        LocalPhotoSet {
            inner: LocalPhotos::new(base as usize),
        }
    }

    /// A new file of `bytes` bytes: why it is skipped, or undefined to decode it.
    pub fn check_file(&mut self, name: &str, bytes: f64) -> Option<String> {
        let bytes = if bytes.is_finite() && bytes >= 0.0 {
            bytes as u64
        } else {
            u64::MAX
        };
        self.inner.check_file(name, bytes)
    }

    /// The file could not be decoded.
    pub fn not_an_image(&mut self, name: &str, reason: &str) {
        self.inner.not_an_image(name, reason);
    }

    /// The decoded size: why the file is skipped, or undefined to read its pixels.
    pub fn check_size(&mut self, name: &str, width: u32, height: u32) -> Option<String> {
        self.inner.check_size(name, width as usize, height as usize)
    }

    /// The file's RGBA pixels (`getImageData`): undefined when kept, else why not.
    pub fn add_rgba(&mut self, name: &str, width: u32, height: u32, rgba: &[u8]) -> Option<String> {
        self.inner
            .add_rgba(name, width as usize, height as usize, rgba)
    }
}

/// Makes the photos of `set` the ones new sessions use; resolves to JSON text
/// `{used, skipped: ["name: why", …]}`. Throws (listing every file) when none is usable,
/// and then the photos in use stay as they were.
#[wasm_bindgen]
pub fn use_local_photos(set: LocalPhotoSet) -> Result<String, JsValue> {
    let (photos, skipped) = set.inner.finish().map_err(js_error)?;
    let report = Report {
        used: photos.len(),
        skipped: skipped.iter().map(ToString::to_string).collect(),
    };
    ACTIVE.with(|a| *a.borrow_mut() = Some(Rc::new(photos)));
    serde_json::to_string(&report).map_err(js_error)
}

/// Back to the bundled photos.
#[wasm_bindgen]
pub fn clear_local_photos() {
    ACTIVE.with(|a| *a.borrow_mut() = None);
}

/// How many of the visitor's photos are in use (0: the bundled ones).
#[wasm_bindgen]
pub fn local_photo_count() -> u32 {
    active().map_or(0, |p| p.len() as u32)
}
