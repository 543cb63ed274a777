// Soak (issue 17 §5): Run → Reset CYCLES times in every cell that computes, on small presets,
// in one page, and nothing grows. After cycle FIRST and after the last, measured with every
// session of the cycle closed: the worker's wasm memory (a high-water mark: it never shrinks,
// so a leak shows as growth), the sessions open in the worker, and the page's JS heap after a
// forced garbage collection (CDP). Each may grow by at most GROWTH between the two. Cell 4
// (symmetry) has no Run: it recomputes on input and is driven by typing into it instead. The GPU
// side is tests/soak.rs (wgpu's own count of live buffers, natively on lavapipe); here the
// webgpu mode runs the cells with `backend=auto` (the CPU on SwiftShader, as visitors get).

import { assert } from "./helpers.mjs";
import { waitCell } from "./mlp.mjs";

const CYCLES = Number(process.env.SOAK_CYCLES ?? 50);
const FIRST = Math.min(5, CYCLES);
const GROWTH = 0.1;
const STEP_MS = 120_000;
/** The cells and their small presets (the query keys), with their Run/Reset buttons. */
const CELLS = [
  { id: "stepwise", run: "#run", reset: "#reset", cell: "cell" },
  { id: "mlp", run: "#mlp-run", reset: "#mlp-reset", cell: "mlpCell" },
  { id: "hidden", run: "#hidden-run", reset: "#hidden-reset", cell: "hiddenCell" },
  { id: "appg", run: "#appg-run", reset: "#appg-reset", cell: "appgCell" },
  { id: "deep", run: "#deep-run", reset: "#deep-reset", cell: "deepCell" },
  { id: "probes", run: "#probes-run", reset: "#probes-reset", cell: "probesCell" },
  { id: "methods", run: "#methods-run", reset: "#methods-reset", cell: "methodsCell" },
];
const QUERY = "?preset=planted&mlp.preset=mlp-small-bt&hidden.preset=mlp-small-bt"
  + "&appg.preset=planted&deep.preset=resnet-bt-small&probes.preset=resnet-bt-small"
  + "&methods.preset=table2-small";

/** Presses Run, waits for the first step (or the end), presses Reset, waits for the fresh
 * session. */
async function cycle(page, { id, run, reset, cell }) {
  await page.locator(`#cell-${id}`).scrollIntoViewIfNeeded();
  await waitCell(page, id, ["idle", "paused", "finished"], STEP_MS);
  await page.click(run);
  await page.waitForFunction(([id, cell]) => {
    const state = document.getElementById(`cell-${id}`).dataset.state;
    return ["finished", "error"].includes(state)
      || (state === "running" && window.stepwise[cell].session?.progress.step > 0);
  }, [id, cell], { timeout: STEP_MS, polling: 20 });
  // the fresh session: Reset stops the run first (a "paused" that is not yet the new one)
  await page.evaluate((cell) => { window.soakOld = window.stepwise[cell].session; }, cell);
  await page.click(reset);
  await page.waitForFunction(([id, cell]) => {
    const state = document.getElementById(`cell-${id}`).dataset.state;
    const fresh = window.stepwise[cell].session !== window.soakOld;
    return state === "error" || (fresh && ["idle", "paused"].includes(state));
  }, [id, cell], { timeout: STEP_MS, polling: 20 });
  const state = await page.evaluate((id) => document.getElementById(`cell-${id}`).dataset.state,
    id);
  if (state === "error") {
    const why = await page.locator(`#cell-${id} [id$="error"]`).first().textContent();
    throw new Error(`${id}: the cell failed: ${why}`);
  }
}

/** Types another s(0) into cell 4 (it recomputes on input: its Run) and waits for the
 * redraw. */
async function symmetryCycle(page, k) {
  const draws = await page.evaluate(() => window.stepwise.symmetryCell.draws ?? 0);
  await page.fill("#symmetry-init", k % 2 ? "0.002" : "0.001");
  await page.waitForFunction((before) => window.stepwise.symmetryCell.draws > before
    && document.getElementById("cell-symmetry").dataset.state === "drawn", draws,
  { timeout: STEP_MS, polling: 20 });
}

/** {wasm, sessions, heap}: the worker's, and the page's JS heap after a full GC. */
async function memory(page, cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const worker = await page.evaluate(() => window.stepwise.workerMemory());
  return { wasm: worker.wasm_bytes, sessions: worker.sessions, heap: usedSize };
}

function grew(before, after) {
  return (after - before) / before;
}

export const soakChecks = {
  async soak(ctx) {
    const { page, base } = ctx;
    const cdp = await page.context().newCDPSession(page);
    await page.goto(`${base}/${QUERY}`);
    await page.waitForFunction(() => document.body.dataset.state === "finished", null,
      { timeout: STEP_MS, polling: 100 });
    const rows = [];
    const targets = [...CELLS, { id: "symmetry" }];
    for (const target of targets) {
      await page.locator(`#cell-${target.id}`).scrollIntoViewIfNeeded();
      let first = null;
      const started = Date.now();
      for (let k = 1; k <= CYCLES; k += 1) {
        try {
          if (target.run) await cycle(page, target);
          else await symmetryCycle(page, k);
        } catch (e) {
          const state = await page.evaluate((id) => document.getElementById(`cell-${id}`)
            .dataset.state, target.id);
          throw new Error(`${target.id}, cycle ${k} (state ${state}): ${e.message}`);
        }
        if (k === FIRST) first = await memory(page, cdp);
      }
      const last = await memory(page, cdp);
      const growth = { wasm: grew(first.wasm, last.wasm), heap: grew(first.heap, last.heap) };
      rows.push({ id: target.id, first, last, growth, ms: (Date.now() - started) / CYCLES });
      assert(last.sessions === first.sessions, `${target.id}: ${first.sessions} sessions open `
        + `after cycle ${FIRST}, ${last.sessions} after ${CYCLES}`);
      for (const what of ["wasm", "heap"]) {
        assert(growth[what] <= GROWTH, `${target.id}: the ${what} memory grew by `
          + `${(100 * growth[what]).toFixed(1)}% from cycle ${FIRST} to ${CYCLES} `
          + `(${first[what]} → ${last[what]} bytes)`);
      }
    }
    const mb = (b) => (b / 2 ** 20).toFixed(1);
    const text = rows.map(({ id, first, last, ms }) => `${id} wasm ${mb(first.wasm)}→`
      + `${mb(last.wasm)} MiB, heap ${mb(first.heap)}→${mb(last.heap)} MiB, `
      + `${ms.toFixed(0)} ms a cycle`).join("; ");
    return { summary: `${CYCLES} cycles per cell (after ${FIRST} → after ${CYCLES}): ${text}` };
  },
};
