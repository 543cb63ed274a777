// The fig1 run's wall time in headless Chromium, on the CPU fallback (wasm) and with WebGPU
// (SwiftShader), next to the native CLI on the same machine, in one script run: the browser
// rows of README's Performance table.
//
// Browser time = the page's prepare (data, Γ, eigenpairs, theory: synchronous wasm) plus the
// run's wall time from the first advance() to the last record, paced by animation frames
// (the CPU computes about 8 ms per frame so the tab stays responsive). Native time = the
// CLI's own "wall time" for the same configuration.
//
// Needs www/pkg and target/release/stepwise (NO_SERVE=1 ./scripts/run) and playwright-core
// (npm ci). Usage:
//   node bench/browser.mjs [--repeat 3] [--solvers truncated,eigenbasis] [--preset fig1]
//                          [--modes fallback,webgpu] [--backend auto|cpu|gpu]
// REVALIDATE=1 serves with ETags (as a static host does), so that a later page may use V8's
// code cache of the wasm module; by default every response is no-store (each page cold).

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { launch } from "../tests/browser/browser.mjs";
import { serve } from "../tests/browser/server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "target", "release", "stepwise");
const RUN_MS = 600_000;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const repeat = Math.max(1, Number(option("repeat", "3")));
const solvers = option("solvers", "truncated,eigenbasis").split(",");
const preset = option("preset", "fig1");
const modes = option("modes", "fallback,webgpu").split(",");
// the page's backend key (auto by default: on SwiftShader's WebGPU fig1 takes the CPU)
const backend = option("backend", "");

function fail(message) {
  console.error(`bench/browser.mjs: ${message}`);
  process.exit(1);
}

if (!existsSync(join(root, "www", "pkg", "stepwise.js")) || !existsSync(cli)) {
  fail("www/pkg or target/release/stepwise is missing: build both with NO_SERVE=1 ./scripts/run");
}

/** Seconds of the CLI's own wall time for `preset` with `solver`, best of `repeat`. */
async function native(solver) {
  let best = Infinity;
  for (let r = 0; r < repeat; r += 1) {
    const args = ["run", preset, "--set", `solver=${solver}`, "--out", "/dev/null"];
    const { stdout } = await promisify(execFile)(cli, args);
    const m = /wall time\s+([0-9.]+) s/.exec(stdout);
    if (!m) throw new Error(`no wall time in the CLI's output: ${stdout}`);
    best = Math.min(best, Number(m[1]));
  }
  return best;
}

/** The page's timings for one complete run of `preset` with `solver` in `mode`. */
async function browserRun(browser, base, solver, mode) {
  const page = await browser.newPage(`${mode} ${solver}`);
  try {
    const pick = backend ? `&backend=${backend}` : "";
    await page.goto(`${base}/?preset=${preset}&solver=${solver}${pick}`);
    await page.waitForFunction(
      () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
      null, { timeout: RUN_MS, polling: 50 },
    );
    const state = await page.evaluate(() => document.body.dataset.state);
    if (state !== "finished") {
      const error = await page.locator("#error").textContent();
      throw new Error(`${mode} ${solver}: the run ended in state ${state}: ${error}`);
    }
    const t = await page.evaluate(() => window.stepwise.timings());
    if (mode === "fallback") {
      // the same phases as the native benchmark's, timed in this page's wasm
      t.phases = await page.evaluate(async ([q, runs]) => {
        let best = null;
        for (let r = 0; r < runs; r += 1) {
          // in the page's worker (it holds the bundled photos)
          const p = await window.stepwise.benchPhases(q);
          best = best ?? p;
          for (const k of Object.keys(p)) best[k] = Math.min(best[k], p[k]);
        }
        return best;
      }, [`preset=${preset}&solver=${solver}`, repeat]);
    }
    const problems = page.problems();
    if (problems.length) throw new Error(`${mode} ${solver}: ${problems.join("; ")}`);
    return t;
  } finally {
    await page.close().catch(() => {});
  }
}

const server = await serve(root, { revalidate: process.env.REVALIDATE === "1" });
const rows = [];
try {
  for (const solver of solvers) {
    const row = { solver, native: await native(solver) };
    for (const mode of modes) {
      const browser = await launch(mode);
      try {
        let best = null;
        for (let r = 0; r < repeat; r += 1) {
          const t = await browserRun(browser, server.url, solver, mode);
          const total = (t.prepareMs + t.wallMs) / 1000;
          if (!best || total < best.total) best = { ...t, total };
        }
        row[mode] = best;
      } finally {
        await browser.close();
      }
    }
    rows.push(row);
  }
} finally {
  await server.close();
}

console.log(`${preset}: complete run (prepare + run to the last record), best of ${repeat}`);
const fmt = (t, native) => `${t.total.toFixed(3)} s (prepare ${(t.prepareMs / 1000).toFixed(3)}`
  + ` + run ${(t.wallMs / 1000).toFixed(3)} s wall, ${(t.runMs / 1000).toFixed(3)} s in advance,`
  + ` ${(t.drawMs / 1000).toFixed(3)} s drawing;`
  + ` ${(t.total / native).toFixed(2)}x native; ${t.backend})`;
for (const r of rows) {
  console.log(`solver ${r.solver}:`);
  console.log(`  native CLI                      ${r.native.toFixed(3)} s`);
  if (r.fallback) console.log(`  browser, CPU fallback (wasm)    ${fmt(r.fallback, r.native)}`);
  if (r.webgpu) console.log(`  browser, WebGPU (SwiftShader)   ${fmt(r.webgpu, r.native)}`);
  const ph = r.fallback?.phases;
  if (ph) {
    const ms = (k) => `${(ph[k] * 1000).toFixed(0)} ms`;
    console.log(`  wasm phases (best of each): data ${ms("data")}, Γ ${ms("gamma")}, eigenpairs `
      + `${ms("eigen")} (prepare ${ms("prepare")}), steps and records ${ms("steps")}, `
      + `result with theory ${ms("assemble")}`);
  }
}
