// Browser checks of the MLP cells, "A wide network" (#cell-mlp) and "Hidden representations
// learn in steps too" (#cell-hidden). Same contract as checks.mjs. The pages use
// ?preset=planted so that the first cell's own run stays short, and the small MLP presets
// (SwiftShader's WebGPU is slow).

import { join } from "node:path";

import { assert, expectDrawn, visibleCells, linkReady, settled, gpuKey } from "./helpers.mjs";
import { maxEigenGap, nativeResult } from "./native.mjs";

const RUN_MS = 120_000;
const SMALL = "mlp-small-bt";
/** |Δλ| allowed against the native CLI: the CPU backend in wasm vs natively (f32 faer
 * sums in another order; the steps amplify rounding near their times). */
const CPU_TOLERANCE = 0.02;

/** Waits until cell `id` reaches one of `states`; returns the state. */
export async function waitCell(page, id, states, timeout = RUN_MS) {
  await page.waitForFunction(([id, states]) => states.includes(
    document.getElementById(`cell-${id}`).dataset.state), [id, states], { timeout, polling: 50 });
  return page.evaluate((id) => document.getElementById(`cell-${id}`).dataset.state, id);
}

/** Presses Run in cell `id` and waits for the run to finish. */
export async function runToEnd(page, id) {
  await waitCell(page, id, ["idle", "paused", "finished", "error"]);
  await page.click(`#${id}-run`);
  const state = await waitCell(page, id, ["finished", "error"]);
  if (state !== "finished") {
    throw new Error(`the ${id} run ended in state ${state}: `
      + `${await page.locator(`#${id}-error`).textContent()}`);
  }
}

/** The cell's result JSON, checked: records whose final loss is below the first. */
async function result(page, id) {
  const text = await page.evaluate((id) => {
    const cell = window.stepwise[`${id}Cell`];
    return cell.session ? cell.session.export("json") : null;
  }, id);
  assert(text, `the ${id} cell has no result`);
  const r = JSON.parse(text);
  const [first, last] = [r.records[0], r.records.at(-1)];
  assert(r.records.length > 2 && last.loss < first.loss,
    `${id}: final loss ${last?.loss} is not below the first ${first?.loss}`);
  assert(last.step === r.config.steps, `${id}: the last record is at step ${last.step}`);
  return r;
}

export async function expectBackend(page, id, mode) {
  const notice = (await page.locator(`#${id}-backend`).textContent()) ?? "";
  const want = mode === "webgpu" ? /^WebGPU: / : /^CPU \(/;
  assert(want.test(notice), `${id} backend notice "${notice}" does not match ${want}`);
  return notice;
}

async function summary(page, id) {
  return (await page.locator(`#${id}-summary`).textContent()) ?? "";
}

function config(page, id) {
  return page.evaluate((id) => window.stepwise[`${id}Cell`].session.info.config, id);
}

/** Opens `link` in a new page, runs cell `id` and returns its result. */
async function runLink(browser, link, id) {
  const other = await browser.newPage(`opened ${id} link`);
  try {
    await other.goto(link);
    await runToEnd(other, id);
    const notices = await other.locator("#notice-list li").allTextContents();
    assert(notices.length === 0, `the ${id} link gives notices ${JSON.stringify(notices)}`);
    return await result(other, id);
  } finally {
    other.problems().forEach((p) => console.error(`     ${id} link: ${p}`));
    await other.close();
  }
}

export const mlpChecks = {
  async mlp({ page, base, mode, root, outDir, browser }) {
    await page.goto(`${base}/?preset=planted&mlp.preset=${SMALL}${gpuKey(mode)}`);
    assert((await waitCell(page, "mlp", ["idle"])) === "idle", "the MLP cell did not wait");
    await runToEnd(page, "mlp");
    const notice = await expectBackend(page, "mlp", mode);
    await expectDrawn(page, "mlp-figure");
    const text = await summary(page, "mlp");
    // width 64 on n = 24 pairs is below 20 hidden units per pair: no NTK theory, and it says so
    for (const part of ["mode 1 at t =", "mode 3 at t =", "No NTK theory", "Alignment"]) {
      assert(text.includes(part), `the summary lacks "${part}": ${text}`);
    }
    assert(!text.includes("NTK τ"), `the summary quotes the NTK outside its regime: ${text}`);
    const web = await result(page, "mlp");
    let gap = "";
    if (mode === "fallback") {
      const g = maxEigenGap(web, await nativeResult(root, SMALL));
      assert(g <= CPU_TOLERANCE, `eigenvalues differ from the CLI's by ${g}`);
      gap = `; max |Δλ| vs CLI ${g.toExponential(2)}`;
    }
    await page.locator("#cell-mlp").screenshot({ path: join(outDir, `${mode}-mlp.png`) });
    // the form's run, then its link: the same configuration and trajectory
    await page.selectOption("#mlp-loss", "vicreg");
    await page.fill("#mlp-seed", "3");
    await page.fill("#mlp-lr", "0.01");
    await page.fill("#mlp-steps", "400");
    await runToEnd(page, "mlp");
    const ran = await result(page, "mlp");
    assert(ran.config.loss === "vicreg" && ran.config.seed === 3, "Run ignored the form");
    await page.click("#mlp-copy-link");
    await linkReady(page);
    const link = await page.locator("#mlp-share-url").inputValue();
    for (const part of [/mlp\.(loss=vicreg|preset=mlp-small-vicreg)/, /mlp\.seed=3/,
      /mlp\.steps=400/]) {
      assert(part.test(link), `the link lacks ${part}: ${link}`);
    }
    const again = await runLink(browser, link, "mlp");
    assert(JSON.stringify(again.config) === JSON.stringify(ran.config),
      `the link gives another config: ${JSON.stringify(again.config)}`);
    assert(again.records.at(-1).loss === ran.records.at(-1).loss,
      `the link's run ends at loss ${again.records.at(-1).loss}, not ${ran.records.at(-1).loss}`);
    return { summary: `${notice.slice(0, 50)}; ${web.records.length} records${gap}; link round-trips` };
  },

  async hidden({ page, base, mode, outDir }) {
    await page.goto(`${base}/?preset=planted&hidden.preset=${SMALL}${gpuKey(mode)}`);
    await runToEnd(page, "hidden");
    await expectBackend(page, "hidden", mode);
    await expectDrawn(page, "hidden-figure");
    const text = await summary(page, "hidden");
    assert(/mode 3 at t =/.test(text) && /\d+% of that change happened during the embedding's steps/
      .test(text), `the hidden summary: ${text}`);
    // cell 6's own result: each step's time next to the hidden spectrum's fastest change,
    // computed in Rust (summary_json().steps) and drawn (panel B: one dot per mode)
    const s = await page.evaluate(() => window.stepwise.call("hidden", "summary"));
    assert(s.steps.length === 3 && s.steps.every((a) => a.hidden_peak >= a.window[0]
      && a.hidden_peak <= a.window[1]), `step alignment ${JSON.stringify(s.steps)}`);
    assert(/mode 1 stepped at t = [\d.e+-]+, the hidden spectrum changed fastest at t = /
      .test(text), `the hidden summary lacks the alignment: ${text}`);
    const svg = await page.evaluate(() => window.stepwise.exportOf("hidden", "hidden_svg", { log_time: false }));
    assert(svg.includes("fastest hidden change vs step") && !svg.includes("eigenvalues of C"),
      "cell 6 draws cell 5's figure");
    const r = await result(page, "hidden");
    assert(r.hidden.length === r.records.length && r.hidden[0].eigenvalues.length === 6,
      `${r.hidden.length} hidden records of ${r.hidden[0]?.eigenvalues.length} eigenvalues`);
    await page.locator("#cell-hidden").screenshot({ path: join(outDir, `${mode}-hidden.png`) });
    // a lost GPU device mid-run: the run restarts on the CPU
    await page.fill("#hidden-steps", "3000");
    await page.click("#hidden-run");
    // the new session (the finished one stays until the new one is prepared)
    await page.waitForFunction(() => document.getElementById("cell-hidden").dataset.state
      === "running" && window.stepwise.hiddenCell.session?.progress.step > 0
      && !window.stepwise.hiddenCell.session?.progress.finished,
      null, { timeout: RUN_MS, polling: 20 });
    const lost = await page.evaluate(() => window.stepwise.call("hidden", "simulate_gpu_loss"));
    assert(lost === (mode === "webgpu"), `simulate_gpu_loss() says ${lost} in ${mode} mode`);
    await waitCell(page, "hidden", ["finished", "error"]);
    const notice = (await page.locator("#hidden-backend").textContent()) ?? "";
    if (lost) {
      assert(/^CPU \(the GPU stopped at step \d+: .*(restarted|continues) on the CPU/.test(notice),
        `after the device loss the notice is "${notice}"`);
      const after = await result(page, "hidden");
      assert(after.backend === "cpu-f32", `the restarted run's backend is ${after.backend}`);
    }
    return { summary: lost ? `GPU loss: ${notice.slice(0, 60)}…` : text.slice(0, 90) };
  },

  async "mlp-errors"({ page, base }) {
    await page.goto(`${base}/?preset=planted&mlp.preset=${SMALL}&mlp.lr=50`);
    await page.click("#mlp-run");
    assert((await waitCell(page, "mlp", ["finished", "error"])) === "error", "lr = 50 ran");
    const diverged = (await page.locator("#mlp-error").textContent()) ?? "";
    assert(/diverged/.test(diverged), `the error does not say it diverged: ${diverged}`);
    await page.fill("#mlp-hidden-scale", "wide");
    await page.click("#mlp-run");
    await settled(page, "mlp");
    const bad = (await page.locator("#mlp-error").textContent()) ?? "";
    assert(/`hidden_scale`: "wide" is not a finite number/.test(bad), `bad number message: ${bad}`);
    await page.fill("#mlp-hidden-scale", "1");
    await page.fill("#mlp-width", "100000");
    await page.click("#mlp-run");
    await settled(page, "mlp");
    const big = (await page.locator("#mlp-error").textContent()) ?? "";
    assert(/width/.test(big) && !/diverged/.test(big), `out-of-range width message: ${big}`);
    await page.fill("#mlp-width", "64");
    await page.fill("#mlp-lr", "");
    await runToEnd(page, "mlp");
    assert(!(await page.locator("#mlp-error").isVisible()), "the error stays after a good run");
    // within every key's range, but over the page's 512 MiB (docs/architecture.md §7)
    await page.goto(`${base}/?preset=planted&mlp.preset=${SMALL}&mlp.dataset.n=1024`
      + "&mlp.dataset.crop=4&mlp.dataset.base=8&mlp.width=8192");
    await page.click("#mlp-run");
    await settled(page, "mlp");
    const heavy = (await page.locator("#mlp-error").textContent()) ?? "";
    assert(/`width`/.test(heavy) && /512 MiB/.test(heavy), `over-budget message: ${heavy}`);
    return {
      summary: `${diverged.slice(0, 60)}…; bad number, out-of-range width and a run over `
        + "512 MiB refused",
    };
  },

  async "mlp-hostile"({ page, base }) {
    const query = "?preset=planted&mlp.width=<script>alert(1)</script>&mlp.lr=NaN"
      + "&mlp.loss=<img src=x onerror=window.__pwned=1>&hidden.preset=nope"
      + "&hidden.steps=-4&hidden.hidden_top=1e9&mlp.bogus=1";
    await page.goto(`${base}/${query}`);
    await waitCell(page, "mlp", ["idle"]);
    await waitCell(page, "hidden", ["idle"]);
    const notices = await page.locator("#notice-list li").allTextContents();
    const mine = notices.filter((n) => /^(Wide network|Hidden representations): /.test(n));
    assert(mine.length >= 7, `expected a notice per bad value, got ${JSON.stringify(notices)}`);
    assert(mine.some((n) => n.includes("<script>")), "the notices do not quote the value");
    const injected = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll("#notices script, #notices img, .summary img").length,
    }));
    assert(injected.pwned === null && injected.elements === 0, "markup from the URL ran");
    assert((await page.locator("#mlp-width").inputValue()) === "2048", "width did not fall back");
    assert((await page.locator("#mlp-loss").inputValue()) === "barlow-twins", "loss did not fall back");
    assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
    return { summary: `${mine.length} notices, defaults kept, no script ran` };
  },

  async "mlp-cpu-width"({ page, base }) {
    // before Run the cell states the CPU run's cost (steps, seconds from the cost model)
    await page.goto(`${base}/?preset=planted&backend=cpu`);
    await waitCell(page, "mlp", ["idle"]);
    const idle = (await page.locator("#mlp-status").textContent()) ?? "";
    const cost = /on the CPU: about ([\d,]+) steps, about ([\d.]+) s/.exec(idle);
    assert(cost && Number(cost[2]) >= 5 && Number(cost[2]) <= 30, `status before Run: ${idle}`);
    // fig2-bt keeps its width 2048 on the CPU (backend=cpu in both modes) and takes the CPU
    // preset's smaller data, so that the NTK theory still holds …
    await page.click("#mlp-run");
    await page.waitForFunction(() => window.stepwise.mlpCell.session?.progress.step > 0,
      null, { timeout: RUN_MS, polling: 50 });
    await page.click("#mlp-pause");
    const notice = (await page.locator("#mlp-backend").textContent()) ?? "";
    assert(/CPU fallback: n = 32 pairs, m = 48 instead of n = 100 pairs, m = 192 \(width 2048 kept/
      .test(notice), `notice: ${notice}`);
    const ran = await config(page, "mlp");
    assert(ran.width === 2048 && ran.dataset.n === 32 && ran.dataset.crop === 4,
      `the CPU run is ${JSON.stringify(ran)}`);
    assert((await page.locator("#mlp-width").inputValue()) === "2048", "the form lost the width");
    const estimate = await page.evaluate(() =>
      window.stepwise.mlpCell.session.info.estimate);
    assert(estimate.steps === (await page.evaluate(() => window.stepwise.mlpCell.session
      .progress.total)) && estimate.seconds > 3 && estimate.seconds < 40,
    `estimate ${JSON.stringify(estimate)}`);
    await page.click("#mlp-copy-link");
    await linkReady(page);
    const link = await page.locator("#mlp-share-url").inputValue();
    assert(link.includes("mlp.preset=fig2-bt-cpu") && link.includes("backend=cpu"),
      `link: ${link}`);
    // … but not when the reader set the width: then, below 20 units per pair, the figure
    // and the summary say that the NTK theory does not hold
    await page.goto(`${base}/?preset=planted&backend=cpu&mlp.width=300`);
    await waitCell(page, "mlp", ["idle"]);
    await page.click("#mlp-run");
    await page.waitForFunction(() => window.stepwise.mlpCell.session?.progress.step > 0,
      null, { timeout: RUN_MS, polling: 50 });
    await page.click("#mlp-pause");
    const kept = (await page.locator("#mlp-backend").textContent()) ?? "";
    const narrow = await config(page, "mlp");
    assert(!/CPU fallback/.test(kept) && narrow.width === 300 && narrow.dataset.n === 100,
      `an explicit width was changed: ${kept}`);
    const svg = await page.evaluate(() => window.stepwise.exportOf("mlp", "svg", { log_time: false }));
    // the note may wrap over several lines (<text> elements) to stay inside the panel
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].trim())
      .join(" ").replaceAll("&lt;", "<");
    assert(texts.includes("no NTK theory: width 300 < 20·n = 2000"),
      `the figure lacks the note: ${texts.slice(0, 300)}`);
    assert(/No NTK theory/.test(await summary(page, "mlp")), "the summary lacks the note");
    return { summary: `${idle.slice(idle.indexOf("on the CPU"))}; `
      + `${notice.slice(notice.indexOf("CPU fallback"), notice.indexOf("(width"))}` };
  },

  async "mlp-embed"({ browser, base, mode, outDir }) {
    const shown = [];
    for (const id of ["mlp", "hidden"]) {
      const page = await browser.newPage(`mlp-embed: ${id}`);
      try {
        await page.goto(`${base}/?${id}.preset=${SMALL}&embed=${id}`);
        const state = await waitCell(page, id, ["finished", "error"]);
        assert(state === "finished", `embed=${id} ended in state ${state}`);
        const visible = await visibleCells(page);
        assert(visible.length === 1 && visible[0] === `cell-${id}`,
          `embed=${id} shows the cells ${JSON.stringify(visible)}`);
        for (const sel of [`#${id}-controls`, `#cell-${id} .explain`, `#${id}-copy-link`]) {
          assert(!(await page.locator(sel).isVisible()), `${sel} shows in embed=${id}`);
        }
        await expectDrawn(page, `${id}-figure`);
        await page.screenshot({ path: join(outDir, `${mode}-embed-${id}.png`) });
        shown.push(id);
      } finally {
        page.problems().forEach((p) => console.error(`     mlp-embed (${id}): ${p}`));
        await page.close();
      }
    }
    return { summary: `embed=${shown.join(", embed=")}: one cell, runs by itself` };
  },
};
