// The browser checks, one function each: ({page, mode, base, root, outDir, browser}) ->
// {summary, timing}? ; each throws an Error with a clear message on failure.

import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { assert, canvasHash, expectDrawn, visibleCells, waitRedrawn, linkReady, gpuKey } from "./helpers.mjs";
import { maxEigenGap, nativeResult } from "./native.mjs";

/** |Δλ| allowed against the native CLI (same solver): CPU vs CPU, and WebGPU vs CPU. */
const TOLERANCE = { fallback: 1e-3, webgpu: 5e-3 };
const SMALL_RUN_MS = 180_000;
const FIG1_RUN_MS = 300_000;

/** Waits until the stepwise cell has finished (or failed: returns "error"). */
async function waitDone(page, timeout = SMALL_RUN_MS) {
  await page.waitForFunction(
    () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
    null, { timeout, polling: 100 },
  );
  return page.evaluate(() => document.body.dataset.state);
}

async function waitFinished(page, timeout) {
  const state = await waitDone(page, timeout);
  if (state !== "finished") {
    const error = await page.locator("#error").textContent();
    throw new Error(`the run ended in state ${state}: ${error}`);
  }
}

async function expectBackend(page, mode) {
  const notice = (await page.locator("#backend").textContent()) ?? "";
  const want = mode === "webgpu" ? /^WebGPU: / : /^CPU \(/;
  assert(want.test(notice), `backend notice "${notice}" does not match ${want}`);
  return notice;
}

async function pageResult(page) {
  const text = await page.evaluate(() => window.stepwise.resultJson());
  assert(text, "the page has no result");
  return JSON.parse(text);
}

function timingOf(page) {
  return page.evaluate(() => window.stepwise.timings());
}

/** The native reference for the same run. */
function reference(root, preset, sets = []) {
  return nativeResult(root, preset, sets);
}

async function compareToNative(page, { root, mode }, preset, sets, tolerance) {
  const web = await pageResult(page);
  const native = await reference(root, preset, sets);
  // η = 0.1/γ₁ may differ in the last bits: Γ's eigensolver sums in another order in wasm
  assert(Math.abs(web.config.lr / native.config.lr - 1) < 1e-9,
    `config.lr: page ${web.config.lr} vs CLI ${native.config.lr}`);
  for (const key of ["steps", "d", "init_scale", "record_every", "solver"]) {
    assert(web.config[key] === native.config[key],
      `config.${key}: page ${web.config[key]} vs CLI ${native.config[key]}`);
  }
  // the same data bits: the page cuts patches from the photos its browser decoded
  // (in www/worker.js), the CLI from its own PNG decoder
  assert(web.data_digest === native.data_digest,
    `data_digest: page ${web.data_digest} vs CLI ${native.data_digest}`);
  const gap = maxEigenGap(web, native);
  assert(gap <= tolerance, `eigenvalues differ from the CLI's by ${gap.toExponential(2)} `
    + `> ${tolerance} (${web.backend} vs ${native.backend})`);
  return { web, gap };
}

async function downloaded(page, id) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#${id}`)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

export const checks = {
  async "gpu-loss"(ctx) {
    const { page, mode, base } = ctx;
    const sets = ["steps=40000"];
    await page.goto(`${base}/?preset=small&${sets.join("&")}${gpuKey(mode)}`);
    await page.waitForFunction(() => window.stepwise.cell.session?.progress.step > 0,
      null, { timeout: SMALL_RUN_MS, polling: 20 });
    const lost = await page.evaluate(() => window.stepwise.call("stepwise", "simulate_gpu_loss"));
    if (mode === "fallback") {
      assert(!lost, "a CPU run claims to have lost a GPU device");
      await waitFinished(page);
      return { summary: "no GPU to lose: the CPU run is unaffected" };
    }
    assert(lost, "the WebGPU run had no device to lose");
    await waitFinished(page);
    const notice = (await page.locator("#backend").textContent()) ?? "";
    assert(/^CPU \(the GPU stopped at step \d+/.test(notice),
      `after the device loss the backend notice is "${notice}"`);
    const { web, gap } = await compareToNative(page, ctx, "small", sets, TOLERANCE.fallback);
    assert(web.backend === "cpu-f32-truncated", `the result's backend is ${web.backend}`);
    return { summary: `${notice}; max |Δλ| vs CLI ${gap.toExponential(2)}` };
  },

  async small(ctx) {
    const { page, mode, base, outDir } = ctx;
    await page.goto(`${base}/?preset=small${gpuKey(mode)}`);
    await waitFinished(page);
    const notice = await expectBackend(page, mode);
    const ink = await expectDrawn(page);
    const { web, gap } = await compareToNative(page, ctx, "small", [], TOLERANCE[mode]);
    await page.screenshot({ path: join(outDir, `${mode}-small.png`), fullPage: true });
    const json = await downloaded(page, "download-json");
    assert(json.name === "stepwise.json", `JSON download named ${json.name}`);
    assert(JSON.stringify(JSON.parse(json.bytes)) === JSON.stringify(web),
      "the downloaded JSON differs from result_json()");
    const png = await downloaded(page, "download-png");
    assert(png.bytes.subarray(1, 4).toString() === "PNG", "the PNG download is not a PNG");
    const svg = await downloaded(page, "download-svg");
    assert(svg.bytes.toString().includes("<svg"), "the SVG download is not an SVG");
    const csv = (await downloaded(page, "download-csv")).bytes.toString().trim().split("\n");
    assert(csv[0].startsWith("t,step,loss,lambda_1") && csv.length === web.records.length + 1,
      `the CSV has ${csv.length} lines for ${web.records.length} records`);
    return {
      summary: `${notice}; max |Δλ| vs CLI ${gap.toExponential(2)}; `
        + `${(ink.ink * 100).toFixed(1)}% ink`,
      timing: await timingOf(page),
    };
  },

  async accuracy(ctx) {
    const { page, mode, base } = ctx;
    const gaps = [];
    // the literal solver too, where f32 is well-conditioned (α = 1e-3; at the small preset's
    // α = 1e-6 its late modes sit at the rounding floor and step when rounding lets them)
    const runs = [["small", ["init_scale=1e-3", "solver=literal"]], ["planted", []]];
    for (const [preset, sets] of runs) {
      const query = sets.map((s) => `&${s}`).join("");
      await page.goto(`${base}/?preset=${preset}${query}${gpuKey(mode)}`);
      await waitFinished(page);
      await expectBackend(page, mode);
      const { gap } = await compareToNative(page, ctx, preset, sets, TOLERANCE[mode]);
      gaps.push(`${preset}${query}: ${gap.toExponential(2)}`);
    }
    return { summary: `max |Δλ| vs CLI: ${gaps.join(", ")}` };
  },

  async directions({ page, base, outDir, mode }) {
    await page.goto(`${base}/?preset=small`);
    await waitFinished(page);
    await page.waitForFunction(() => /^At the end/.test(
      document.getElementById("directions-status").textContent), null, { timeout: 30_000 });
    const status = await page.locator("#directions-status").textContent();
    const figures = await page.locator("#directions figure").count();
    assert(figures === 4, `expected 4 direction images, got ${figures}`);
    assert(/4 of 4 directions match/.test(status), `not every direction learned: ${status}`);
    const ink = await page.evaluate(() => {
      const c = document.querySelector("#directions canvas.learned");
      const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
      let spread = 0;
      for (let i = 0; i < data.length; i += 4) spread = Math.max(spread, Math.abs(data[i] - 128));
      return { width: c.width, spread };
    });
    assert(ink.width === 6 && ink.spread > 20, `the direction image looks empty: ${JSON.stringify(ink)}`);
    // each direction's hover text: its γ learned and predicted and its overlap, from W
    const data = await page.evaluate(() => window.stepwise.call("stepwise", "directions"));
    const titles = await page.locator("#directions figure").evaluateAll((fs) => fs.map((f) => f.title));
    titles.forEach((title, j) => {
      const m = /^direction (\d+): learned vᵀΓv = (\S+), theory γ\d+ = (\S+), overlap \|⟨v, e\d+⟩\| = (\S+)$/
        .exec(title);
      assert(m && Number(m[1]) === j + 1, `direction ${j + 1} hover text "${title}"`);
      const want = [data.gamma_learned[j], data.gamma_theory[j], data.overlap[j]];
      // four significant digits
      [m[2], m[3], m[4]].forEach((shown, k) => assert(
        Math.abs(Number(shown) - want[k]) <= 1e-3 * Math.abs(want[k]),
        `direction ${j + 1}: shown ${shown}, JSON ${want[k]} in "${title}"`));
    });
    await page.locator("#cell-kernel-pca").screenshot({ path: join(outDir, `${mode}-directions.png`) });
    return { summary: status };
  },

  async controls({ page, base }) {
    await page.goto(`${base}/?preset=small`);
    await waitFinished(page);
    const hash = () => canvasHash(page);
    // the record after t = 0: the schedule's first early record (step 1), before the grid's
    const records = await page.evaluate(async () => JSON.parse(await window.stepwise.resultJson()).records);
    const next = records[1].step;
    assert(next === 1 && records.some((r) => r.step === 5), `records at steps ${records.slice(0, 4).map((r) => r.step)}`);
    const linear = await hash();
    await page.check("#log-time");
    await waitRedrawn(page, linear);
    assert((await hash()) !== linear, "the log time axis did not redraw the figure");
    await page.click("#reset");
    await page.waitForFunction(() => document.body.dataset.state === "paused");
    const step = () => page.evaluate(() => window.stepwise.cell.session.progress.step);
    assert((await step()) === 0, "Reset did not restart the run");
    await page.click("#step");
    await page.waitForFunction(() => window.stepwise.cell.session.progress.step > 0);
    assert((await step()) === next, `Step advanced to ${await step()}, not one record (${next} step)`);
    await page.fill("#d", "3");
    await page.click("#run");
    await waitFinished(page);
    const result = await pageResult(page);
    assert(result.config.d === 3 && result.records[0].eigenvalues.length === 3,
      "Run did not pick up d = 3 from the form");
    assert((await page.locator("#preset").inputValue()) === "", "the preset still shows small");
    await page.fill("#lr", "fast");
    await page.click("#run");
    const error = await page.locator("#error").textContent();
    assert(/`lr`: "fast" is not a finite number/.test(error), `bad number message: ${error}`);
    return { summary: "log axis, Reset, Step, form edits, bad input" };
  },

  async share({ page, base, browser }) {
    await page.goto(`${base}/?preset=small&d=3&seed=7&dataset.center=false`);
    await waitFinished(page);
    await page.click("#copy-link");
    await linkReady(page);
    const link = await page.locator("#share-url").inputValue();
    assert(link.startsWith(`${base}/?`) && link.includes("seed=7"), `odd share link ${link}`);
    assert(page.url() === link, `the address bar shows ${page.url()}, not the copied ${link}`);
    // only the keys that matter: the preset, what differs from it, no planted-data keys
    const own = [...new URL(link).searchParams.keys()].filter((k) => !k.includes("."))
      .concat([...new URL(link).searchParams.keys()].filter((k) => k.startsWith("dataset.")));
    assert(JSON.stringify(own) === JSON.stringify(["preset", "d", "seed", "dataset.center"]),
      `cell 1's link keys ${JSON.stringify(own)} in ${link}`);
    const config = await page.evaluate(() => JSON.stringify(window.stepwise.cell.session.info.config));
    const other = await browser.newPage("share: opened link");
    try {
      await other.goto(link);
      await waitFinished(other);
      const again = await other.evaluate(() => JSON.stringify(window.stepwise.cell.session.info.config));
      assert(again === config, `the link gives another config:\n${again}\nvs\n${config}`);
      const notices = await other.locator("#notice-list li").count();
      assert(notices === 0, `the share link produced ${notices} notices`);
      await other.click("#copy-link");
      await linkReady(other);
      const link2 = await other.locator("#share-url").inputValue();
      assert(link2 === link, `copying the link again gives ${link2}, not ${link}`);
    } finally {
      other.problems().forEach((p) => console.error(`     share (opened link): ${p}`));
      await other.close();
    }
    return { summary: `${link.length}-character link round-trips: ${link.slice(base.length)}` };
  },

  async embed({ page, base, outDir, mode }) {
    await page.goto(`${base}/?preset=small&embed=stepwise`);
    await waitFinished(page);
    const visible = await visibleCells(page);
    assert(visible.length === 1 && visible[0] === "cell-stepwise",
      `embed shows the cells ${JSON.stringify(visible)}`);
    for (const hidden of ["#page-header", "#controls", "#cell-stepwise .explain", "#copy-link"]) {
      assert(!(await page.locator(hidden).isVisible()), `${hidden} is visible in embed mode`);
    }
    for (const shown of ["#figure", "#run", "#progress", "#open-notebook"]) {
      assert(await page.locator(shown).isVisible(), `${shown} is hidden in embed mode`);
    }
    await expectDrawn(page);
    await page.screenshot({ path: join(outDir, `${mode}-embed.png`) });
    const page2 = await page.evaluate(() => document.querySelector("#open-notebook").href);
    assert(!page2.includes("embed="), `the notebook link keeps embed: ${page2}`);
    return { summary: "one cell, compact controls" };
  },

  async hostile({ page, base, outDir, mode }) {
    const query = "?d=<script>alert(1)</script>&dataset.n=-5&lr=NaN&init_scale=1e999"
      + "&steps=99999999999&dataset.kind=<img src=x onerror=window.__pwned=1>";
    await page.goto(`${base}/${query}`);
    await page.waitForFunction(() => document.body.dataset.state !== "loading");
    const notices = await page.locator("#notice-list li").allTextContents();
    assert(notices.length >= 5, `expected a notice per bad value, got ${JSON.stringify(notices)}`);
    assert(await page.locator("#notices").isVisible(), "the notices are not visible");
    assert(notices.some((n) => n.includes("<script>")), "the notices do not quote the value");
    for (const want of ["d = “<script>alert(1)</script>” is not a number; using 10",
      "dataset.n = “-5” is not a whole number (0, 1, 2, …); using 500"]) {
      assert(notices.includes(want), `no notice "${want}" in ${JSON.stringify(notices)}`);
    }
    const injected = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll("#notices script, #notices img").length,
    }));
    assert(injected.pwned === null && injected.elements === 0, "markup from the URL ran");
    // the page still runs (the defaults: fig1): wait for progress, then pause
    await page.waitForFunction(() => window.stepwise.cell.session
      && window.stepwise.cell.session.progress.step > 0, null, { timeout: SMALL_RUN_MS });
    // (the truncated default may finish between a check and a click: press it in one go)
    await page.evaluate(() => {
      const pause = document.getElementById("pause");
      if (!pause.disabled) pause.click();
    });
    await page.waitForFunction(() => ["paused", "finished"].includes(document.body.dataset.state),
      null, { timeout: 10_000 });
    await expectDrawn(page);
    assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
    await page.screenshot({ path: join(outDir, `${mode}-hostile.png`), fullPage: true });
    return { summary: `${notices.length} notices, no script ran, run continues` };
  },

  async diverge({ page, base }) {
    await page.goto(`${base}/?preset=small&lr=10`);
    const state = await waitDone(page);
    assert(state === "error", `a run at lr = 10 ended in state ${state}`);
    const error = await page.locator("#error").textContent();
    assert(/diverged/.test(error), `the error does not say it diverged: ${error}`);
    await page.fill("#lr", "");
    await page.click("#run");
    await waitFinished(page);
    assert(!(await page.locator("#error").isVisible()), "the error stays after a good run");
    return { summary: error.slice(0, 70) };
  },

  async fig1(ctx) {
    const { page, mode, base, outDir } = ctx;
    await page.goto(`${base}/?preset=fig1`);
    await waitFinished(page, FIG1_RUN_MS);
    await expectDrawn(page);
    await page.screenshot({ path: join(outDir, `${mode}-fig1.png`), fullPage: true });
    // backend=auto takes the faster backend: on SwiftShader's WebGPU that is the CPU for fig1
    // (issue 15), and the result JSON says which and why
    const notice = (await page.locator("#backend").textContent()) ?? "";
    assert(/^CPU \(/.test(notice), `fig1's backend notice "${notice}" is not the CPU`);
    const { web, gap } = await compareToNative(page, ctx, "fig1", [], TOLERANCE.fallback);
    const choice = web.backend_choice;
    assert(choice?.kind === "cpu", `fig1's result JSON has backend_choice ${JSON.stringify(choice)}`);
    // the page reports its first-figure time (issue 18 §5): navigation → cell 1 finished
    const [firstMs, nowMs] = await page.evaluate(() => [
      Number(document.body.dataset.firstFigureMs), performance.now()]);
    assert(firstMs > 0 && firstMs <= nowMs, `first-figure time ${firstMs} ms (now ${nowMs} ms)`);
    const footer = (await page.locator("#first-figure").textContent()) ?? "";
    const shown = `First figure drawn ${(firstMs / 1000).toFixed(2)} s after this page started `
      + "loading (on the CPU).";
    assert(footer === shown, `the footer says "${footer}", expected "${shown}"`);
    return {
      summary: `max |Δλ| vs CLI ${gap.toExponential(2)}; ${notice}; first figure ${firstMs} ms`,
      timing: await timingOf(page),
    };
  },
};
