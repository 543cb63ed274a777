// Helpers shared by the browser checks (checks.mjs, cells.mjs).

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Share of non-white pixels of canvas #`id` and of strongly coloured ones (the curves). */
export function canvasInk(page, id = "figure") {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const { data } = window.stepwise.pixels(id);
    let ink = 0;
    let colour = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 245 || g < 245 || b < 245) ink += 1;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colour += 1;
    }
    const n = data.length / 4;
    return { ink: ink / n, colour: colour / n, width: c.width, height: c.height };
  }, id);
}

/** Checks that canvas #`id` has curves on it, drawn at devicePixelRatio 2. */
export async function expectDrawn(page, id = "figure") {
  const ink = await canvasInk(page, id);
  assert(ink.ink > 0.01 && ink.colour > 0.002,
    `the canvas #${id} looks blank: ${(ink.ink * 100).toFixed(2)}% ink, `
    + `${(ink.colour * 100).toFixed(2)}% colour`);
  const css = await page.evaluate((id) => document.getElementById(id).clientWidth, id);
  assert(ink.width === css * 2,
    `the canvas #${id} is not at devicePixelRatio 2: ${ink.width} px for ${css} CSS px`);
  return ink;
}

/** A hash of canvas #`id`'s pixels (every byte: a replay cursor moved by one record may
 * shift by a pixel), to tell whether it was redrawn. */
export function canvasHash(page, id = "figure") {
  return page.evaluate((id) => {
    const { data } = window.stepwise.pixels(id);
    let h = 0;
    for (let i = 0; i < data.length; i += 1) h = (Math.imul(h, 31) + data[i]) >>> 0;
    return h;
  }, id);
}

/** The ids of the cells the page shows. */
export function visibleCells(page) {
  return page.evaluate(() => [...document.querySelectorAll(".cell")]
    .filter((c) => c.offsetParent !== null).map((c) => c.id));
}

/** Waits until the readout of canvas #`id` answered the pointer's last move (the answer
 * comes from the compute worker). */
export function readoutSettled(page, id) {
  return page.waitForFunction((id) => {
    const tip = document.querySelector(`[data-testid=${id}-readout]`);
    return tip && tip.dataset.pending !== "true";
  }, id, { timeout: 5000, polling: 20 });
}

/** Waits (5 s at most) until canvas #`id` differs from the pixel hash `before` (a redraw in
 * the compute worker takes a round trip); the check after it asserts. */
export async function waitRedrawn(page, before, id = "figure") {
  await page.waitForFunction(([id, before]) => {
    const { data } = window.stepwise.pixels(id);
    let h = 0;
    for (let i = 0; i < data.length; i += 1) h = (Math.imul(h, 31) + data[i]) >>> 0;
    return h !== before;
  }, [id, before], { timeout: 5000, polling: 50 }).catch(() => {});
}

/** Waits until the page has built the link a Copy link or Embed click asked for (in the
 * compute worker: `data-linking` on <body> meanwhile). */
export function linkReady(page) {
  return page.waitForFunction(() => document.body.dataset.linking === undefined, null,
    { timeout: 10_000, polling: 20 });
}

/** Waits (10 s at most) until cell `id` is no longer preparing or computing (the worker
 * checks a configuration before a run: its message comes a few ms after the click). */
export function settled(page, id) {
  return page.waitForFunction((id) => !["preparing", "computing"].includes(
    document.getElementById(`cell-${id}`).dataset.state), id, { timeout: 10_000, polling: 20 })
    .catch(() => {});
}

/** The page key that makes a check run on WebGPU in the "webgpu" mode: `backend=auto` picks
 * the faster backend, and on SwiftShader's WebGPU that is the CPU (issue 15). */
export function gpuKey(mode) {
  return mode === "webgpu" ? "&backend=gpu" : "";
}
