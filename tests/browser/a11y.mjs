// Browser checks of accessibility and devices: axe-core finds no serious or critical
// violation, the keyboard reaches and runs cell 1 with a visible focus ring, a 375 px phone
// needs no horizontal scroll, dark mode darkens the page and the plots (motion: reduced motion
// throttles the live redraws). Same contract as checks.mjs; the scheduler's checks (cells wait
// until visible, pause with the tab, one at a time) are in kind.mjs.

import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { assert, canvasInk } from "./helpers.mjs";

const RUN_MS = 120_000;
/** Cell 1's query for a run of half a minute or more: the eigenbasis solver (the truncated
 * default runs fig1's 600k steps in about a second). */
export const LONG_RUN = "preset=fig1&solver=eigenbasis&steps=600000&record_every=100";
/** Tab presses allowed to reach cell 1's Run button. */
const MAX_TABS = 60;

/** Waits until cell 1 has finished (throws on another end). */
async function waitFinished(page, timeout = RUN_MS) {
  await page.waitForFunction(
    () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
    null, { timeout, polling: 100 },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  assert(state === "finished", `cell 1 ended in state ${state}`);
}

/** Relative luminance (0 black to 1 white) of a CSS colour "rgb(r, g, b)". */
function luminance(css) {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Share of canvas #`id`'s pixels that are dark (each channel below 80). */
function darkShare(page, id) {
  return page.evaluate((id) => {
    const { data } = window.stepwise.pixels(id);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 80 && data[i + 1] < 80 && data[i + 2] < 80) dark += 1;
    }
    return dark / (data.length / 4);
  }, id);
}

/** The canvas's backing-store pixel at its top-left corner (the background). */
function cornerPixel(page, id) {
  return page.evaluate((id) => {
    return [...window.stepwise.pixels(id, 3, 3, 1, 1).data.slice(0, 3)];
  }, id);
}

/** Counts cell 1's draw() calls from now on (wraps the session class's method). */
function countDraws(page) {
  return page.evaluate(() => {
    const proto = Object.getPrototypeOf(window.stepwise.cell.session);
    if (!proto.__countedDraw) {
      const draw = proto.draw;
      proto.__countedDraw = true;
      proto.draw = function counted(...args) {
        window.__draws = (window.__draws ?? 0) + 1;
        return draw.apply(this, args);
      };
    }
    window.__draws = 0;
  });
}

/** axe-core's violations on the page as it is: [{id, impact, help, nodes}]. */
async function axeViolations(page, root) {
  // evaluated through the devtools protocol: the page's content security policy refuses
  // the inline <script> that addScriptTag would add
  await page.evaluate(await readFile(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8"));
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
}

/** Checks cell 1's canvas is described by a text of the run's step times (the numbers of
 * its result JSON); returns the text. */
async function describedFigure(page) {
  const { text, by, tau, d } = await page.evaluate(async () => {
    const result = JSON.parse(await window.stepwise.resultJson());
    const canvas = document.getElementById("figure");
    return {
      text: document.getElementById(canvas.getAttribute("aria-describedby")).textContent,
      by: canvas.getAttribute("aria-describedby"),
      tau: result.theory.tau,
      d: result.config.d,
    };
  });
  assert(by === "figure-summary", `the figure is described by #${by}`);
  for (let j = 0; j < d; j += 1) {
    const num = "([\\d.e+-]+)";
    const m = new RegExp(`mode ${j + 1} learned at t ≈ ${num}, theory τ${j + 1} = ${num}`, "i")
      .exec(text);
    assert(m, `the figure text lacks mode ${j + 1}: ${text}`);
    const [t, theory] = [Number(m[1]), Number(m[2])];
    assert(Math.abs(theory - tau[j]) <= 0.01 * tau[j],
      `the text's τ${j + 1} = ${theory}, the result's ${tau[j]}`);
    // on the planted preset the experiment follows the theory closely, and the text's time
    // is interpolated between records (tests/theory_vs_simulation.rs measures < 2%)
    assert(Math.abs(t - tau[j]) <= 0.03 * tau[j], `mode ${j + 1} at t ≈ ${t}, τ = ${tau[j]}`);
  }
  return text;
}

export const a11yChecks = {
  async axe({ page, base, root }) {
    const counts = [];
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${base}/?preset=planted`);
      await waitFinished(page);
      const found = await axeViolations(page, root);
      const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of found) {
        console.log(`     axe ${colorScheme} ${v.impact}: ${v.id} (${v.help}) at `
          + v.nodes.join(", "));
      }
      assert(bad.length === 0, `axe found ${bad.length} serious or critical violations in `
        + `${colorScheme} mode: ${bad.map((v) => `${v.id} at ${v.nodes.join(", ")}`).join("; ")}`);
      counts.push(`${colorScheme} ${found.length}`);
    }
    const described = await describedFigure(page);
    return { summary: `no serious or critical violation (minor or moderate: ${counts.join(", ")}); `
      + `figure text: ${described.slice(0, 60)}…` };
  },

  async keyboard({ page, base, mode, outDir }) {
    await page.goto(`${base}/?preset=planted`);
    await waitFinished(page);
    await page.evaluate(() => document.activeElement?.blur());
    let tabs = 0;
    let active = "";
    while (active !== "run" && tabs < MAX_TABS) {
      await page.keyboard.press("Tab");
      tabs += 1;
      active = await page.evaluate(() => document.activeElement?.id ?? "");
    }
    assert(active === "run", `${MAX_TABS} Tab presses did not reach #run (at #${active})`);
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { width: parseFloat(s.outlineWidth), style: s.outlineStyle };
    });
    assert(ring.width > 0 && ring.style !== "none",
      `no visible focus outline on #run: ${JSON.stringify(ring)}`);
    await page.locator("#controls").screenshot({ path: join(outDir, `keyboard-${mode}.png`) });
    // Enter on the focused Run starts a fresh run: record every state it goes through
    // (and where the focus is in each: Pause while Run is disabled, Run again at the end)
    await page.evaluate(() => {
      window.__states = [];
      window.__focus = [];
      new MutationObserver(() => {
        window.__states.push(document.body.dataset.state);
        window.__focus.push(`${document.body.dataset.state}:${document.activeElement?.id || "body"}`);
      }).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
    });
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__states.includes("running")
      || window.__states.includes("error"), null, { timeout: RUN_MS });
    await waitFinished(page);
    const focus = await page.evaluate(() => window.__focus);
    // (while "Preparing…" every control is disabled: the focus comes back after it)
    const lost = focus.filter((f) => f.endsWith(":body") && !f.startsWith("preparing:"));
    assert(lost.length === 0, `focus dropped to the body after Enter on Run: ${focus.join(" → ")}`);
    assert(focus.includes("running:pause"), `Run disabled but Pause not focused: ${focus.join(" → ")}`);
    const after = await page.evaluate(() => document.activeElement?.id);
    assert(after === "run", `after the run the focus is on #${after}, not #run`);
    // Space toggles a focused checkbox (the log time axis, further along)
    let log = false;
    for (let i = 0; i < MAX_TABS && !log; i += 1) {
      await page.keyboard.press("Tab");
      log = await page.evaluate(() => document.activeElement?.id === "log-time");
    }
    assert(log, "Tab did not reach the log time axis box");
    await page.keyboard.press("Space");
    assert(await page.locator("#log-time").isChecked(), "Space did not tick log time axis");
    const states = await page.evaluate(() => window.__states.join(" → "));
    return { summary: `#run after ${tabs} Tabs, outline ${ring.width}px; Enter: ${states}; `
      + `focus ${focus.join(" → ")} → run` };
  },

  async phone({ page, base, outDir, mode }) {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/?preset=planted`);
    await waitFinished(page);
    const sizes = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      canvases: [...document.querySelectorAll("canvas")]
        .filter((c) => c.offsetParent !== null).map((c) => c.getBoundingClientRect().right),
      table: document.querySelector(".table-wrap").getBoundingClientRect().right,
    }));
    assert(sizes.scroll <= 375, `the page is ${sizes.scroll} px wide on a 375 px phone`);
    assert(sizes.canvases.every((r) => r <= 375), `a canvas sticks out: ${sizes.canvases}`);
    assert(sizes.table <= 375, `the table's box sticks out to ${sizes.table} px`);
    // the figure's two panels are drawn one above the other, each nearly the canvas's width
    const stacked = await page.evaluate(() => {
      const { panels } = window.stepwise.figureLayout("figure");
      const c = document.getElementById("figure");
      return { panels, width: c.width, height: c.height };
    });
    const [a, b] = stacked.panels;
    assert(stacked.height > stacked.width && b.top > a.bottom
      && Math.min(a.right - a.left, b.right - b.left) > 0.6 * stacked.width,
    `the phone figure's panels are not stacked: ${JSON.stringify(stacked)}`);
    await page.evaluate(() => document.getElementById("controls").scrollIntoView());
    await page.screenshot({ path: join(outDir, `${mode}-phone.png`) });
    if (mode === "fallback") await page.screenshot({ path: join(outDir, "phone.png") });
    await page.locator("#figure").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outDir, `${mode}-phone-figure.png`) });
    return {
      summary: `scrollWidth ${sizes.scroll} px, ${sizes.canvases.length} canvases fit; figure `
        + `${stacked.width}x${stacked.height} px, panels stacked`,
    };
  },

  async dark({ page, base, outDir, mode }) {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${base}/?preset=planted`);
    await waitFinished(page);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert(luminance(bg) < 0.05, `the dark page's background is ${bg}`);
    const corner = await cornerPixel(page, "figure");
    assert(corner.every((v) => v < 60), `the figure's background is ${corner} in dark mode`);
    const share = await darkShare(page, "figure");
    assert(share > 0.5, `only ${(share * 100).toFixed(0)}% of the dark figure is dark`);
    const ink = await canvasInk(page, "figure");
    assert(ink.colour > 0.002, "no coloured curves on the dark figure");
    await page.evaluate(() => document.getElementById("controls").scrollIntoView());
    await page.screenshot({ path: join(outDir, `${mode}-dark.png`) });
    if (mode === "fallback") await page.screenshot({ path: join(outDir, "dark.png") });
    // switching back to light redraws the figures at once
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => window.stepwise.pixels("figure", 3, 3, 1, 1).data[0] > 200,
      null, { timeout: 5000 });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert(luminance(light) > 0.8, `the light page's background is ${light}`);
    return { summary: `body ${bg}, figure ${(share * 100).toFixed(0)}% dark, light again` };
  },

  async motion({ page, base }) {
    // reduced motion: a live run redraws about once a second, not every frame
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.goto(`${base}/?${LONG_RUN}`);
    await page.waitForFunction(() => window.stepwise.cell.runMs > 0, null, { timeout: RUN_MS });
    await countDraws(page);
    const t0 = Date.now();
    await page.waitForTimeout(3000);
    const draws = await page.evaluate(() => window.__draws);
    const secs = (Date.now() - t0) / 1000;
    assert((await page.evaluate(() => document.body.dataset.state)) === "running",
      "the long run ended before the count");
    assert(draws >= 1 && draws <= secs + 2,
      `${draws} redraws in ${secs.toFixed(1)} s under reduced motion`);
    const smooth = await page.evaluate(() => getComputedStyle(document.documentElement)
      .scrollBehavior);
    assert(smooth !== "smooth", "smooth scrolling under reduced motion");
    // without the preference the same run redraws every frame or so
    await page.emulateMedia({ reducedMotion: "no-preference" });
    await countDraws(page);
    await page.waitForTimeout(2000);
    const live = await page.evaluate(() => window.__draws);
    // reduced motion would allow 3 at most in 2 s
    assert(live >= 6, `only ${live} redraws in 2 s without reduced motion`);
    return { summary: `${draws} draws in ${secs.toFixed(1)} s reduced, ${live} in 2 s not` };
  },
};
