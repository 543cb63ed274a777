// Browser checks of cell 1's replay scrubber ("replay") and of the hover readouts on its
// figure ("readout"): every number shown is compared with the run's JSON records.

import { join } from "node:path";

import { assert, canvasHash, readoutSettled } from "./helpers.mjs";

export const RUN_MS = 180_000;
/** Shown values are rounded to six decimals: within 1e-6 of the records. */
const TOL = 1e-6;
/** The cursor's colour (Okabe-Ito vermillion, src/plot/style.rs). */
const CURSOR = [0xd5, 0x5e, 0x00];

async function finishedSmallRun(page, base) {
  await page.goto(`${base}/?preset=small`);
  await page.waitForFunction(
    () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
    null, { timeout: RUN_MS, polling: 100 },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== "finished") {
    throw new Error(`the run ended in state ${state}: ${await page.locator("#error").textContent()}`);
  }
  return JSON.parse(await page.evaluate(() => window.stepwise.resultJson()));
}

/** The numbers after `label` in `text`, up to the next ";" or " · ". */
function numbersAfter(text, label) {
  const at = text.indexOf(label);
  assert(at >= 0, `"${label}" missing in "${text}"`);
  const rest = text.slice(at + label.length).split(/;| · /)[0];
  return rest.split(",").map((s) => Number(s.trim()));
}

/** The first number after `label` in `text`. */
function numberAfter(text, label) {
  const at = text.indexOf(label);
  assert(at >= 0, `"${label}" missing in "${text}"`);
  const m = /^-?[\d.]+(e[+-]?\d+)?/.exec(text.slice(at + label.length));
  assert(m, `no number after "${label}" in "${text}"`);
  return Number(m[0]);
}

/** Relative rounding of a value shown with six significant digits (www/format.js). */
const SHOWN = 5e-6;

/** `got` within TOL of `want`, plus `rel` times |want| (the rounding of shown text). */
export function expectClose(got, want, what, rel = 0) {
  assert(got.length === want.length, `${what}: ${got.length} values for ${want.length}`);
  got.forEach((g, j) => assert(Math.abs(g - want[j]) <= TOL + rel * Math.abs(want[j]),
    `${what}[${j}]: shown ${g}, JSON ${want[j]}`));
}

/** Index of the record with `step` (experiment and theory share record times). */
function recordIndex(result, step) {
  const i = result.records.findIndex((r) => r.step === step);
  assert(i >= 0, `no record at step ${step}`);
  assert(result.theory.records[i].t === result.records[i].t, "theory and experiment times differ");
  return i;
}

/**
 * The readout's key and marker: the swatch shows mode `j`'s palette colour (the loss: the
 * ink, any colour) and the ring is drawn at the point (t, value) mapped through `panel`
 * (within 2 px, CSS pixels). Returns {color, off}.
 */
async function expectKeyAndMarker(page, panel, t, value, j) {
  const seen = await page.evaluate(async () => {
    const canvas = document.getElementById("figure");
    const tip = document.querySelector("[data-testid=figure-readout]");
    const swatch = tip.querySelector(".readout-swatch");
    const marker = document.querySelector("[data-testid=figure-marker]");
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    return {
      color: tip.dataset.color,
      swatch: swatch ? getComputedStyle(swatch).backgroundColor : null,
      palette: await window.stepwise.palette(dark),
      marker: marker.hidden ? null : [Number(marker.dataset.x), Number(marker.dataset.y)],
      scale: [canvas.width / canvas.clientWidth, canvas.height / canvas.clientHeight],
    };
  });
  const hex = (css) => `#${(css.match(/\d+/g) ?? []).slice(0, 3)
    .map((v) => Number(v).toString(16).padStart(2, "0")).join("")}`;
  assert(seen.swatch !== null && hex(seen.swatch) === seen.color,
    `the swatch shows ${seen.swatch}, the readout's colour is ${seen.color}`);
  if (j !== null) {
    const want = seen.palette[(j - 1) % seen.palette.length];
    assert(seen.color === want, `mode ${j}'s swatch is ${seen.color}, its palette colour ${want}`);
  }
  assert(seen.marker !== null, "no marker on the curve");
  const x = xOf(panel, t) / seen.scale[0];
  const y = yOf(panel, value) / seen.scale[1];
  const off = Math.hypot(seen.marker[0] - x, seen.marker[1] - y);
  assert(off <= 2, `marker at ${seen.marker} but the point maps to ${x}, ${y}`);
  return { color: seen.color, off };
}

function layout(page) {
  return page.evaluate(() => window.stepwise.figureLayout("figure"));
}

/** Pixel column of time t on panel p (backing-store pixels). */
function xOf(p, t) {
  const frac = p.log_time ? Math.log(t / p.t0) / Math.log(p.t1 / p.t0) : (t - p.t0) / (p.t1 - p.t0);
  return p.left + frac * (p.right - p.left);
}

function yOf(p, v) {
  return p.bottom + ((v - p.y0) / (p.y1 - p.y0)) * (p.top - p.bottom);
}

/** Whether a pixel within ±2 px of column x, at row y, has the cursor's colour. */
function cursorAt(page, x, y) {
  return page.evaluate(([x, y, want]) => {
    const { data } = window.stepwise.pixels("figure", Math.round(x) - 2, Math.round(y), 5, 1);
    for (let i = 0; i < data.length; i += 4) {
      if (want.every((w, k) => Math.abs(data[i + k] - w) < 40)) return true;
    }
    return false;
  }, [x, y, CURSOR]);
}

async function checkState(page, result) {
  const text = await page.locator("#replay-state").textContent();
  const step = Number(await page.locator("#replay-state").getAttribute("data-step"));
  const i = recordIndex(result, step);
  const value = Number(await page.locator("#replay-time").inputValue());
  assert(value === i, `the scrubber is at record ${value} but the state shows record ${i}`);
  const t = Number(await page.locator("#replay-state").getAttribute("data-t"));
  assert(Math.abs(t - result.records[i].t) <= TOL * Math.max(1, t), `t ${t} vs ${result.records[i].t}`);
  expectClose(numbersAfter(text, "λ (experiment): "), result.records[i].eigenvalues, "eigenvalues",
    SHOWN);
  expectClose(numbersAfter(text, "λ (theory): "), result.theory.records[i].eigenvalues, "theory",
    SHOWN);
  expectClose([numberAfter(text, "· loss ")], [result.records[i].loss], "loss", SHOWN);
  expectClose([numberAfter(text, "(theory ")], [result.theory.records[i].loss], "theory loss",
    SHOWN);
  assert(!/(^|[^\d.e])-0(\.0*)?(?![\d.e])/.test(text), `a negative zero in "${text}"`);
  return { i, t, text };
}

async function scrubTo(page, index) {
  await page.locator("#replay-time").fill(String(index));
  await shownRecord(page, index);
}

/** Waits until the scrubber is at record `index` and the figure, the state and cell 2 show
 * it (they come from the compute worker). */
async function shownRecord(page, index) {
  await page.waitForFunction((i) => document.getElementById("replay-time").value === String(i)
    && document.getElementById("replay-state").dataset.index === String(i),
  index, { timeout: 5000 });
}

async function hover(page, x, y) {
  await page.locator("#figure").scrollIntoViewIfNeeded();
  const box = await page.locator("#figure").boundingBox();
  const { scale, border } = await page.evaluate(() => {
    const c = document.getElementById("figure");
    return { scale: c.width / c.clientWidth, border: c.clientLeft };
  });
  await page.mouse.move(box.x + border + x / scale, box.y + border + y / scale);
  await readoutSettled(page, "figure");
  const tip = page.locator("[data-testid=figure-readout]");
  await tip.waitFor({ state: "visible", timeout: 5000 });
  const data = await tip.evaluate((el) => ({ ...el.dataset, text: el.textContent }));
  return data;
}

export const replayChecks = {
  async replay({ page, mode, base, outDir }) {
    const result = await finishedSmallRun(page, base);
    const n = result.records.length;
    assert(await page.locator("#replay").isVisible(), "no scrubber after a finished run");
    assert(await page.locator("#replay-time").isEnabled(), "the scrubber is disabled");
    const max = Number(await page.locator("#replay-time").getAttribute("max"));
    assert(max === n - 1, `the scrubber spans ${max + 1} records of ${n}`);
    const before = await canvasHash(page);
    await scrubTo(page, Math.round(n / 3));
    const first = await checkState(page, result);
    const afterFirst = await canvasHash(page);
    assert(afterFirst !== before, "moving the scrubber did not redraw the figure");
    const panels = (await layout(page)).panels;
    for (const p of panels) {
      const mid = (p.top + p.bottom) / 2;
      assert(await cursorAt(page, xOf(p, first.t), mid), `no cursor at t = ${first.t} in a ${p.kind} panel`);
    }
    // the arrow keys move the native range input one record
    await page.locator("#replay-time").focus();
    const drawMs = () => page.evaluate(() => window.stepwise.cell.drawMs);
    const drawnBefore = await drawMs();
    await page.keyboard.press("ArrowRight");
    await shownRecord(page, first.i + 1).catch(() => {});
    const second = await checkState(page, result);
    assert(second.i === first.i + 1, `ArrowRight moved from record ${first.i} to ${second.i}`);
    // one record is about a pixel of the time axis: the cursor is drawn at the new record's
    // time (the canvas may not change when that rounds to the same pixel column)
    for (const p of panels) {
      const mid = (p.top + p.bottom) / 2;
      assert(await cursorAt(page, xOf(p, second.t), mid),
        `the cursor did not move with the arrow key to t = ${second.t} in a ${p.kind} panel`);
    }
    assert(await drawMs() > drawnBefore, "the arrow key did not redraw the figure");
    const moved = await canvasHash(page) !== afterFirst;
    const snaps = await page.evaluate(() => window.stepwise.call("stepwise", "snapshot_count"));
    assert(snaps >= 3 && snaps <= 64, `${snaps} W snapshots`);
    const dirs = await page.locator("#directions-status").textContent();
    assert(/^Replay, W at step [\d,]+ /.test(dirs), `cell 2 does not follow the replay: "${dirs}"`);
    await page.locator("#cell-stepwise").screenshot({ path: join(outDir, `replay-${mode}.png`) });
    await page.locator("#cell-kernel-pca").screenshot({ path: join(outDir, `replay-${mode}-directions.png`) });
    // play at 4x to the end, then with reduced motion (jumps)
    await page.selectOption("#replay-speed", "4");
    for (const motion of ["no-preference", "reduce"]) {
      await page.emulateMedia({ reducedMotion: motion });
      await scrubTo(page, 0);
      await page.click("#replay-play");
      assert(await page.locator("#replay-play").getAttribute("aria-pressed") === "true", "Play not pressed");
      await page.waitForFunction((m) => document.getElementById("replay-time").value === String(m),
        n - 1, { timeout: 20_000 });
      await page.waitForFunction(() => document.getElementById("replay-play").textContent === "Play replay",
        null, { timeout: 5000 });
      await shownRecord(page, n - 1);
      await checkState(page, result);
    }
    // a new run clears the replay
    await page.click("#reset");
    await page.waitForFunction(() => document.body.dataset.state === "paused", null, { timeout: RUN_MS });
    assert(await page.locator("#replay").isHidden(), "the scrubber stays after a reset");
    assert((await page.locator("#replay-state").textContent()) === "", "the replay state stays");
    // a paused run with records can be replayed too: Step makes a second record
    await page.click("#step");
    await page.waitForFunction(() => window.stepwise.cell.session.progress.records === 2,
      null, { timeout: RUN_MS });
    await page.locator("#replay").waitFor({ state: "visible", timeout: 5000 });
    const pausedMax = await page.locator("#replay-time").getAttribute("max");
    assert(pausedMax === "1", `after one Step the scrubber spans records 0..${pausedMax}`);
    return { summary: `${n} records, ${snaps} W snapshots; cursor at t = ${first.t.toPrecision(4)}`
      + `${moved ? "" : " (one record: the same pixel column)"}` };
  },

  async readout({ page, mode, base, outDir }) {
    const result = await finishedSmallRun(page, base);
    const n = result.records.length;
    const { panels } = await layout(page);
    assert(panels.length === 2 && panels[0].kind === "loss" && panels[1].kind === "modes",
      `layout ${JSON.stringify(panels)}`);
    // the last mode halfway through its step: the pointer on its curve
    const want = result.records[0].eigenvalues.length;
    const k = result.records.findIndex((r) => r.eigenvalues[want - 1] > 0.5);
    assert(k > 0, `mode ${want} never gets halfway`);
    const rec = result.records[k];
    const eig = panels[1];
    const tip = await hover(page, xOf(eig, rec.t), yOf(eig, rec.eigenvalues[want - 1]));
    const i = recordIndex(result, Number(tip.step));
    assert(Math.abs(i - k) <= 3, `hovered record ${k}, readout at record ${i}`);
    assert(Number(tip.t) === result.records[i].t, `readout t ${tip.t} vs ${result.records[i].t}`);
    const j = Number(tip.mode);
    assert(j === want, `the pointer is on mode ${want}'s curve, the readout says mode ${tip.mode}`);
    expectClose([Number(tip.experiment)], [result.records[i].eigenvalues[j - 1]], "experiment");
    expectClose([Number(tip.theory)], [result.theory.records[i].eigenvalues[j - 1]], "theory");
    assert(tip.text.includes(`mode ${j}: experiment `), `readout text "${tip.text}"`);
    expectClose([numberAfter(tip.text, "experiment ")], [result.records[i].eigenvalues[j - 1]], "text",
      SHOWN);
    expectClose([numberAfter(tip.text, "theory ")], [result.theory.records[i].eigenvalues[j - 1]], "text",
      SHOWN);
    const key = await expectKeyAndMarker(page, eig, result.records[i].t,
      result.records[i].eigenvalues[j - 1], j);
    await page.locator("#cell-stepwise").screenshot({ path: join(outDir, `readout-${mode}.png`) });
    const loss = panels[0];
    const lossTip = await hover(page, xOf(loss, rec.t), (loss.top + loss.bottom) / 2);
    const li = recordIndex(result, Number(lossTip.step));
    assert(lossTip.mode === "", `a mode on the loss panel: ${lossTip.mode}`);
    expectClose([Number(lossTip.experiment)], [result.records[li].loss], "loss");
    expectClose([Number(lossTip.theory)], [result.theory.records[li].loss], "theory loss");
    assert(/^t = [\d.e+-]+ \(step \d+\) · loss: /.test(lossTip.text), `loss text "${lossTip.text}"`);
    const lossKey = await expectKeyAndMarker(page, loss, result.records[li].t, result.records[li].loss,
      null);
    await page.mouse.move(2, 2);
    await page.locator("[data-testid=figure-readout]").waitFor({ state: "hidden", timeout: 5000 });
    // keyboard: focusing the figure shows a readout, the arrows move it
    await page.locator("#figure").focus();
    const tipLoc = page.locator("[data-testid=figure-readout]");
    await tipLoc.waitFor({ state: "visible", timeout: 5000 });
    await readoutSettled(page, "figure");
    const t0 = Number(await tipLoc.getAttribute("data-t"));
    await page.keyboard.press("ArrowRight");
    await readoutSettled(page, "figure");
    await tipLoc.waitFor({ state: "visible", timeout: 5000 });
    const t1 = Number(await tipLoc.getAttribute("data-t"));
    assert(t1 > t0, `ArrowRight moved the readout from t = ${t0} to ${t1}`);
    const keyTip = await tipLoc.evaluate((el) => ({ ...el.dataset }));
    const keyPanel = panels[Number(keyTip.panel)];
    await expectKeyAndMarker(page, keyPanel, Number(keyTip.t), Number(keyTip.experiment),
      keyTip.mode === "" ? null : Number(keyTip.mode));
    await page.locator("#cell-stepwise").screenshot({ path: join(outDir, `readout-${mode}-keyboard.png`) });
    return { summary: `mode ${j} at t = ${Number(tip.t).toPrecision(4)}; loss at record ${li}; `
      + `key ${key.color}, marker off by ${key.off.toFixed(2)} px (loss ${lossKey.off.toFixed(2)} px)` };
  },
};
