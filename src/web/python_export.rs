//! Cell 1's "Python" download: the run as a standalone NumPy script with its data, zipped
//! (see `experiment::python_export`).

use wasm_bindgen::prelude::*;

use super::js_error;
use super::session::LinearSession;
use crate::experiment::python_export::python_bundle_zip;

#[wasm_bindgen]
impl LinearSession {
    /// The prepared run (resolved configuration, the data as used, W(0)) as a ZIP archive
    /// whose files lie in `stepwise-python/`: `run_linear.py`, `config.json`, `export.json`
    /// and `x.npy`, `x_prime.npy`, `w0.npy`.
    pub fn python_bundle(&self) -> Result<Vec<u8>, JsValue> {
        let prep = self.prepared()?;
        python_bundle_zip(&prep).map_err(js_error)
    }
}
