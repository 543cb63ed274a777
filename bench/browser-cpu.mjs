// Thread CPU time (a Chromium trace's `tdur`, which a loaded machine inflates less than wall
// time) of the compute worker during fig1's "stepwise: prepare" and "stepwise: run"
// measures, and of V8's optimizing compiles (wasm tier-up) before and during them, for
// PAGES fresh pages (default 3; Q= sets the query). docs/architecture.md §4 "Speed of the
// CPU fallback". Needs www/pkg (NO_SERVE=1 ./scripts/run). Usage: node bench/browser-cpu.mjs
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "../tests/browser/browser.mjs";
import { serve } from "../tests/browser/server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const server = await serve(root);
const browser = await launch("fallback");
const isSpan = (e, name, ph) => e.name === name && ph.includes(e.ph);
const ms = (us) => (us / 1000).toFixed(0);
for (let p = 0; p < Number(process.env.PAGES ?? 3); p += 1) {
  const page = await browser.newPage("cpu");
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.start", {
    categories: "devtools.timeline,v8.wasm,blink.user_timing", transferMode: "ReportEvents",
  });
  await page.goto(`${server.url}/${process.env.Q ?? "?preset=fig1&solver=truncated"}`);
  await page.waitForFunction(() => ["finished", "error"].includes(document.body.dataset.state),
    null, { timeout: 60_000, polling: 50 });
  await cdp.send("Tracing.end");
  await done;
  const t = await page.evaluate(() => window.stepwise.timings());
  const threads = new Map();
  for (const e of events) if (e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const worker = (e) => (threads.get(`${e.pid}:${e.tid}`) ?? "").startsWith("DedicatedWorker");
  const line = [`prepare ${t.prepareMs.toFixed(0)} ms + run ${t.wallMs.toFixed(0)} ms wall`];
  const start = events.find((e) => isSpan(e, "stepwise: prepare", "bB"))?.ts ?? Infinity;
  const tierUp = (lo, hi) => events.filter((e) => e.ph === "X" && e.name === "wasm.TopTierCompilation"
    && e.ts >= lo && e.ts < hi);
  const before = tierUp(-Infinity, start);
  line.push(`tier-up before the prepare ${ms(before.reduce((s, e) => s + (e.tdur ?? 0), 0))} ms cpu`
    + ` (${before.length} jobs)`);
  for (const name of ["stepwise: prepare", "stepwise: run"]) {
    const b = events.find((e) => isSpan(e, name, "bB"));
    const f = events.find((e) => isSpan(e, name, "eE"));
    if (!b || !f) continue;
    const inside = events.filter((e) => e.ph === "X" && e.ts >= b.ts && e.ts < f.ts);
    const cpu = inside.filter((e) => worker(e) && e.name === "HandlePostMessage")
      .reduce((s, e) => s + (e.tdur ?? 0), 0);
    const compiles = tierUp(b.ts, f.ts);
    line.push(`${name.split(": ")[1]}: worker ${ms(cpu)} ms cpu, tier-up `
      + `${ms(compiles.reduce((s, e) => s + (e.tdur ?? 0), 0))} ms cpu (${compiles.length} jobs)`);
  }
  console.log(line.join("; "));
  await page.close();
}
await browser.close();
await server.close();
