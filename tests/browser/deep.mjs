// Browser checks of the deep cells, "Deep networks learn in steps too" (#cell-deep) and
// "Hidden representations and probes" (#cell-probes). Same contract as checks.mjs. Each runs
// the smallest CPU preset, shortened to STEPS steps so that a mode stays under a minute, to
// the end; compares the page's result with the CLI's `stepwise run` of the same preset; and
// asserts that no main-thread task from the click on Run to the end took over 50 ms
// (longtask.mjs's monitor: the run computes in the worker; the page's load is longtask-load's).
// In the webgpu mode `backend=auto` runs the cell on the CPU (SwiftShader is slower at this
// size, by the cost model); DEEP_GPU=1 forces WebGPU (`backend=gpu`), compared with the CLI
// within TOLERANCE.webgpu (on this loaded 2-core machine the forced run did not finish in
// 120 s: cell 1 stayed preparing on SwiftShader first).

import { join } from "node:path";

import { assert, expectDrawn, canvasHash, waitRedrawn, gpuKey, linkReady } from "./helpers.mjs";
import { nativeResult } from "./native.mjs";
import { waitCell, runToEnd, expectBackend } from "./mlp.mjs";
import { monitor, summary as longTasks } from "./longtask.mjs";

const PRESET = "resnet-bt-small";
const STEPS = 40;
const LIMIT_MS = 50;
/** Largest |Δ| / max(1, |CLI value|) allowed between the page's and the CLI's numbers. Not 0
 * on the CPU: the same f32 code, but faer's matmul kernels sum in another order in wasm
 * (no AVX) than natively, and the steps amplify the last bits (measured: 3.5e-4 after 40
 * steps of resnet-bt-small, on the loss). WebGPU sums in yet another order. */
export const TOLERANCE = { cpu: 2e-3, webgpu: 2e-2 };

/** The cell's result JSON (the CLI's schema). */
async function result(page, id) {
  const text = await page.evaluate((id) => window.stepwise.exportOf(id, "json"), id);
  assert(text, `the ${id} cell has no result`);
  return JSON.parse(text);
}

/** Largest |a − b| / max(1, |b|) over the two results' records of every tracked series
 * (loss, embedding and hidden eigenvalues, probe accuracies, RankMe), after checking they
 * line up: {gap, where}. */
function largestGap(web, cli) {
  let gap = 0;
  let where = "";
  const near = (a, b, what) => {
    assert(Number.isFinite(a) === Number.isFinite(b), `${what}: page ${a} vs CLI ${b}`);
    const d = Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (Number.isFinite(a) && d > gap) [gap, where] = [d, what];
  };
  for (const key of ["records", "hidden", "probe", "rank"]) {
    const [a, b] = [web[key], cli[key]];
    assert(a.length === b.length && a.length > 1, `${key}: ${a.length} records vs ${b.length}`);
    a.forEach((r, k) => {
      assert(r.step === b[k].step, `${key}[${k}]: step ${r.step} vs ${b[k].step}`);
      for (const f of ["loss", "embedding", "hidden"]) {
        if (f in r) near(r[f], b[k][f], `${key}[${k}].${f}`);
      }
      (r.eigenvalues ?? []).forEach((v, j) => near(v, b[k].eigenvalues[j], `${key}[${k}].λ${j}`));
    });
  }
  return { gap, where };
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

/** Runs cell `id` of a fresh page on the small preset; returns its result, what the page
 * and the CLI differ by, and the long tasks. */
async function runCell(ctx, id) {
  const { page, base, mode, root } = ctx;
  await page.addInitScript(monitor);
  await page.goto(`${base}/?preset=planted&${id}.preset=${PRESET}&${id}.steps=${STEPS}`
    + `${process.env.DEEP_GPU === "1" ? gpuKey(mode) : ""}`);
  assert((await waitCell(page, id, ["idle"])) === "idle", `the ${id} cell did not wait`);
  // the page's load and cell 1's own run are longtask-load's: count the tasks from the
  // click on Run, once cell 1's planted run has finished
  await page.waitForFunction(() => document.body.dataset.state === "finished", null,
    { timeout: 60_000, polling: 100 });
  const runAt = await page.evaluate(() => performance.now());
  await runToEnd(page, id);
  const web = await result(page, id);
  const cli = await nativeResult(root, PRESET, [`steps=${STEPS}`]);
  assert(web.config.steps === STEPS && web.records.at(-1).step === STEPS,
    `${id}: the run stopped at step ${web.records.at(-1).step}`);
  assert(web.data_digest === cli.data_digest,
    `data_digest: page ${web.data_digest} vs CLI ${cli.data_digest}`);
  const gpu = /^WebGPU: /.test(await page.locator(`#${id}-backend`).textContent());
  if (mode === "fallback") await expectBackend(page, id, mode);
  const { gap, where } = largestGap(web, cli);
  const limit = gpu ? TOLERANCE.webgpu : TOLERANCE.cpu;
  assert(gap <= limit, `${id}: the page's numbers differ from the CLI's by ${gap} > ${limit} `
    + `at ${where} (${web.backend} vs ${cli.backend})`);
  const tasks = { longestMs: await noLongTasks(page, runAt) };
  const text = (await page.locator(`#${id}-summary`).textContent()) ?? "";
  return { web, gap, where, gpu, tasks, text };
}

function summaryOf({ web, gap, where, gpu, tasks }) {
  return `${web.backend}${gpu ? " (WebGPU)" : ""}, ${web.records.length} records, page vs CLI `
    + `max relative |Δ| ${gap.toExponential(2)} (${where}), longest main-thread task `
    + `${tasks.longestMs.toFixed(0)} ms`;
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
};
