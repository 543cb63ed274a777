// Browser checks of the deep cells, "Deep networks learn in steps too" (#cell-deep) and
// "Hidden representations and probes" (#cell-probes). Same contract as checks.mjs. Each runs
// the smallest CPU preset, shortened to STEPS steps so that a mode stays under a minute, to
// the end; compares the page's result with the CLI's `stepwise run` of the same preset; and
// asserts that no main-thread task from the click on Run to the end took over 50 ms
// (longtask.mjs's monitor: the run computes in the worker; the page's load is longtask-load's).
// `deep-losses` does the same comparison for SimCLR and VICReg (LOSS_STEPS steps each of
// their small presets), so that all three losses are checked.
// On the CPU the training series must be the CLI's bits (docs/deep.md §6). In the webgpu
// mode `backend=auto` runs the cell on the CPU (SwiftShader is slower at this size, by the
// cost model); deep-gpu.mjs forces WebGPU for the deep cell (`deep.backend=gpu`) and
// compares it with the CLI within its own tolerance.

import { join } from "node:path";

import { assert, expectDrawn, canvasHash, waitRedrawn, linkReady } from "./helpers.mjs";
import { nativeResult } from "./native.mjs";
import { waitCell, runToEnd, expectBackend } from "./mlp.mjs";
import { monitor, summary as longTasks } from "./longtask.mjs";

const PRESET = "resnet-bt-small";
const STEPS = 40;
/** The other two losses' small presets, and their (shorter) runs in `deep-losses`. */
const LOSS_PRESETS = ["resnet-vicreg-small", "resnet-simclr-small"];
const LOSS_STEPS = 10;
/** Longest main-thread task allowed during a run; LONGTASK_LIMIT_MS as in longtask.mjs. */
const LIMIT_MS = Number(process.env.LONGTASK_LIMIT_MS ?? 50);
/** Largest |Δ| / max(1, |CLI value|) allowed between the page's and the CLI's numbers, for
 * the training series (the loss of every record) and for the read-outs (embedding and hidden
 * eigenvalues, probe accuracies, RankMe). On the CPU the training series is exact: the same
 * f32 code, with sums in one fixed order and `libm`'s transcendentals, gives the same bits in
 * wasm and natively (docs/deep.md §6; before, faer's matmul summed in another order in wasm
 * than with AVX, and 40 steps amplified it to 3.5e-4 on the loss). The read-outs come from
 * faer's f64 eigensolver and products, whose kernels still differ between simd128 and AVX2 in
 * the last bits (never fed back into training): 1e-10. Measured: 4e-15 for Barlow Twins;
 * 8.4e-12 for VICReg's RankMe, which sums p log p over eigenvalues down to ~1e-16 of the
 * largest, where the solver's rounding is a large part of each. WebGPU sums in yet another
 * order. */
export const TOLERANCE = {
  cpu: { loss: 0, readout: 1e-10 },
  webgpu: { loss: 2e-2, readout: 2e-2 },
};

/** The cell's result JSON (the CLI's schema). */
async function result(page, id) {
  const text = await page.evaluate((id) => window.stepwise.exportOf(id, "json"), id);
  assert(text, `the ${id} cell has no result`);
  return JSON.parse(text);
}

/** Largest |a − b| / max(1, |b|) over the two results' records of every tracked series,
 * after checking they line up: {loss, readout}, each {gap, where}; `loss` covers the loss of
 * every record, `readout` the rest (embedding and hidden eigenvalues, probe accuracies,
 * RankMe). The JSON numbers are compared as parsed: a gap of 0 means the same f64. */
export function largestGaps(web, cli) {
  const gaps = { loss: { gap: 0, where: "" }, readout: { gap: 0, where: "" } };
  const near = (a, b, what, kind) => {
    assert(Number.isFinite(a) === Number.isFinite(b), `${what}: page ${a} vs CLI ${b}`);
    const d = a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (Number.isFinite(a) && d > gaps[kind].gap) gaps[kind] = { gap: d, where: what };
  };
  for (const key of ["records", "hidden", "probe", "rank"]) {
    const [a, b] = [web[key], cli[key]];
    assert(a.length === b.length && a.length > 1, `${key}: ${a.length} records vs ${b.length}`);
    a.forEach((r, k) => {
      assert(r.step === b[k].step, `${key}[${k}]: step ${r.step} vs ${b[k].step}`);
      for (const f of ["loss", "embedding", "hidden"]) {
        if (f in r) near(r[f], b[k][f], `${key}[${k}].${f}`, f === "loss" ? "loss" : "readout");
      }
      (r.eigenvalues ?? []).forEach((v, j) =>
        near(v, b[k].eigenvalues[j], `${key}[${k}].λ${j}`, "readout"));
    });
  }
  return gaps;
}

/** Asserts that `web` and `cli` differ by no more than `limits` ({loss, readout}); returns
 * the gaps. */
export function withinTolerance(web, cli, limits, what) {
  const gaps = largestGaps(web, cli);
  for (const [kind, { gap, where }] of Object.entries(gaps)) {
    assert(gap <= limits[kind], `${what}: the page's ${kind} differs from the CLI's `
      + `by ${gap} > ${limits[kind]} at ${where} (${web.backend} vs ${cli.backend})`);
  }
  return gaps;
}

/** Asserts that no main-thread task since `runAt` (performance.now()) took over LIMIT_MS;
 * returns the longest one's milliseconds. */
export async function noLongTasks(page, runAt) {
  const { log } = await longTasks(page);
  const during = log.tasks.filter((t) => t.start >= runAt);
  const longest = during.reduce((m, t) => Math.max(m, t.ms), 0);
  const over = during.filter((t) => t.ms > LIMIT_MS);
  assert(over.length === 0, `${over.length} main-thread tasks over ${LIMIT_MS} ms during the `
    + `run (longest ${longest.toFixed(0)} ms)`);
  return longest;
}

/** Runs cell `id` of a fresh page on `preset` for `steps` steps; returns its result, what
 * the page and the CLI differ by, and the long tasks. */
async function runCell(ctx, id, preset = PRESET, steps = STEPS) {
  const { page, base, mode, root } = ctx;
  await page.addInitScript(monitor);
  await page.goto(`${base}/?preset=planted&${id}.preset=${preset}&${id}.steps=${steps}`);
  assert((await waitCell(page, id, ["idle"])) === "idle", `the ${id} cell did not wait`);
  // the page's load and cell 1's own run are longtask-load's: count the tasks from the
  // click on Run, once cell 1's planted run has finished
  await page.waitForFunction(() => document.body.dataset.state === "finished", null,
    { timeout: 60_000, polling: 100 });
  const runAt = await page.evaluate(() => performance.now());
  await runToEnd(page, id);
  const web = await result(page, id);
  const cli = await nativeResult(root, preset, [`steps=${steps}`]);
  assert(web.config.steps === steps && web.records.at(-1).step === steps,
    `${id}: the run stopped at step ${web.records.at(-1).step}`);
  assert(web.data_digest === cli.data_digest,
    `data_digest: page ${web.data_digest} vs CLI ${cli.data_digest}`);
  const gpu = /^WebGPU: /.test(await page.locator(`#${id}-backend`).textContent());
  if (mode === "fallback") await expectBackend(page, id, mode);
  const gaps = withinTolerance(web, cli, gpu ? TOLERANCE.webgpu : TOLERANCE.cpu,
    `${id} (${preset})`);
  const tasks = { longestMs: await noLongTasks(page, runAt) };
  const text = (await page.locator(`#${id}-summary`).textContent()) ?? "";
  return { web, gaps, gpu, tasks, text };
}

function summaryOf({ web, gaps, gpu, tasks }) {
  const said = ({ gap, where }) => `${gap.toExponential(2)}${gap > 0 ? ` (${where})` : ""}`;
  return `${web.backend}${gpu ? " (WebGPU)" : ""}, ${web.records.length} records, page vs CLI `
    + `max relative |Δ| loss ${said(gaps.loss)}, read-outs ${said(gaps.readout)}, longest `
    + `main-thread task ${tasks.longestMs.toFixed(0)} ms`;
}

export const deepChecks = {
  async deep(ctx) {
    const { page, mode, outDir } = ctx;
    const run = await runCell(ctx, "deep");
    await expectDrawn(page, "deep-figure");
    assert(/mode 1 (at t =|not yet)/.test(run.text) && /Loss [\d.e+-]+ → /.test(run.text),
      `the deep summary: ${run.text}`);
    await page.locator("#cell-deep").screenshot({ path: join(outDir, `${mode}-deep.png`) });
    // Fig 4's view: another figure on the same canvas, and its own SVG download
    const before = await canvasHash(page, "deep-figure");
    await page.selectOption("#deep-view", "histogram");
    await waitRedrawn(page, before, "deep-figure");
    assert((await canvasHash(page, "deep-figure")) !== before, "the histogram view was not drawn");
    await expectDrawn(page, "deep-figure");
    await page.locator("#cell-deep").screenshot({ path: join(outDir, `${mode}-deep-fig4.png`) });
    const svg = await page.evaluate(() => window.stepwise.exportOf("deep", "histogram_svg",
      { log_time: false }));
    assert(svg.includes("eigenvalue histogram over t"), "the Fig. 4 SVG lacks its panel");
    // the link keeps the run and the view, with the cell's prefix
    await page.click("#deep-copy-link");
    await linkReady(page);
    const link = await page.locator("#deep-share-url").inputValue();
    for (const part of [/deep\.view=histogram/, /deep\.steps=40/, /deep\.preset=resnet-bt-small/]) {
      assert(part.test(link), `the link lacks ${part}: ${link}`);
    }
    const csv = await page.evaluate(() => window.stepwise.exportOf("deep", "csv"));
    const rows = csv.trim().split("\n");
    assert(rows[0].startsWith("t,step,loss,lambda_1") && rows.length === run.web.records.length + 1,
      `the CSV: ${rows[0]} and ${rows.length} lines`);
    return { summary: summaryOf(run) };
  },

  async probes(ctx) {
    const { page, mode, outDir } = ctx;
    const run = await runCell(ctx, "probes");
    await expectDrawn(page, "probes-figure");
    assert(/Linear probe accuracy on the embedding: .* \(chance 0\.167\)/.test(run.text),
      `the probes summary: ${run.text}`);
    const svg = await page.evaluate(() => window.stepwise.exportOf("probes", "probes_svg",
      { log_time: false }));
    for (const part of ["linear probe accuracy", "chance 1/6", "RankMe", "on embedding"]) {
      assert(svg.includes(part), `the probes SVG lacks "${part}"`);
    }
    await page.locator("#cell-probes").screenshot({ path: join(outDir, `${mode}-probes.png`) });
    return { summary: summaryOf(run) };
  },

  /** SimCLR and VICReg, LOSS_STEPS steps of their small presets each, in the deep cell of a
   * fresh page (the first on the check's page, the second on its own): compared with the CLI
   * as above. */
  async "deep-losses"(ctx) {
    const summaries = [];
    for (const [k, preset] of LOSS_PRESETS.entries()) {
      const page = k === 0 ? ctx.page : await ctx.browser.newPage(`${ctx.mode}: ${preset}`);
      try {
        const run = await runCell({ ...ctx, page }, "deep", preset, LOSS_STEPS);
        assert(run.web.config.loss === preset.split("-")[1],
          `${preset}: the page ran loss ${run.web.config.loss}`);
        summaries.push(`${preset}: ${summaryOf(run)}`);
      } finally {
        if (k > 0) {
          page.problems().forEach((p) => console.error(`     ${preset} page error: ${p}`));
          await page.close().catch(() => {});
        }
      }
    }
    return { summary: summaries.join("; ") };
  },
};
