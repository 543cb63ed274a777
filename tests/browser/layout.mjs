// Browser check "layout": every cell's figure and every embed at 375, 700, 820 and 1280 px
// read well, judged from the layout the page's wasm returns for each drawn figure
// (figure_layout_json: every text's box as the canvas measured it, the panels' plot
// rectangles): text at least 11 CSS px, no text over text, none across a plot frame, none
// outside the figure, no panel narrower than readable. Each embed is the page's own Embed
// snippet in a plain page with a column of at most 700 px, and its iframe must be as tall as
// its content (no scrollbar, no blank band). Screenshots go to test-output/browser/.

import { join } from "node:path";

import { assert, linkReady } from "./helpers.mjs";

const WIDTHS = [375, 700, 820, 1280];
const MIN_TEXT_CSS = 11;
/** Narrowest plot area accepted, in CSS px (the panel around it is at least 330 px). */
const MIN_PLOT_CSS = 150;
/** Slack in CSS px for boxes touching, and the blank band allowed under an embed. */
const SLACK_CSS = 0.5;
const BLANK_CSS = 24;
const RUN_MS = 120_000;
/** Cells, their canvases and the states that mean "drawn with its result". */
const CELLS = [
  ["stepwise", "figure", ["finished"]],
  ["init", "init-figure", ["done"]],
  ["symmetry", "symmetry-figure", ["drawn"]],
  ["mlp", "mlp-figure", ["finished"]],
  ["hidden", "hidden-figure", ["finished"]],
  ["appg", "appg-figure", ["finished"]],
];
const QUERY = "preset=small&mlp.preset=mlp-small-bt&hidden.preset=mlp-small-bt"
  + "&appg.preset=planted&appg.eta=equal";

/** Everything wrong with one figure's layout (run in the page). */
function layoutProblems({ layout, canvas, dpr }, minText, minPlot, slackCss) {
  const out = [];
  if (!layout) return ["no layout"];
  const r = layout.pixel_ratio;
  const slack = slackCss * r;
  if (Math.abs(r - dpr) > 1e-9) out.push(`pixel ratio ${r} for devicePixelRatio ${dpr}`);
  if (layout.width !== canvas[0] || layout.height !== canvas[1]) {
    out.push(`layout ${layout.width}x${layout.height} for a ${canvas.join("x")} canvas`);
  }
  const box = (t) => `"${t.text}" [${[t.left, t.top, t.right, t.bottom].map(Math.round)}]`;
  const texts = layout.texts;
  texts.forEach((a, i) => {
    const css = a.size * layout.css_text_per_size;
    if (css < minText - 1e-6) out.push(`${box(a)} is ${css.toFixed(2)} CSS px`);
    if (a.left < -slack || a.top < -slack || a.right > layout.width + slack
      || a.bottom > layout.height + slack) out.push(`${box(a)} leaves the figure`);
    for (const b of texts.slice(i + 1)) {
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > slack && y > slack) out.push(`${box(a)} over ${box(b)}`);
    }
    layout.panels.forEach((p, k) => {
      const inside = a.left >= p.left - slack && a.right <= p.right + slack
        && a.top >= p.top - slack && a.bottom <= p.bottom + slack;
      const apart = a.right <= p.left + slack || a.left >= p.right - slack
        || a.bottom <= p.top + slack || a.top >= p.bottom - slack;
      if (!inside && !apart) out.push(`${box(a)} crosses panel ${k}'s frame`);
    });
  });
  layout.panels.forEach((p, k) => {
    const w = (p.right - p.left) / r;
    if (w < minPlot) out.push(`panel ${k}'s plot is ${w.toFixed(0)} CSS px wide`);
  });
  return out;
}

/** The layout of canvas `id` in `frame` (a page or an iframe), with the canvas's size. */
function figureLayout(frame, id) {
  return frame.evaluate((id) => {
    const c = document.getElementById(id);
    return { layout: window.stepwise.figureLayout(id), canvas: [c.width, c.height],
      dpr: devicePixelRatio, css: c.clientWidth };
  }, id);
}

/** Asserts figure `id` reads well in `frame`; returns its smallest text in CSS px. */
async function expectReadable(frame, id, where) {
  // the ResizeObserver redraws after a width change: wait for a layout of this size
  await frame.waitForFunction((id) => {
    const c = document.getElementById(id);
    const l = window.stepwise.figureLayout(id);
    const fits = c.width === Math.round(c.clientWidth * devicePixelRatio)
      && c.height === Math.round(c.clientHeight * devicePixelRatio);
    return fits && l && l.width === c.width && l.height === c.height && c.width > 0;
  }, id, { timeout: 10_000, polling: 50 });
  const got = await figureLayout(frame, id);
  const problems = await frame.evaluate(
    ([fn, got, ...rest]) => (0, eval)(`(${fn})`)(got, ...rest),
    [layoutProblems.toString(), got, MIN_TEXT_CSS, MIN_PLOT_CSS, SLACK_CSS],
  );
  assert(problems.length === 0, `${where}: ${problems.slice(0, 6).join("; ")}`);
  assert(got.layout.texts.length > 5, `${where}: only ${got.layout.texts.length} texts`);
  const sizes = got.layout.texts.map((t) => t.size * got.layout.css_text_per_size);
  return Math.min(...sizes);
}

async function waitState(frame, id, states) {
  const sel = id === "stepwise" ? "cell-stepwise" : `cell-${id}`;
  await frame.waitForFunction(([sel, states]) => states.includes(
    document.getElementById(sel).dataset.state), [sel, states], { timeout: RUN_MS, polling: 100 });
}

/** Runs every cell of the notebook at 1280 px and returns when all are drawn. */
async function runAll(page, base) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/?${QUERY}`);
  await page.locator("#parallel").check();
  await waitState(page, "stepwise", ["finished"]);
  for (const [id, , states] of CELLS.slice(1)) {
    await page.locator(`#cell-${id}`).scrollIntoViewIfNeeded();
    if (["mlp", "hidden", "appg"].includes(id)) {
      await waitState(page, id, ["idle", "paused", "finished", "error"]);
      await page.click(`#${id}-run`);
    }
    await waitState(page, id, states);
  }
}

/** The Embed snippet of cell `id`, as the page offers it. */
async function snippet(page, id) {
  const prefix = id === "stepwise" ? "" : `${id}-`;
  await page.click(`#${prefix}embed`);
  await linkReady(page);
  return page.locator(`#${prefix}embed-code`).inputValue();
}

/** A plain page with `code` in a 700 px column, at viewport 1280. */
async function embedPage(page, code) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.setContent(`<!doctype html><html><body style="margin:8px">
    <div id="column" style="width:700px;margin:0 auto"><p>Blog text.</p>${code}
    <p>More blog text.</p></div></body></html>`);
}

/** The viewport at `width` and the column at min(700, width − 16) px. */
async function resizeColumn(page, width) {
  await page.setViewportSize({ width, height: 900 });
  await page.evaluate((w) => { document.getElementById("column").style.width = `${w}px`; },
    Math.min(700, width - 16));
}

/** The iframe's height against its document's content (after the resize message). */
async function expectFitted(page, frame, where) {
  const content = () => frame.evaluate(() => ({
    body: Math.ceil(document.body.getBoundingClientRect().height),
    scroll: document.documentElement.scrollHeight, inner: innerHeight,
  }));
  await page.waitForFunction(() => document.querySelector("iframe").style.height !== "",
    null, { timeout: 10_000 });
  let c = await content();
  // the message follows the content: give it a moment to settle
  await page.waitForFunction((h) => Math.abs(document.querySelector("iframe")
    .getBoundingClientRect().height - h) <= 1, c.body, { timeout: 5_000 }).catch(() => {});
  c = await content();
  const iframe = await page.evaluate(() => document.querySelector("iframe")
    .getBoundingClientRect().height);
  assert(c.scroll <= c.inner + 1, `${where}: the embed scrolls (${c.scroll} in ${c.inner})`);
  assert(iframe - c.body <= BLANK_CSS, `${where}: ${iframe - c.body} px blank under the embed`);
  return { iframe, content: c.body };
}

export const layoutChecks = {
  async layout({ page, base, mode, outDir, browser }) {
    await runAll(page, base);
    const seen = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const [id, canvas] of CELLS) {
        const px = await expectReadable(page, canvas, `cell ${id} at ${width} px`);
        seen.push(px);
        await page.locator(`#cell-${id}`).screenshot({
          path: join(outDir, `${mode}-layout-${id}-${width}.png`) });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    const fits = [];
    const firsts = [];
    for (const [id, canvas, states] of CELLS) {
      const code = await snippet(page, id);
      assert(/^<iframe[^>]* height="\d+"/.test(code) && code.includes("<script>"),
        `the ${id} snippet has no height or no resize script: ${code.slice(0, 120)}`);
      const other = await browser.newPage(`layout: embed ${id}`);
      try {
        await embedPage(other, code);
        const f = other.frames().find((x) => x !== other.mainFrame());
        await f.waitForFunction(() => window.stepwise !== undefined, null, { timeout: 30_000 });
        await waitState(f, id, states);
        for (const width of [700, 375, 820, 1280]) {
          await resizeColumn(other, width);
          seen.push(await expectReadable(f, canvas, `embed ${id} at ${width} px`));
          const fit = await expectFitted(other, f, `embed ${id} at ${width} px`);
          fits.push(fit);
          if (width === 700) {
            const first = Number(code.match(/ height="(\d+)"/)[1]);
            assert(Math.abs(first - fit.iframe) <= BLANK_CSS, `the ${id} snippet starts at `
              + `${first} px for ${fit.iframe} px of content in a 700 px column`);
            firsts.push(`${id} ${first}→${fit.iframe}`);
          }
          if (width === 700 || width === 375) {
            await other.screenshot({ path: join(outDir, `${mode}-layout-embed-${id}-${width}.png`),
              fullPage: true });
          }
        }
      } finally {
        other.problems().forEach((p) => console.error(`     layout (embed ${id}): ${p}`));
        await other.close();
      }
    }
    const blank = Math.max(...fits.map((f) => f.iframe - f.content));
    return { summary: `${seen.length} figures, smallest text ${Math.min(...seen).toFixed(2)} CSS `
      + `px; ${fits.length} embeds, largest blank band ${blank.toFixed(0)} px; snippet height → `
      + `fitted at 700 px: ${firsts.join(", ")}` };
  },
};
