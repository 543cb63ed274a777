// Browser checks of the cell "Can SSL learn faster?" (#cell-appg, Appendix G). Same
// contract as checks.mjs. The pages use ?preset=planted so that the first cell's own run
// stays short; the comparison runs its default preset (small) or planted.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

import { assert, expectDrawn, visibleCells, linkReady, settled, gpuKey } from "./helpers.mjs";

const RUN_MS = 180_000;
/** Relative difference allowed between the page's and the CLI's stable η's: f64 rounding of
 * γ₁ in wasm and natively (the probes and their outcomes must be the same). */
const ETA_RTOL = 1e-12;
const VARIANTS = ["baseline", "sharp", "smooth", "quartic", "precondition"];

/** Waits until the cell reaches one of `states`; returns the state. */
async function waitCell(page, states, timeout = RUN_MS) {
  await page.waitForFunction((states) => states.includes(
    document.getElementById("cell-appg").dataset.state), states, { timeout, polling: 50 });
  return page.evaluate(() => document.getElementById("cell-appg").dataset.state);
}

/** Presses Run and waits for the comparison to finish. */
async function runToEnd(page) {
  await waitCell(page, ["idle", "paused", "finished", "error"]);
  await page.click("#appg-run");
  const state = await waitCell(page, ["finished", "error"]);
  if (state !== "finished") {
    throw new Error(`the comparison ended in state ${state}: `
      + `${await page.locator("#appg-error").textContent()}`);
  }
}

/** The page's comparison in the CLI's table schema. */
async function pageResult(page) {
  const text = await page.evaluate(() => window.stepwise.exportOf("appg", "json"));
  assert(text, "the cell has no result");
  return JSON.parse(text);
}

/** The table as {variant, policy, cells: [...]} rows. */
function tableRows(page) {
  return page.evaluate(() => [...document.querySelectorAll("#appg-table-body tr")].map((tr) => ({
    variant: tr.dataset.variant,
    policy: tr.dataset.policy,
    cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
  })));
}

/** `stepwise compare appg <preset> --out -` (the table on stderr, the JSON on stdout). */
async function nativeComparison(root, preset, sets = []) {
  const cli = join(root, "target", "release", "stepwise");
  const args = ["compare", "appg", preset, "--out", "-", ...sets.flatMap((s) => ["--set", s])];
  const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

/** Differences between the page's and the CLI's steps_to_all and stable η's. */
function differences(web, cli) {
  const out = [];
  for (const r of cli.rows) {
    const w = web.rows.find((x) => x.variant === r.variant && x.policy === r.policy);
    if (!w) out.push(`no ${r.variant}/${r.policy} row on the page`);
    else if (w.steps_to_all !== r.steps_to_all) {
      out.push(`${r.variant}/${r.policy}: steps_to_all ${w.steps_to_all} vs ${r.steps_to_all}`);
    }
  }
  for (const s of cli.stable) {
    const w = web.stable.find((x) => x.variant === s.variant);
    // the same probes; γ₁ (so the baseline η) may differ in the last bits
    const same = w && (w.eta === s.eta || Math.abs(w.eta - s.eta) <= ETA_RTOL * Math.abs(s.eta));
    if (!same) out.push(`${s.variant}: stable η ${w?.eta} vs ${s.eta}`);
  }
  return out;
}

async function notices(page) {
  return page.locator("#notice-list li").allTextContents();
}

/** A comparison short enough for WebGPU on SwiftShader (a CPU-emulated GPU): planted data
 * from a larger init at a larger η, 400 steps (every variant learns every mode), the
 * baseline's η only. */
const GPU_SETS = ["run.steps=400", "run.init_scale=0.001", "run.lr=0.005", "eta=equal"];
const GPU_SMALL = ["preset=planted", ...GPU_SETS].map((s) => `appg.${s}`).join("&");
/** The checks that are not about the backend run on the CPU in both modes. */
const CPU = "&backend=cpu";

/** WebGPU mode: the comparison runs on the GPU and gives the CLI's table; a lost device
 * restarts it on the CPU. */
async function appgOnGpu({ page, base, root, outDir }) {
  await page.goto(`${base}/?preset=planted&${GPU_SMALL}${gpuKey("webgpu")}`);
  await runToEnd(page);
  const notice = (await page.locator("#appg-backend").textContent()) ?? "";
  assert(/^WebGPU: /.test(notice), `backend notice: ${notice}`);
  const web = await pageResult(page);
  assert(web.backend.startsWith("webgpu-f32"), `backend ${web.backend}`);
  const rows = await tableRows(page);
  assert(rows.length === 5, `${rows.length} table rows`);
  assert(rows.find((r) => r.variant === "baseline").cells[5] === "1.00x", "baseline speedup");
  const cli = await nativeComparison(root, "planted", GPU_SETS);
  const diffs = differences(web, cli);
  assert(diffs.length === 0, `WebGPU and the CLI (CPU) differ: ${diffs.join("; ")}`);
  await expectDrawn(page, "appg-figure");
  await page.locator("#cell-appg").screenshot({ path: join(outDir, "webgpu-appg.png") });
  // a lost device mid-comparison: it starts again on the CPU and finishes
  await page.click("#appg-reset");
  await page.click("#appg-run");
  await page.waitForFunction(() => window.stepwise.appgCell.session?.progress.done >= 1,
    null, { timeout: RUN_MS, polling: 20 });
  const lost = await page.evaluate(() => window.stepwise.call("appg", "simulate_gpu_loss"));
  assert(lost, "simulate_gpu_loss() found no GPU");
  assert((await waitCell(page, ["finished", "error"])) === "finished", "no finish after loss");
  const after = (await page.locator("#appg-backend").textContent()) ?? "";
  assert(/^CPU \(the GPU stopped\b.*(restarted|continues) on the CPU/.test(after), `notice: ${after}`);
  const again = await pageResult(page);
  assert(again.backend.startsWith("cpu-f32"), `after the loss the backend is ${again.backend}`);
  assert(differences(again, cli).length === 0, "the CPU restart differs from the CLI");
  return { summary: `WebGPU table = CLI's; GPU loss → ${after.slice(0, 50)}…` };
}

export const appgChecks = {
  async appg({ page, base, mode, root, outDir }) {
    if (mode === "webgpu") return appgOnGpu({ page, base, root, outDir });
    // a comparison the link names waits for Run (the default one starts once in view: kind.mjs)
    await page.goto(`${base}/?preset=planted&appg.preset=small`);
    assert((await waitCell(page, ["idle"])) === "idle", "the comparison did not wait for Run");
    assert((await page.locator("#appg-preset").inputValue()) === "small", "default preset");
    // Pause mid-way, then Run continues the same comparison (checked against the CLI below)
    await page.click("#appg-run");
    await page.waitForFunction(() => window.stepwise.appgCell.session?.progress.done >= 2,
      null, { timeout: RUN_MS, polling: 20 });
    await page.click("#appg-pause");
    assert((await waitCell(page, ["paused", "finished"])) === "paused", "Pause did not pause");
    const done = () => page.evaluate(() => window.stepwise.appgCell.session.progress.done);
    const paused = await done();
    await page.waitForTimeout(300);
    assert((await done()) === paused, "the comparison went on while paused");
    await runToEnd(page);
    const notice = (await page.locator("#appg-backend").textContent()) ?? "";
    assert(/^CPU \(/.test(notice), `backend notice: ${notice}`);
    await expectDrawn(page, "appg-figure");
    const rows = await tableRows(page);
    assert(rows.length === 10, `${rows.length} table rows`);
    for (const v of VARIANTS) {
      for (const p of ["equal", "stable"]) {
        assert(rows.some((r) => r.variant === v && r.policy === p), `no row ${v}/${p}`);
      }
    }
    for (const r of rows.filter((x) => x.variant === "baseline")) {
      assert(r.cells[5] === "1.00x", `baseline ${r.policy} speedup reads ${r.cells[5]}`);
    }
    const web = await pageResult(page);
    for (const r of web.rows) {
      const shown = rows.find((x) => x.variant === r.variant && x.policy === r.policy);
      assert(shown.cells[3] === String(r.steps_to_all ?? "—"),
        `${r.variant}/${r.policy}: table ${shown.cells[3]}, result ${r.steps_to_all}`);
    }
    const summary = (await page.locator("#appg-summary").textContent()) ?? "";
    assert(/fewer than the baseline/.test(summary), `summary: ${summary}`);
    let compared = "";
    if (mode === "fallback") {
      const diffs = differences(web, await nativeComparison(root, "small"));
      assert(diffs.length === 0, `the page and the CLI differ: ${diffs.join("; ")}`);
      compared = "; steps_to_all and stable η's equal the CLI's";
    }
    await page.locator("#cell-appg").screenshot({ path: join(outDir, `${mode}-appg.png`) });
    const timing = await page.evaluate(() => {
      const c = window.stepwise.appgCell;
      return { prepareMs: c.prepareMs, runMs: c.runMs, wallMs: c.wallMs };
    });
    const steps = web.rows.reduce((n, r) => n + r.steps, 0);
    return {
      summary: `${(timing.wallMs / 1000).toFixed(1)} s; ${notice.slice(0, 40)}…${compared}`,
      timing: { ...timing, steps, backend: web.backend },
    };
  },

  async "appg-share"({ page, base, browser }) {
    await page.goto(`${base}/?preset=planted&appg.preset=planted${CPU}`);
    await waitCell(page, ["idle"]);
    await page.fill("#appg-a", "0.5");
    await page.uncheck("#appg-sharp");
    await page.selectOption("#appg-eta", "equal");
    await page.selectOption("#appg-panels", "stable");
    await runToEnd(page);
    const rows = await tableRows(page);
    assert(rows.length === 4 && !rows.some((r) => r.variant === "sharp"),
      `the form's run has rows ${JSON.stringify(rows.map((r) => r.variant))}`);
    await page.click("#appg-copy-link");
    await linkReady(page);
    const link = await page.locator("#appg-share-url").inputValue();
    for (const part of ["appg.preset=planted", "appg.a=0.5", "appg.variants.sharp=false",
      "appg.eta=equal", "appg.panels=stable"]) {
      assert(link.includes(part), `the link lacks ${part}: ${link}`);
    }
    const other = await browser.newPage("opened appg link");
    try {
      await other.goto(link);
      await waitCell(other, ["idle"]);
      assert((await notices(other)).length === 0, "the link gives notices");
      const same = {
        a: await other.locator("#appg-a").inputValue(),
        sharp: await other.locator("#appg-sharp").isChecked(),
        eta: await other.locator("#appg-eta").inputValue(),
        panels: await other.locator("#appg-panels").inputValue(),
      };
      assert(JSON.stringify(same) === JSON.stringify({ a: "0.5", sharp: false, eta: "equal",
        panels: "stable" }), `the link opens as ${JSON.stringify(same)}`);
    } finally {
      other.problems().forEach((p) => console.error(`     appg link: ${p}`));
      await other.close();
    }
    return { summary: "form run, link round-trips" };
  },

  async "appg-errors"({ page, base }) {
    // a baseline η 8x past its stability bound: the row diverges, the comparison finishes
    await page.goto(
      `${base}/?preset=planted&appg.preset=planted&appg.run.lr=0.5&appg.eta=equal${CPU}`);
    await runToEnd(page);
    const rows = await tableRows(page);
    const base0 = rows.find((r) => r.variant === "baseline");
    assert(/diverged by step \d+/.test(base0.cells[7]), `baseline row: ${base0.cells}`);
    const summary = (await page.locator("#appg-summary").textContent()) ?? "";
    assert(/No result for baseline at baseline's η: diverged/.test(summary), `summary: ${summary}`);
    await page.fill("#appg-a", "wide");
    await page.click("#appg-run");
    await settled(page, "appg");
    const bad = (await page.locator("#appg-error").textContent()) ?? "";
    assert(/`a`: "wide" is not a finite number/.test(bad), `bad number message: ${bad}`);
    await page.fill("#appg-a", "0.1");
    await page.fill("#appg-d", "100");
    await page.click("#appg-run");
    await settled(page, "appg");
    const big = (await page.locator("#appg-error").textContent()) ?? "";
    assert(/run\.d/.test(big), `out-of-range d message: ${big}`);
    await page.fill("#appg-d", "3");
    await page.fill("#appg-steps", "1500");
    await runToEnd(page);
    assert(!(await page.locator("#appg-error").isVisible()), "the error stays after a good run");
    return { summary: `${base0.cells[7].slice(0, 50)}…; bad number and out-of-range d refused` };
  },

  async "appg-hostile"({ page, base }) {
    const query = "?preset=planted&appg.a=<script>alert(1)</script>&appg.run.d=1e9"
      + "&appg.eta=<img src=x onerror=window.__pwned=1>&appg.variants.sharp=maybe"
      + `&appg.panels=<b>bold</b>&appg.bogus=1&appg.preset=nope${CPU}`;
    await page.goto(`${base}/${query}`);
    await waitCell(page, ["idle"]);
    const mine = (await notices(page)).filter((n) => n.startsWith("Can SSL learn faster?: "));
    assert(mine.length >= 7, `expected a notice per bad value, got ${JSON.stringify(mine)}`);
    assert(mine.some((n) => n.includes("<script>")), "the notices do not quote the value");
    const injected = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll("#notices script, #notices img, #notices b").length,
    }));
    assert(injected.pwned === null && injected.elements === 0, "markup from the URL ran");
    assert((await page.locator("#appg-a").inputValue()) === "0.1", "a did not fall back");
    assert((await page.locator("#appg-d").inputValue()) === "10", "d did not fall back");
    assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
    // the page still works: a short comparison runs
    await page.selectOption("#appg-preset", "planted");
    await page.selectOption("#appg-eta", "equal");
    await runToEnd(page);
    return { summary: `${mine.length} notices, defaults kept, no script ran, Run works` };
  },

  async "appg-embed"({ page, base, mode, outDir }) {
    await page.goto(`${base}/?appg.preset=planted&embed=appg${CPU}`);
    const state = await waitCell(page, ["finished", "error"]);
    assert(state === "finished", `embed=appg ended in state ${state}`);
    const visible = await visibleCells(page);
    assert(visible.length === 1 && visible[0] === "cell-appg",
      `embed=appg shows the cells ${JSON.stringify(visible)}`);
    for (const sel of ["#appg-controls", "#cell-appg .explain", "#appg-copy-link",
      "#appg-table"]) {
      assert(!(await page.locator(sel).isVisible()), `${sel} shows in embed=appg`);
    }
    await expectDrawn(page, "appg-figure");
    await page.screenshot({ path: join(outDir, `${mode}-embed-appg.png`) });
    return { summary: "one cell, runs by itself" };
  },
};
