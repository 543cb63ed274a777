// The download buttons of a running cell (runner.js): the figure as PNG (the canvas as
// shown), and the session's exports from the compute worker (SVG, JSON, CSV, the Python
// bundle), with the figure's view (log time axis, η policy) applied.

import { showError, download, messageOf } from "./ui.js";

/** The download buttons of a cell unless its spec says otherwise: [format, file suffix]. */
export const DOWNLOADS = {
  "download-png": ["png", ".png"],
  "download-svg": ["svg", ".svg"],
  "download-json": ["json", ".json"],
};

/** The MIME type of each export format. */
const TYPES = { svg: "image/svg+xml", hidden_svg: "image/svg+xml", probes_svg: "image/svg+xml",
  histogram_svg: "image/svg+xml", json: "application/json",
  json_curves: "application/json", csv: "text/csv", python: "application/zip" };

/** What an export of `c`'s session in `format` gives, as a Blob. */
async function exported(c, format) {
  const view = c.spec.view?.(c) ?? {};
  const data = await c.session.export(format, {
    log_time: Boolean(view.log_time), policy: view.policy ?? null,
  });
  return new Blob([data], { type: TYPES[format] });
}

/**
 * Wires cell `c`'s download buttons: `downloads` maps a button's name (`el(name)`) to
 * [format, file suffix] (after `c.spec.fileBase`); failures are shown in #`errorId`.
 */
export function wireDownloads(c, downloads, el, errorId) {
  for (const [name, [format, suffix]] of Object.entries(downloads)) {
    const file = `${c.spec.fileBase}${suffix}`;
    el(name).addEventListener("click", async () => {
      if (!c.session) return;
      if (format === "png") {
        c.canvas.toBlob((blob) => blob && download(file, blob));
        return;
      }
      try {
        download(file, await exported(c, format));
      } catch (e) {
        const what = format === "python" ? "the Python export failed: " : "";
        showError(`${what}${messageOf(e)}`, errorId);
      }
    });
  }
}
