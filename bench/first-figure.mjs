// The page's first-figure time: from navigation to cell 1's figure of the default page being
// finished, in headless Chromium on the CPU fallback (or --mode webgpu), every load cold
// (no-store). It compares built sites (scripts/build-site DIR) in one script run, loading
// them in turn so that they share the machine's load; the first is the reference.
//   NO_BUILD=1 scripts/build-site /tmp/after
//   node bench/first-figure.mjs --sites /tmp/before,/tmp/after [--repeat 5] [--mode fallback]

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

import { launch } from "../tests/browser/browser.mjs";
import { serve } from "../tests/browser/server.mjs";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const sites = option("sites", "").split(",").filter(Boolean).map((s) => resolve(s));
const repeat = Math.max(1, Number(option("repeat", "5")));
const mode = option("mode", "fallback");
if (sites.length === 0) {
  console.error("usage: node bench/first-figure.mjs --sites DIR[,DIR…] [--repeat N]");
  process.exit(2);
}

/** ms from navigation start to cell 1's finished state (polled every 10 ms). */
async function firstFigure(browser, url) {
  const page = await browser.newPage("first figure");
  try {
    await page.goto(url);
    await page.waitForFunction(() => ["finished", "error", "unavailable"]
      .includes(document.body.dataset.state), null, { timeout: 120_000, polling: 10 });
    // the page's own note (www/cell-stepwise.js), or now when the page predates it
    const [state, ms] = await page.evaluate(() => [document.body.dataset.state,
      Number(document.body.dataset.firstFigureMs ?? performance.now())]);
    if (state !== "finished") throw new Error(`${url}: cell 1 ended in state ${state}`);
    return ms;
  } finally {
    await page.close().catch(() => {});
  }
}

const servers = await Promise.all(sites.map((s) => serve(s)));
const times = sites.map(() => []);
const browser = await launch(mode);
try {
  for (let r = 0; r < repeat; r += 1) {
    for (const [i, server] of servers.entries()) {
      times[i].push(await firstFigure(browser, `${server.url}/`));
    }
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`first figure (navigation → cell 1 finished), ${mode}, ${repeat} cold loads each`);
sites.forEach((site, i) => {
  const wasm = readFileSync(join(site, "www", "pkg", "stepwise_bg.wasm"));
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  const ratio = median(times[i]) / median(times[0]);
  console.log(`  ${site}: wasm ${kb(wasm.length)} (${kb(gzipSync(wasm, { level: 9 }).length)} `
    + `gzipped); best ${Math.min(...times[i]).toFixed(0)} ms, median `
    + `${median(times[i]).toFixed(0)} ms (${ratio.toFixed(2)}x the first)`);
});
