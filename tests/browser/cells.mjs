// Browser checks of the cells after Figure 1: "Any small init follows an aligned one"
// (#cell-init) and "Symmetry breaking" (#cell-symmetry). Same contract as checks.mjs.
// The pages use ?preset=planted so that the first cell's own run stays short.

import { join } from "node:path";

import { assert, canvasHash, expectDrawn, visibleCells, waitRedrawn, linkReady } from "./helpers.mjs";

/** Largest max |Δλ| (random − aligned) accepted on the planted preset. */
const PLANTED_GAP = 0.05;
const CELL_MS = 60_000;

/** Waits until cell `id` reaches one of `states`; returns the state. */
async function waitCell(page, id, states, timeout = CELL_MS) {
  await page.waitForFunction(([id, states]) => states.includes(
    document.getElementById(`cell-${id}`).dataset.state), [id, states], { timeout, polling: 50 });
  return page.evaluate((id) => document.getElementById(`cell-${id}`).dataset.state, id);
}

async function waitInitDone(page) {
  // the page computes the cell by itself only once it is in view (www/scheduler.js)
  await page.locator("#cell-init").scrollIntoViewIfNeeded();
  const state = await waitCell(page, "init", ["done", "error"]);
  if (state !== "done") {
    throw new Error(`the init comparison failed: ${await page.locator("#init-error").textContent()}`);
  }
}

function initGap(page) {
  return page.evaluate(() => Number(document.getElementById("init-gap").dataset.gap));
}

function initConfig(page) {
  return page.evaluate(() => window.stepwise.initCell.session.info.config);
}

/** Clicks #init-run and reads the cell's state and status in the same task. */
function clickRunNow(page) {
  return page.evaluate(() => {
    document.getElementById("init-run").click();
    return [document.getElementById("cell-init").dataset.state,
      document.getElementById("init-status").textContent];
  });
}

/** Waits (5 s at most) until the symmetry cell shows an error matching `want` (its input is
 * checked in the worker: the answer comes a few ms after the keystroke). */
function waitError(page, want) {
  return page.waitForFunction(([source, flags]) => {
    const box = document.getElementById("symmetry-error");
    return !box.hidden && new RegExp(source, flags).test(box.textContent)
      && document.getElementById("cell-symmetry").dataset.state === "invalid";
  }, [want.source, want.flags], { timeout: 5000 }).catch(() => {});
}

async function errorText(page, id) {
  const box = page.locator(`#${id}`);
  assert(await box.isVisible(), `#${id} is not shown`);
  return (await box.textContent()) ?? "";
}

function noMarkupRan(page) {
  return page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    elements: document.querySelectorAll(".error img, .error script, #notices img, "
      + "#notices script, .times img").length,
  }));
}

/** The `src` of the iframe snippet in cell `id`'s embed box (after pressing Embed). */
async function embedSrc(page, id) {
  await page.click(`#${id}-embed`);
  await linkReady(page);
  const code = await page.locator(`#${id}-embed-code`).inputValue();
  const src = /src="([^"]+)"/.exec(code)?.[1]?.replaceAll("&amp;", "&");
  assert(src && code.startsWith("<iframe"), `odd embed code ${code}`);
  return src;
}

export const cellChecks = {
  async init({ page, base, outDir, mode }) {
    await page.goto(`${base}/?preset=planted`);
    await waitInitDone(page);
    const gap = await initGap(page);
    const readout = await page.locator("#init-gap").textContent();
    assert(/max \|Δλ\|/.test(readout) && await page.locator("#init-gap").isVisible(),
      `no visible max |Δλ| readout: "${readout}"`);
    assert(gap >= 0 && gap < PLANTED_GAP, `max |Δλ| on planted is ${gap}, not < ${PLANTED_GAP}`);
    await expectDrawn(page, "init-figure");
    await page.locator("#cell-init").screenshot({ path: join(outDir, `${mode}-init.png`) });
    // "Computing…" is up before the blocking call; the keyboard runs it too (Enter in d)
    const [state, status] = await clickRunNow(page);
    assert(state === "computing" && status === "Computing…",
      `pressing Run shows state ${state}, status "${status}"`);
    await waitInitDone(page);
    await page.fill("#init-d", "3");
    await page.fill("#init-seed", "4");
    await page.focus("#init-d");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.stepwise.initCell.session?.info.config.d === 3, null,
      { timeout: CELL_MS });
    await waitInitDone(page);
    const cfg = await initConfig(page);
    assert(cfg.seed === 4 && cfg.dataset.kind === "planted", `Run used ${JSON.stringify(cfg)}`);
    assert((await page.locator("#init-preset").inputValue()) === "", "the preset still shows planted");
    const hash = await canvasHash(page, "init-figure");
    await page.check("#init-log-time");
    await waitRedrawn(page, hash, "init-figure");
    assert((await canvasHash(page, "init-figure")) !== hash, "the log time axis did not redraw");
    // a size over the limit is refused with a message, not frozen on
    await page.selectOption("#init-preset", "fig1");
    await page.click("#init-run");
    assert((await waitCell(page, "init", ["error", "done"])) === "error", "fig1 was not refused");
    const refusal = await errorText(page, "init-error");
    assert(/would take about \d/.test(refusal) && /allow long runs/.test(refusal),
      `refusal message: ${refusal}`);
    await page.fill("#init-init-scale", "tiny");
    await page.click("#init-run");
    const bad = await errorText(page, "init-error");
    assert(/`init_scale`: "tiny" is not a finite number/.test(bad), `bad number message: ${bad}`);
    await page.selectOption("#init-preset", "small");
    await page.click("#init-run");
    await waitInitDone(page);
    assert(!(await page.locator("#init-error").isVisible()), "the error stays after a good run");
    const small = await initGap(page);
    return { summary: `planted max |Δλ| ${gap.toExponential(2)}, small ${small.toExponential(2)}; `
      + "Computing…, Enter, log axis, refusal and bad input" };
  },

  async symmetry({ page, base, outDir, mode }) {
    await page.goto(`${base}/?preset=planted`);
    await waitCell(page, "symmetry", ["drawn"]);
    await expectDrawn(page, "symmetry-figure");
    assert((await page.locator("#symmetry-times li").count()) === 3,
      "the default 1, 0.5, 0.25 does not list 3 escape times");
    await page.locator("#cell-symmetry").screenshot({ path: join(outDir, `${mode}-symmetry.png`) });
    const draws = () => page.evaluate(() => window.stepwise.symmetryCell.draws);
    const before = [await draws(), await canvasHash(page, "symmetry-figure")];
    await page.fill("#symmetry-gammas", "4; 2 1");
    // the worker redraws: wait for it (a few ms), then check the figure
    await page.waitForFunction((n) => window.stepwise.symmetryCell.draws > n
      && document.getElementById("cell-symmetry").dataset.state === "drawn", before[0],
    { timeout: 5000 }).catch(() => {});
    assert((await draws()) > before[0], "typing γ's did not redraw");
    const after = await canvasHash(page, "symmetry-figure");
    assert(after !== before[1], "the figure did not change with the γ's");
    assert((await page.locator("#symmetry-times li").count()) === 3, "not 3 escape times for 4; 2 1");
    const bad = [
      ["1, abc", /γ “abc” is not a finite number/],
      ["1, 1000", /γ = 1000 is out of range/],
      ["", /give 1 to 8 values of γ/],
      ["1 2 3 4 5 6 7 8 9", /9 values of γ: give at most 8/],
      ["1, NaN", /γ “NaN” is not a finite number/],
      ["<img src=x onerror=window.__pwned=1>", /is not a finite number/],
    ];
    for (const [text, want] of bad) {
      const n = await draws();
      await page.fill("#symmetry-gammas", text);
      await waitError(page, want);
      const message = await errorText(page, "symmetry-error");
      assert(want.test(message), `γ "${text}": message "${message}" does not match ${want}`);
      assert((await draws()) === n, `γ "${text}" redrew the figure`);
      assert((await page.evaluate(() => document.getElementById("cell-symmetry").dataset.state))
        === "invalid", `γ "${text}" is not marked invalid`);
    }
    assert((await canvasHash(page, "symmetry-figure")) === after, "bad input changed the figure");
    await page.fill("#symmetry-gammas", "2");
    await page.fill("#symmetry-init", "0.5");
    await waitError(page, /s\(0\) = 0.5 is not small/);
    const init = await errorText(page, "symmetry-error");
    assert(/s\(0\) = 0.5 is not small for γ = 2/.test(init), `s(0) message: ${init}`);
    await page.fill("#symmetry-init", "1e-4");
    await waitCell(page, "symmetry", ["drawn"], 5000).catch(() => {});
    assert(!(await page.locator("#symmetry-error").isVisible()), "the error stays after good input");
    const injected = await noMarkupRan(page);
    assert(injected.pwned === null && injected.elements === 0, "markup from the γ field ran");
    assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
    return { summary: `redraws on input, ${bad.length + 1} bad inputs refused with a message` };
  },

  async "cell-embed"({ page, base, outDir, mode, browser }) {
    await page.goto(`${base}/?preset=planted`);
    await waitInitDone(page);
    await waitCell(page, "symmetry", ["drawn"]);
    await page.fill("#init-d", "3");
    await page.fill("#symmetry-gammas", "2, 1");
    const summaries = [];
    for (const [id, shown, hidden] of [
      ["init", ["#init-figure", "#init-run", "#init-gap", "#init-open-notebook"],
        ["#init-controls", "#cell-init .explain", "#init-copy-link", "#page-header"]],
      ["symmetry", ["#symmetry-figure", "#symmetry-gammas", "#symmetry-open-notebook"],
        ["#cell-symmetry .explain", "#symmetry-copy-link", "#symmetry-times", "#page-header"]],
    ]) {
      const src = await embedSrc(page, id);
      assert(src.includes(`embed=${id}`) && !/(^|[?&])(d|preset)=/.test(src),
        `the ${id} embed link carries more than its cell: ${src}`);
      const other = await browser.newPage(`cell-embed: ${id}`);
      try {
        await other.goto(src);
        if (id === "init") await waitInitDone(other);
        else await waitCell(other, id, ["drawn"]);
        const visible = await visibleCells(other);
        assert(visible.length === 1 && visible[0] === `cell-${id}`,
          `embed=${id} shows the cells ${JSON.stringify(visible)}`);
        for (const sel of shown) assert(await other.locator(sel).isVisible(), `${sel} is hidden`);
        for (const sel of hidden) assert(!(await other.locator(sel).isVisible()), `${sel} shows`);
        await expectDrawn(other, `${id}-figure`);
        const idle = await other.evaluate(() => window.stepwise.cell.session === null);
        assert(idle, `embed=${id} started the first cell's run`);
        if (id === "init") {
          assert((await initConfig(other)).d === 3, "the embedded init cell lost d = 3");
        } else {
          assert((await other.locator("#symmetry-gammas").inputValue()) === "2,1",
            "the embedded symmetry cell lost its γ's");
          const n = await other.evaluate(() => window.stepwise.symmetryCell.draws);
          await other.fill("#symmetry-gammas", "3");
          await other.waitForFunction((n) => window.stepwise.symmetryCell.draws > n, n,
            { timeout: 5000 }).catch(() => {});
          assert((await other.evaluate(() => window.stepwise.symmetryCell.draws)) > n,
            "the embedded symmetry cell does not redraw on input");
        }
        const open = await other.locator(`#${id}-open-notebook`).getAttribute("href");
        assert(!open.includes("embed="), `the notebook link keeps embed: ${open}`);
        await other.screenshot({ path: join(outDir, `${mode}-embed-${id}.png`) });
        summaries.push(`${id}: one cell`);
      } finally {
        other.problems().forEach((p) => console.error(`     cell-embed (${id}): ${p}`));
        await other.close();
      }
    }
    return { summary: summaries.join(", ") };
  },

  async "cell-share"({ page, base, browser }) {
    await page.goto(`${base}/?preset=planted&seed=3`);
    await waitInitDone(page);
    await page.fill("#init-d", "3");
    await page.fill("#init-init-scale", "2e-5");
    await page.fill("#init-seed", "5");
    await page.click("#init-run");
    await page.waitForFunction(() => window.stepwise.initCell.session?.info.config.seed === 5);
    await page.check("#init-log-time");
    await page.fill("#symmetry-gammas", "2; 0.5");
    await page.fill("#symmetry-init", "1e-4");
    await page.click("#init-copy-link");
    await linkReady(page);
    const link = await page.locator("#init-share-url").inputValue();
    for (const part of ["init.preset=planted", "init.d=3", "init.seed=5", "init.log_time=true",
      "symmetry.gammas=2,0.5", "symmetry.init=1e-4", "&seed=3"]) {
      assert(link.includes(part), `the link lacks ${part}: ${link}`);
    }
    await page.click("#symmetry-copy-link");
    await linkReady(page);
    const link2 = await page.locator("#symmetry-share-url").inputValue();
    assert(link2 === link, `the two cells' links differ:\n${link}\n${link2}`);
    const config = await initConfig(page);
    const other = await browser.newPage("cell-share: opened link");
    try {
      await other.goto(link);
      await waitInitDone(other);
      await waitCell(other, "symmetry", ["drawn"]);
      const notices = await other.locator("#notice-list li").allTextContents();
      assert(notices.length === 0, `the link produced notices: ${JSON.stringify(notices)}`);
      const again = await initConfig(other);
      assert(JSON.stringify(again) === JSON.stringify(config),
        `the link gives another init config:\n${JSON.stringify(again)}\nvs\n${JSON.stringify(config)}`);
      assert(await other.locator("#init-log-time").isChecked(), "log time axis not restored");
      assert((await other.locator("#init-d").inputValue()) === "3", "init d not in the form");
      assert((await other.locator("#symmetry-gammas").inputValue()) === "2,0.5"
        && (await other.locator("#symmetry-init").inputValue()) === "1e-4",
        "the symmetry inputs were not restored");
      const main = await other.evaluate(() => window.stepwise.cell.config);
      assert(main.seed === 3 && main.dataset.kind === "planted", "the first cell's state was lost");
      await other.click("#init-copy-link");
      await linkReady(other);
      const again2 = await other.locator("#init-share-url").inputValue();
      assert(again2 === link, `copying the link again gives ${again2}, not ${link}`);
      // hostile prefixed keys: notices, no markup, the defaults
      await other.goto(`${base}/?preset=planted&init.d=<script>x</script>&symmetry.foo=1`
        + "&symmetry.gammas=<img src=x onerror=window.__pwned=1>&init.preset=nope");
      await waitInitDone(other);
      await waitCell(other, "symmetry", ["drawn"]);
      const hostile = await other.locator("#notice-list li").allTextContents();
      assert(hostile.length >= 4 && hostile.some((n) => n.includes("<img")),
        `expected notices for the bad cell keys, got ${JSON.stringify(hostile)}`);
      const injected = await noMarkupRan(other);
      assert(injected.pwned === null && injected.elements === 0, "markup from the URL ran");
      assert((await other.locator("#symmetry-gammas").inputValue()) === "1, 0.5, 0.25",
        "bad γ's in the link did not fall back to the defaults");
    } finally {
      other.problems().forEach((p) => console.error(`     cell-share (opened link): ${p}`));
      await other.close();
    }
    return { summary: `${link.length}-character link restores both cells` };
  },
};
