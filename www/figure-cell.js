// What the one-call cells (3, the init comparison; 4, symmetry breaking) share around their
// figure: the drawing of their session in the compute worker, the readout, the PNG and SVG
// downloads, the share link and the redraws on resize and on a change of colour scheme.

import { $, showError, download, messageOf } from "./ui.js";
import { registerCell, wireShare } from "./share.js";
import { onThemeChange, darkPlots } from "./theme.js";
import { attachReadout } from "./readout.js";

/** Draws the session of cell `c` (`c.session`, `c.canvas`) with `view`; `c.draws` counts the
 * drawings (the tests watch it). A failure is shown in #<id>-error. */
export async function drawSession(c, id, view = {}) {
  const session = c.session;
  if (!session) return;
  try {
    await session.draw("main", c.canvas, { ...view, dark: darkPlots() });
    c.draws = (c.draws ?? 0) + 1;
    c.readout?.refresh();
  } catch (e) {
    if (session === c.session) showError(`drawing failed: ${messageOf(e)}`, `${id}-error`);
  }
}

/**
 * Wires cell `id`'s figure: `draw()` redraws it, `query(strict)` gives its link, `view()` the
 * drawing options (also of the SVG download), `format` the readout's text.
 */
export function wireFigure(c, id, { draw, query, view = () => ({}), format }) {
  $(`${id}-download-png`).addEventListener("click", () => {
    c.canvas.toBlob((blob) => blob && download(`stepwise-${id}.png`, blob));
  });
  $(`${id}-download-svg`).addEventListener("click", async () => {
    if (!c.session) return;
    try {
      const svg = await c.session.export("svg", view());
      download(`stepwise-${id}.svg`, new Blob([svg], { type: "image/svg+xml" }));
    } catch (e) {
      showError(messageOf(e), `${id}-error`);
    }
  });
  c.readout = attachReadout(c.canvas, (x, y) => c.session?.readout("main", x, y) ?? null, format);
  registerCell(id, query);
  wireShare(id, `${id}-status`);
  new ResizeObserver(() => draw()).observe(c.canvas);
  onThemeChange(draw);
}
