// The deep cell's training throughput in headless Chromium, on the CPU fallback (wasm) and
// on WebGPU (SwiftShader, `deep.backend=gpu`), next to the native CLI's `stepwise bench deep
// --gpu` (CPU and lavapipe) run by this script on the same machine: the rows of README's
// "Deep network performance" table (issue 16 §7).
//
// Page time per step: each configuration runs twice in a fresh page, to `short` and to
// `long` steps, recording only at step 0 and at the end (`deep.record_every` = steps); the
// wall time from the click on Run to the finished state differs between the two by the
// steps alone (the prepare, the pipelines' compilation and the two evaluations cancel), so
// ms/step = (T_long − T_short) / (long − short). The page's steps include drawing each batch
// of crops in wasm, as the native benchmark's do not (it draws them beforehand).
// GFLOP/s = steps/s · 3 · 2B · flops_per_view, the accounting of `stepwise bench deep`
// (src/bin/stepwise/bench_deep.rs), with flops_per_view from the page's own result.
//
// Needs www/pkg and target/release/stepwise. Usage:
//   node bench/browser-deep.mjs [--presets resnet-bt-small,resnet-bt] [--modes fallback,webgpu]
// A benchmark, never a test: the numbers depend on the machine and its load.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { launch } from "../tests/browser/browser.mjs";
import { serve } from "../tests/browser/server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "target", "release", "stepwise");
const RUN_MS = 600_000;
/** Steps of the short and long page runs, per preset and backend. */
const STEPS = {
  "resnet-bt-small": { cpu: [10, 60], gpu: [5, 25] },
  "resnet-bt": { cpu: [1, 3], gpu: [1, 3] },
};
/** Which backends the page runs each preset on (the CPU fallback is sized for the small one). */
const PAGE = { "resnet-bt-small": ["cpu", "gpu"], "resnet-bt": ["gpu"] };

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const presets = option("presets", "resnet-bt-small,resnet-bt").split(",");
const modes = option("modes", "fallback,webgpu").split(",");

if (!existsSync(join(root, "www", "pkg", "stepwise.js")) || !existsSync(cli)) {
  console.error("bench/browser-deep.mjs: build www/pkg and target/release/stepwise first");
  process.exit(1);
}

/** `stepwise bench deep --gpu` on every preset: its rows (CPU, then lavapipe). */
async function native() {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-bench-deep-"));
  try {
    const out = join(dir, "rows.json");
    const args = ["bench", "deep", "--gpu", ...presets.flatMap((p) => ["--preset", p]),
      "--out", out];
    const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 16 << 20 });
    process.stdout.write(stdout);
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from Run to finished for `steps` steps of `preset` on `backend`, with the
 * page's result. */
async function pageRun(browser, base, preset, backend, steps) {
  const page = await browser.newPage(`${preset} ${backend} ${steps}`);
  try {
    // cell 1 on its smallest preset, finished before the click: the worker is the deep
    // cell's alone while it is timed
    await page.goto(`${base}/?preset=planted&deep.preset=${preset}&deep.steps=${steps}`
      + `&deep.record_every=${steps}&deep.backend=${backend}`);
    await page.waitForFunction(() => document.getElementById("cell-deep").dataset.state
      === "idle" && document.body.dataset.state === "finished", null,
    { timeout: RUN_MS, polling: 50 });
    const started = await page.evaluate(() => performance.now());
    await page.click("#deep-run");
    await page.waitForFunction(() => ["finished", "error"]
      .includes(document.getElementById("cell-deep").dataset.state),
    null, { timeout: RUN_MS, polling: 20 });
    const ended = await page.evaluate(() => performance.now());
    const r = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("deep", "json")));
    if (r.records.at(-1).step !== steps) throw new Error(`${preset}: stopped early`);
    const problems = page.problems();
    if (problems.length) throw new Error(`${preset} ${backend}: ${problems.join("; ")}`);
    return { ms: ended - started, result: r };
  } finally {
    await page.close().catch(() => {});
  }
}

/** The page's per-step cost of `preset` on `backend` (see the header). */
async function pageRow(browser, base, preset, backend) {
  const [short, long] = STEPS[preset][backend];
  const a = await pageRun(browser, base, preset, backend, short);
  const b = await pageRun(browser, base, preset, backend, long);
  const msPerStep = (b.ms - a.ms) / (long - short);
  console.error(`${preset} ${backend}: ${short} steps ${a.ms.toFixed(0)} ms, ${long} steps `
    + `${b.ms.toFixed(0)} ms`);
  const views = 2 * b.result.config.batch;
  const flops = 3 * views * b.result.timing.flops_per_view;
  return { preset, backend: b.result.backend, steps: `${short}→${long}`, views, msPerStep,
    gflops: flops / (msPerStep * 1e6), prepareMs: a.ms - short * msPerStep };
}

const nativeRows = await native();
const server = await serve(root);
const rows = [];
try {
  for (const mode of modes) {
    const browser = await launch(mode);
    try {
      for (const preset of presets) {
        const backend = mode === "webgpu" ? "gpu" : "cpu";
        if (!(PAGE[preset] ?? []).includes(backend)) continue;
        rows.push({ mode, ...(await pageRow(browser, server.url, preset, backend)) });
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}

const cpuOf = (preset) => nativeRows.find((r) => r.preset === preset && r.backend === "cpu-f32");
const nativeMs = (r) => (1e3 * r.seconds) / r.steps;
console.log("\npage rows (ms/step from two runs' difference; vs native CPU of the same run):");
console.log("| preset | where | backend | steps | ms/step | GFLOP/s | vs native CPU | first step + prepare |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of nativeRows) {
  const gflops = (r.steps / r.seconds) * 3 * r.views * r.flops_per_view / 1e9;
  const where = r.backend === "cpu-f32" ? "native CPU" : "native wgpu";
  const ratio = nativeMs(cpuOf(r.preset)) / nativeMs(r);
  console.log(`| ${r.preset} | ${where} | ${r.backend} | ${r.steps} | ${nativeMs(r).toFixed(1)} | `
    + `${gflops.toFixed(2)} | ${ratio.toFixed(2)}x | - |`);
}
for (const r of rows) {
  const where = r.mode === "webgpu" ? "page WebGPU (SwiftShader)" : "page CPU (wasm)";
  const ratio = nativeMs(cpuOf(r.preset)) / r.msPerStep;
  console.log(`| ${r.preset} | ${where} | ${r.backend} | ${r.steps} | ${r.msPerStep.toFixed(1)} | `
    + `${r.gflops.toFixed(2)} | ${ratio.toFixed(2)}x | ${(r.prepareMs / 1000).toFixed(1)} s |`);
}
