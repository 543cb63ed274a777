// Where the page's fig1 run spends its time: a Chromium trace of one run (Q= sets the query),
// summed per thread and event over the page's "stepwise: prepare" and "stepwise: run"
// measures. Needs www/pkg (NO_SERVE=1 ./scripts/run). Usage: node bench/browser-trace.mjs
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "../tests/browser/browser.mjs";
import { serve } from "../tests/browser/server.mjs";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const server = await serve(root);
const browser = await launch("fallback");
const page = await browser.newPage("p");
const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
await cdp.send("Tracing.start", { categories: "devtools.timeline,v8.wasm,blink.user_timing", transferMode: "ReportEvents" });
await page.goto(`${server.url}/${process.env.Q ?? "?preset=fig1&solver=truncated"}`);
await page.waitForFunction(() => ["finished", "error"].includes(document.body.dataset.state), null, { timeout: 60000, polling: 50 });
await cdp.send("Tracing.end");
await done;
console.log(JSON.stringify(await page.evaluate(() => window.stepwise.timings())));
const threads = new Map();
for (const e of events) if (e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args.name);
for (const window of ["stepwise: prepare", "stepwise: run"]) {
  const b = events.find((e) => e.name === window && (e.ph === "b" || e.ph === "B"));
  const f = events.find((e) => e.name === window && (e.ph === "e" || e.ph === "E"));
  if (!b || !f) { console.log(`no ${window}`); continue; }
  console.log(`== ${window}: ${((f.ts - b.ts) / 1000).toFixed(1)} ms`);
  const sums = new Map();
  for (const e of events) {
    if (e.ph !== "X" || !e.dur) continue;
    const lo = Math.max(e.ts, b.ts), hi = Math.min(e.ts + e.dur, f.ts);
    if (hi <= lo) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid} ${e.name}`;
    sums.set(key, (sums.get(key) ?? 0) + (hi - lo) / 1000);
  }
  for (const [k, v] of [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25))) console.log(v.toFixed(1).padStart(8), k);
}
await browser.close(); await server.close();
