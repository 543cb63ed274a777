// Cell 1's "Python" download: the run as a standalone NumPy script (run_linear.py) with its
// configuration and data (x, x', W(0) as .npy), one ZIP made in wasm.

import { download, showError, messageOf } from "./ui.js";

/** Wires `button` to download the bundle of `session()` (null: nothing to export). */
export function wirePythonExport(button, session) {
  button.addEventListener("click", () => {
    const s = session();
    if (!s) return;
    try {
      const bytes = s.python_bundle();
      download("stepwise-python.zip", new Blob([bytes], { type: "application/zip" }));
    } catch (e) {
      showError(`the Python export failed: ${messageOf(e)}`);
    }
  });
}
