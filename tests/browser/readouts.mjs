// Browser checks of the hover readouts of the later cells ("readout-cells": init,
// symmetry and the hidden-representation MLP cell; "readout-appg": the comparison of
// App. G), each value compared with the cell's JSON or its closed form.

import { join } from "node:path";

import { assert, readoutSettled } from "./helpers.mjs";
import { expectClose, RUN_MS } from "./replay.mjs";

/** Hovers canvas #`id` at fractions (fx, fy) of its size; the readout's data and text. */
async function hoverAt(page, id, fx, fy) {
  const canvas = page.locator(`#${id}`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
  await readoutSettled(page, id);
  const tip = page.locator(`[data-testid=${id}-readout]`);
  await tip.waitFor({ state: "visible", timeout: 5000 });
  return tip.evaluate((el) => ({ ...el.dataset, text: el.textContent }));
}

/** The readouts of the hidden-representation (MLP) cell, against its JSON. */
async function mlpReadouts(page) {
  await page.click("#hidden-run");
  await page.waitForFunction(() => ["finished", "error"].includes(
    document.getElementById("cell-hidden").dataset.state), null, { timeout: RUN_MS, polling: 50 });
  const r = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("hidden", "json")));
  // panel A: the hidden spectrum's rate of change Σ_k |Δλ_k|/λ_k / Δt between two hidden
  // records, drawn at the middle of their interval
  const rate = await hoverAt(page, "hidden-figure", 0.6 / 2, 0.5);
  const t = Number(rate.t);
  const pair = r.hidden.slice(1).map((q, i) => [r.hidden[i], q])
    .find(([a, b]) => b.t > a.t && Math.abs(0.5 * (a.t + b.t) - t) <= 1e-6 * Math.max(1, t));
  assert(rate.panel === "0" && rate.mode === "1" && pair && rate.theory === "",
    `hidden rate readout ${JSON.stringify(rate)}`);
  const [a, b] = pair;
  const change = a.eigenvalues.reduce((s, p, k) => (p > 0 ? s + Math.abs(b.eigenvalues[k] - p) / p : s), 0);
  expectClose([Number(rate.experiment) / (change / (b.t - a.t))], [1], "hidden rate (relative)");
  return `hidden cell: rate ${Number(rate.experiment).toPrecision(3)} at t = ${t.toPrecision(3)}`;
}

/** A number as the page shows it (www/format.js): sign, digits, an exponent when needed. */
const NUM = "-?[\\d.]+(?:e[+-]\\d+)?";

/** The readouts of the init cell: random vs aligned, within the cell's max gap. */
async function initReadouts(page) {
  // the page computes the cell by itself only once it is in view (www/scheduler.js)
  await page.locator("#cell-init").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.getElementById("cell-init").dataset.state === "done",
    null, { timeout: RUN_MS });
  const gap = Number(await page.locator("#init-gap").getAttribute("data-gap"));
  const a = await hoverAt(page, "init-figure", 0.6 / 2, 0.5);
  assert(a.panel === "0" && new RegExp(`mode \\d+: random ${NUM}, aligned ${NUM}$`).test(a.text),
    `init panel A readout "${a.text}"`);
  assert(Math.abs(Number(a.experiment) - Number(a.theory)) <= gap + 1e-12,
    `random ${a.experiment} and aligned ${a.theory} differ by more than ${gap}`);
  const b = await hoverAt(page, "init-figure", 1.6 / 2, 0.5);
  assert(b.panel === "1" && new RegExp(`mode \\d+: random − aligned ${NUM}$`).test(b.text),
    `init panel B readout "${b.text}"`);
  assert(Math.abs(Number(b.experiment)) <= gap + 1e-12, `gap ${b.experiment} > ${gap}`);
  return "init cell: both panels";
}

/** The readouts of the symmetry cell: the losses (1 − γs²)² and (1 − γc)² at the pointer. */
async function symmetryReadouts(page) {
  await page.waitForFunction(() => document.getElementById("cell-symmetry").dataset.state
    === "drawn", null, { timeout: RUN_MS });
  const gammas = await page.evaluate(() => window.stepwise.symmetryCell.summary.modes
    .map((m) => m.gamma));
  const a = await hoverAt(page, "symmetry-figure", 0.62 / 2, 0.4);
  const g = gammas[Number(a.mode) - 1];
  const s = Number(a.t);
  assert(a.panel === "0" && g !== undefined && a.text.includes(`γ = ${g}: SSL loss `),
    `symmetry panel A readout "${a.text}"`);
  expectClose([Number(a.experiment), Number(a.theory)], [(1 - g * s * s) ** 2, (1 - g * s) ** 2],
    `losses at s = ${s}, γ = ${g}`);
  const b = await hoverAt(page, "symmetry-figure", 1.6 / 2, 0.5);
  assert(b.panel === "1" && new RegExp(`^t = ${NUM} · γ = [\\d.]+: SSL rescaled ${NUM}, `
    + `supervised ${NUM}$`).test(b.text), `symmetry panel B readout "${b.text}"`);
  return `symmetry cell: loss at s = ${s.toPrecision(3)}, γ = ${g}`;
}

/** App. G's comparison (short, on the CPU): a variant panel against the JSON rows. */
async function appgReadouts(page) {
  await page.click("#appg-run");
  await page.waitForFunction(() => ["finished", "error"].includes(
    document.getElementById("cell-appg").dataset.state), null, { timeout: RUN_MS, polling: 50 });
  const r = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("appg", "json_curves")));
  const rows = r.rows.filter((q) => q.policy === "equal");
  const base = rows.find((q) => q.variant === "baseline");
  assert(base && rows.length >= 2, `rows ${rows.map((q) => q.variant)}`);
  // panels on a grid of 2 x 3 (five variants and the bars): the second variant's panel
  const tip = await hoverAt(page, "appg-figure", 1.55 / 3, 0.3);
  const step = Number(tip.step);
  const j = Number(tip.mode);
  assert(tip.panel === "1" && j >= 1 && Number(tip.t) === step, `App. G readout ${JSON.stringify(tip)}`);
  assert(new RegExp(`^step [\\d,]+ · mode ${j}: this variant [\\d.-]+, baseline [\\d.-]+$`).test(tip.text),
    `App. G readout text "${tip.text}"`);
  const at = (row) => row.records.find((q) => q.step === step)?.eigenvalues[j - 1];
  expectClose([Number(tip.theory)], [at(base)], "baseline λ");
  const matches = rows.filter((q) => q !== base && Math.abs(at(q) - Number(tip.experiment)) <= 1e-6);
  assert(matches.length >= 1, `no variant has λ_${j} = ${tip.experiment} at step ${step}`);
  const bars = await barReadouts(page, rows);
  return `App. G: mode ${j} at step ${step}; ${bars}`;
}

/** App. G's bar panel (bottom right of the grid), swept top to bottom: each variant's bar
 * reads its own row of the JSON. */
async function barReadouts(page, rows) {
  const canvas = page.locator("#appg-figure");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const tip = page.locator("[data-testid=appg-figure-readout]");
  const seen = [];
  for (let fy = 0.5; fy < 1; fy += 0.005) {
    await page.mouse.move(box.x + (2.5 / 3) * box.width, box.y + fy * box.height);
    await readoutSettled(page, "appg-figure");
    const r = await tip.evaluate((el) => (el.hidden ? null : { ...el.dataset, text: el.textContent }));
    if (r?.kind === "bars" && seen.at(-1)?.variant !== r.variant) seen.push({ ...r, fy });
  }
  const order = seen.map((r) => r.variant);
  const expected = rows.map((q) => q.variant);
  assert(JSON.stringify(order) === JSON.stringify(expected),
    `bars read top to bottom: ${order} (rows ${expected})`);
  const base = rows.find((q) => q.variant === "baseline");
  for (const r of seen) {
    const row = rows.find((q) => q.variant === r.variant);
    const steps = (n) => (n == null ? "never" : `step ${n.toLocaleString("en-US")}`);
    const text = `${r.variant}, baseline's η ${row.eta.toExponential(3)}: every mode learned at `
      + `${steps(row.steps_to_all)}, baseline at ${steps(base.steps_to_all)} · `;
    assert(r.policy === "equal" && r.text.startsWith(text), `bar readout "${r.text}", expected "${text}…"`);
    if (row.speedup != null) {
      assert(r.text.endsWith(`${row.speedup.toFixed(2)}x`), `bar label in "${r.text}"`);
    }
  }
  // leave the pointer on the second bar, for the cell's screenshot
  await page.mouse.move(box.x + (2.5 / 3) * box.width, box.y + (seen[1]?.fy ?? 0.75) * box.height);
  return `${seen.length} bars`;
}

export const readoutChecks = {
  async "readout-cells"({ page, mode, base, outDir }) {
    await page.goto(`${base}/?preset=planted&hidden.preset=mlp-small-bt`);
    const init = await initReadouts(page);
    await page.locator("#cell-init").screenshot({ path: join(outDir, `readout-${mode}-init.png`) });
    const symmetry = await symmetryReadouts(page);
    await page.locator("#cell-symmetry").screenshot({ path: join(outDir, `readout-${mode}-symmetry.png`) });
    const mlp = await mlpReadouts(page);
    await page.locator("#cell-hidden").screenshot({ path: join(outDir, `readout-${mode}-hidden.png`) });
    return { summary: `${init}; ${symmetry}; ${mlp}` };
  },

  async "readout-appg"({ page, mode, base, outDir }) {
    const sets = ["preset=planted", "run.steps=400", "run.init_scale=0.001", "run.lr=0.005",
      "eta=equal"].map((s) => `appg.${s}`).join("&");
    await page.goto(`${base}/?preset=planted&backend=cpu&${sets}`);
    const summary = await appgReadouts(page);
    await page.locator("#cell-appg").screenshot({ path: join(outDir, `readout-${mode}-appg.png`) });
    return { summary };
  },
};
