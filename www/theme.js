// The reader's display preferences: dark mode for the figures (prefers-color-scheme, passed
// to the worker with each drawing: `view.dark`) and fewer redraws under
// prefers-reduced-motion.

/** Under reduced motion a running cell redraws its figure at most this often (ms). */
const REDUCED_DRAW_MS = 1000;

const listeners = [];
const lastDraw = new Map();
const darkQuery = matchMedia("(prefers-color-scheme: dark)");
const motionQuery = matchMedia("(prefers-reduced-motion: reduce)");

/** Whether the figures are drawn light on dark now. */
export function darkPlots() {
  return darkQuery.matches;
}

/** Calls `redraw` whenever the colour scheme changes (each cell passes its draw). */
export function onThemeChange(redraw) {
  listeners.push(redraw);
}

/** Follows the reader's colour scheme from now on: every figure is redrawn in it. */
export function setupTheme() {
  darkQuery.addEventListener("change", () => {
    for (const redraw of listeners) redraw();
  });
}

/** Whether a running cell (`key`) should redraw its live figure now: always, except under
 * prefers-reduced-motion, where it redraws once every REDUCED_DRAW_MS. */
export function redrawDue(key) {
  if (!motionQuery.matches) return true;
  const now = performance.now();
  if (now - (lastDraw.get(key) ?? -Infinity) < REDUCED_DRAW_MS) return false;
  lastDraw.set(key, now);
  return true;
}
