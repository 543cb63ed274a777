// Browser check of cell 10, "Three methods, one subspace" (#cell-methods, the paper's Table
// 2). Same contract as checks.mjs. Runs the CPU preset table2-small with every method
// shortened to STEPS steps (METHODS_STEPS=preset: each preset's own steps, the page's
// default: minutes) to the end; asserts that the figure draws, that the page's alignments and
// chance (its "summary" extra, and the text under the figure) equal the CLI's `stepwise
// compare methods --set steps=N` within the deep check's read-out TOLERANCE (the CPU path
// trains to the same bits in wasm and natively, docs/deep.md §6; the alignments come from
// faer's f64 decompositions, whose kernels differ in the last bits), and that no main-thread
// task from the click on Run to the end took over 50 ms. Like deep.mjs, the webgpu mode's
// `backend=auto` runs on the CPU.

import { join } from "node:path";

import { assert, expectDrawn, linkReady, readoutSettled } from "./helpers.mjs";
import { nativeMethods } from "./native.mjs";
import { waitCell, runToEnd, expectBackend } from "./mlp.mjs";
import { monitor } from "./longtask.mjs";
import { TOLERANCE, noLongTasks } from "./deep.mjs";

/** Steps per method (short, for the suite's time: the page trains the same bits as the CLI at
 * any length; before the CPU path was bit-exact the gap grew from 7e-5 at 15 steps to 0.19
 * at 100). */
const STEPS = process.env.METHODS_STEPS ?? "15";

/** Largest |a − b| / max(1e-3, |b|) over the alignment matrices and chance: {gap, where}. */
function largestGap(web, cli) {
  assert(web.alignment.length === 3 && cli.alignment.length === 3,
    `alignment matrices ${web.alignment.length} vs ${cli.alignment.length}`);
  let [gap, where] = [0, ""];
  const near = (a, b, what) => {
    const d = Math.abs(a - b) / Math.max(1e-3, Math.abs(b));
    if (!(d <= gap)) [gap, where] = [d, what];
  };
  web.alignment.forEach((row, i) => row.forEach((a, j) => near(a, cli.alignment[i][j],
    `alignment[${i}][${j}]`)));
  near(web.chance, cli.chance, "chance");
  return { gap, where };
}

/** Hovers panel A's cell of row `row` and column `col` (from 1, rows from the top); the
 * readout's text. */
async function hoverCell(page, row, col) {
  const canvas = page.locator("#methods-figure");
  await canvas.scrollIntoViewIfNeeded();
  const layout = await page.evaluate(() => window.stepwise.figureLayout("methods-figure"));
  const a = layout.panels[0];
  const scale = await canvas.evaluate((c) => c.width / c.clientWidth);
  const x = a.left + ((col - 0.5) / 3) * (a.right - a.left);
  const y = a.top + ((row - 0.5) / 3) * (a.bottom - a.top);
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + x / scale, box.y + y / scale);
  await readoutSettled(page, "methods-figure");
  const tip = page.locator("[data-testid=methods-figure-readout]");
  await tip.waitFor({ state: "visible", timeout: 5000 });
  return tip.textContent();
}

export const methodsChecks = {
  async methods(ctx) {
    const { page, base, mode, root, outDir } = ctx;
    await page.addInitScript(monitor);
    const steps = STEPS === "preset" ? "" : `&methods.steps=${STEPS}`;
    await page.goto(`${base}/?preset=planted&methods.preset=table2-small${steps}`);
    assert((await waitCell(page, "methods", ["idle"])) === "idle", "the cell did not wait");
    await page.waitForFunction(() => document.body.dataset.state === "finished", null,
      { timeout: 60_000, polling: 100 });
    const runAt = await page.evaluate(() => performance.now());
    await runToEnd(page, "methods");
    await expectDrawn(page, "methods-figure");
    const web = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("methods", "json")));
    const summary = await page.evaluate(() => window.stepwise.call("methods", "summary"));
    const timing = await page.evaluate(() => {
      const c = window.stepwise.methodsCell;
      return { prepareMs: c.prepareMs, runMs: c.runMs, wallMs: c.wallMs, drawMs: c.drawMs,
        steps: c.session.progress.step, backend: c.session.info.kind };
    });
    const cli = await nativeMethods(root, STEPS === "preset" ? [] : [`steps=${STEPS}`]);
    const gpu = /^WebGPU: /.test(await page.locator("#methods-backend").textContent());
    if (mode === "fallback") await expectBackend(page, "methods", mode);
    // the three runs, in order, to their last step
    const losses = web.methods.map((m) => m.loss);
    assert(JSON.stringify(losses) === JSON.stringify(cli.methods.map((m) => m.loss)),
      `methods ${losses} vs the CLI's`);
    const want = STEPS === "preset" ? null : Number(STEPS);
    web.results.forEach((r) => assert(r.records.at(-1).step === (want ?? r.config.steps),
      `${r.config.loss} stopped at step ${r.records.at(-1).step}`));
    const { gap, where } = largestGap(web, cli);
    const limit = (gpu ? TOLERANCE.webgpu : TOLERANCE.cpu).readout;
    const wall = `wall ${((timing.prepareMs + timing.wallMs) / 1000).toFixed(1)} s for `
      + `${timing.steps} steps`;
    assert(gap <= limit, `the page's alignments differ from the CLI's by ${gap} > ${limit} at `
      + `${where}: page ${JSON.stringify(web.alignment)}, CLI ${JSON.stringify(cli.alignment)} `
      + `(${wall})`);
    // the summary extra and the text under the figure say the same three numbers and chance
    assert(summary.pairs.length === 3 && summary.chance === web.chance, "the summary extra");
    const text = (await page.locator("#methods-summary").textContent()) ?? "";
    for (const [i, j, a] of summary.pairs) {
      const part = `${summary.names[i]}–${summary.names[j]} ${a.toFixed(3)}`;
      assert(text.includes(part), `the summary lacks "${part}": ${text}`);
    }
    assert(text.includes(`chance ${cli.chance.toFixed(4)}`), `the summary's chance: ${text}`);
    // the SVG writes every alignment and chance; the CSV has the matrix and chance
    const svg = await page.evaluate(() => window.stepwise.exportOf("methods", "svg"));
    for (const v of [web.alignment[0][1], web.alignment[1][2], web.alignment[0][2]]) {
      assert(svg.includes(v.toFixed(3)), `the SVG lacks ${v.toFixed(3)}`);
    }
    assert(svg.includes(`chance ${web.chance.toFixed(4)}`), "the SVG lacks chance");
    const csv = await page.evaluate(() => window.stepwise.exportOf("methods", "csv"));
    assert(csv.startsWith("method,Barlow Twins,SimCLR,VICReg\n") && csv.includes("\nchance,"),
      `the CSV: ${csv.slice(0, 80)}`);
    // hovering panel A's cell (row 1, column 2) reads that pair's alignment and chance
    const tip = await hoverCell(page, 1, 2);
    const read = `Barlow Twins–SimCLR: alignment ${web.alignment[0][1].toFixed(3)} (chance `
      + `${web.chance.toFixed(4)})`;
    assert(tip === read, `the readout "${tip}", not "${read}"`);
    // the link keeps the run with the cell's prefix
    await page.click("#methods-copy-link");
    await linkReady(page);
    const link = await page.locator("#methods-share-url").inputValue();
    assert(/methods\.preset=table2-small/.test(link), `the link: ${link}`);
    if (steps) assert(link.includes(`methods.steps=${STEPS}`), `the link: ${link}`);
    const longest = await noLongTasks(page, runAt);
    await page.locator("#cell-methods").screenshot({ path: join(outDir, `${mode}-methods.png`) });
    const pairs = summary.pairs.map(([i, j, a]) => `${i}–${j} ${a.toFixed(3)}`).join(", ");
    return {
      summary: `${web.results[0].backend}${gpu ? " (WebGPU)" : ""}, ${STEPS} steps: ${pairs}, `
        + `chance `
        + `${web.chance.toFixed(4)}; page vs CLI max relative |Δ| ${gap.toExponential(2)} `
        + `(${where}); ${wall}; `
        + `longest main-thread task ${longest.toFixed(0)} ms`,
      timing,
    };
  },
};
