// Browser checks of the scheduler (www/scheduler.js), which is kind to the machine: a cell
// the page starts by itself waits until it is scrolled into view, a hidden tab pauses the
// running cell and showing it resumes it, and one cell computes at a time (a run the reader
// asked for first; the others wait with a notice) unless the page's box allows several.

import { join } from "node:path";

import { assert } from "./helpers.mjs";
import { LONG_RUN } from "./a11y.mjs";

const RUN_MS = 120_000;
/** The MLP cell's query for a run of several seconds. */
const LONG_MLP = "mlp.preset=mlp-small-bt&mlp.steps=80000&mlp.record_every=200";

function cellState(page, id) {
  return page.evaluate((id) => document.getElementById(`cell-${id}`).dataset.state, id);
}

/** data-waiting of cell `id` ("busy", "hidden", "offscreen" or null) and its notice. */
function waiting(page, id) {
  return page.evaluate((id) => {
    const root = document.getElementById(`cell-${id}`);
    const notice = root.querySelector(".wait-notice");
    return {
      why: root.dataset.waiting ?? null,
      text: notice && !notice.hidden ? notice.textContent : "",
    };
  }, id);
}

/** Milliseconds each cell spent in advance() so far (grows only while it computes). */
function busyMs(page) {
  return page.evaluate(() => {
    const s = window.stepwise;
    return { stepwise: s.cell.runMs, mlp: s.mlpCell.runMs, appg: s.appgCell.runMs };
  });
}

/** Pretends the tab is hidden (`hidden`) or shown, as a switch of tabs would. */
function setTabHidden(page, hidden) {
  return page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", {
      configurable: true, get: () => (hidden ? "hidden" : "visible"),
    });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/** Waits until `f(busy)` holds for the advance() times; returns them. */
async function waitBusy(page, f, what, timeout = RUN_MS) {
  const t0 = Date.now();
  for (;;) {
    const b = await busyMs(page);
    if (f(b)) return b;
    if (Date.now() - t0 > timeout) {
      const states = await page.evaluate(() => ["stepwise", "mlp", "appg"].map((id) =>
        `${id} ${document.getElementById(`cell-${id}`).dataset.state}`).join(", "));
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(b)} (${states})`);
    }
    await page.waitForTimeout(100);
  }
}

async function expectWaiting(page, id, why, pattern) {
  await page.waitForFunction(([id, why]) =>
    document.getElementById(`cell-${id}`).dataset.waiting === why, [id, why], { timeout: 10_000 });
  const w = await waiting(page, id);
  assert(pattern.test(w.text), `cell ${id} waits (${w.why}) with the notice "${w.text}"`);
}

export const kindChecks = {
  async visibility({ page, base, mode, outDir }) {
    // 1. below the fold: the init comparison waits for the reader to scroll to it
    await page.goto(`${base}/?preset=planted`);
    await page.waitForFunction(() => document.body.dataset.state === "finished", null,
      { timeout: RUN_MS });
    await page.waitForTimeout(500);
    assert((await cellState(page, "init")) === "idle", "the init cell computed out of view");
    await expectWaiting(page, "init", "offscreen", /scrolled into view/);
    await page.locator("#cell-init").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById("cell-init").dataset.state === "done",
      null, { timeout: RUN_MS });
    assert((await waiting(page, "init")).why === null, "the init notice stays after computing");

    // ... and so does cell 1 when the page opens scrolled to a later cell
    await page.goto(`${base}/?preset=small#cell-appg`);
    await expectWaiting(page, "stepwise", "offscreen", /scrolled into view/);
    await page.waitForTimeout(500);
    assert((await cellState(page, "stepwise")) === "idle", "cell 1 ran out of view");
    // ... while the comparison, in view with its default (small) configuration, starts by
    // itself like cell 1 and computes alone
    await waitBusy(page, (b) => b.appg > 0, "the comparison to start by itself in view");
    const alone = await busyMs(page);
    assert(alone.stepwise === 0 && alone.mlp === 0, `beside the comparison: ${JSON.stringify(alone)}`);
    // (on SwiftShader's WebGPU it takes minutes: the reader pauses it, and cell 1 may go)
    await page.evaluate(() => document.getElementById("appg-pause").click());
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => document.body.dataset.state === "finished", null,
      { timeout: RUN_MS });

    // 2. a hidden tab pauses the running cell (Figure 1, long), showing it resumes it
    // (appg.preset: a comparison from a link waits for Run, so the click below is the reader's)
    await page.goto(`${base}/?${LONG_RUN}&${LONG_MLP}&appg.preset=small`);
    await waitBusy(page, (b) => b.stepwise > 0, "cell 1 to compute");
    await setTabHidden(page, true);
    await expectWaiting(page, "stepwise", "hidden", /paused while the tab is hidden/);
    // nothing computes while hidden, so the screenshot races with nothing
    await page.locator("#cell-stepwise").screenshot({ path: join(outDir, `visibility-${mode}.png`) });
    await page.waitForTimeout(300);
    const hiddenAt = await busyMs(page);
    await page.waitForTimeout(800);
    const still = await busyMs(page);
    assert(still.stepwise === hiddenAt.stepwise,
      `cell 1 computed in a hidden tab: ${hiddenAt.stepwise} → ${still.stepwise} ms`);
    assert((await cellState(page, "stepwise")) === "running", "hiding the tab ended the run");
    await setTabHidden(page, false);
    await waitBusy(page, (b) => b.stepwise > still.stepwise, "cell 1 to resume");
    assert((await waiting(page, "stepwise")).why === null, "the hidden notice stays");

    // 3. one at a time: Run on the MLP cell goes first (cell 1 started by itself waits) ...
    await page.click("#mlp-run");
    await waitBusy(page, (b) => b.mlp > 0, "the MLP cell to compute");
    await expectWaiting(page, "stepwise", "busy", /another cell is computing/);
    // ... and a second Run, on the comparison, waits for it with a notice
    await page.click("#appg-run");
    await expectWaiting(page, "appg", "busy", /another cell is computing/);
    const a = await busyMs(page);
    await page.waitForTimeout(800);
    const b = await busyMs(page);
    assert(b.appg === 0 && b.stepwise === a.stepwise && b.mlp > a.mlp,
      `more than one cell computed: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    // pausing the MLP cell lets the comparison go; cell 1 still waits
    await page.click("#mlp-pause");
    await waitBusy(page, (x) => x.appg > 0, "the comparison to compute after the pause");
    // for 0.5 s, or until the comparison ends (then cell 1 may go on): a sample counts when
    // the comparison was still running after it was read
    const c = await busyMs(page);
    let d = c;
    for (const t0 = Date.now(); Date.now() - t0 < 500;) {
      await page.waitForTimeout(50);
      const x = await busyMs(page);
      if ((await cellState(page, "appg")) !== "running") break;
      d = x;
    }
    assert(d.stepwise === c.stepwise && d.mlp === c.mlp,
      `cells beside the comparison computed: ${JSON.stringify(c)} → ${JSON.stringify(d)}`);
    // the page's box lets several compute at once
    await page.check("#parallel");
    await page.click("#mlp-run");
    const e = await busyMs(page);
    await waitBusy(page, (x) => x.stepwise > e.stepwise && x.mlp > e.mlp,
      "cell 1 and the MLP cell to compute side by side");
    return { summary: "init and cell 1 waited out of view, cell 7 started in view; hidden tab "
      + "paused cell 1; one cell "
      + "at a time (cell 1 and the comparison waited with notices); the box let all compute" };
  },
};
