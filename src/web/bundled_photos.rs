//! The bundled photos as the browser decodes them: the page fetches www/data/*.png while it
//! loads and hands their pixels over, so a run cuts its patches from them instead of
//! decoding the PNG bytes in wasm (the browser's decoder is native code, and the wasm
//! decoder's functions would otherwise queue for the optimizing compiler ahead of Γ's
//! matmul on the first run). The pixels are the same: the PNGs are 8-bit RGB without colour
//! chunks; every browser check that compares a run with the CLI's (tests/browser/checks.mjs)
//! compares their data digests too.

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::data::local::photo_from_rgba;
use crate::data::photos::{self, Photo};

/// The bundled photos being collected, in the order of [`bundled_photo_names`].
#[wasm_bindgen]
#[derive(Default)]
pub struct BundledPhotoSet {
    photos: Vec<Photo>,
}

#[wasm_bindgen]
impl BundledPhotoSet {
    #[wasm_bindgen(constructor)]
    pub fn new() -> BundledPhotoSet {
        BundledPhotoSet::default()
    }

    /// One photo's RGBA pixels (`getImageData`); throws on a size mismatch.
    pub fn add_rgba(
        &mut self,
        name: &str,
        width: u32,
        height: u32,
        rgba: &[u8],
    ) -> Result<(), JsValue> {
        let photo =
            photo_from_rgba(name, width as usize, height as usize, rgba).map_err(js_error)?;
        self.photos.push(photo);
        Ok(())
    }
}

/// The bundled photos' names (the files are `www/data/<name>.png`), in order.
#[wasm_bindgen]
pub fn bundled_photo_names() -> Vec<String> {
    photos::bundled_names().map(String::from).to_vec()
}

/// Makes `set` the bundled photos of every later run; false when it is not the whole set
/// in order, or when a run has decoded them already (those stay).
#[wasm_bindgen]
pub fn provide_bundled_photos(set: BundledPhotoSet) -> bool {
    photos::provide_bundled(set.photos)
}
