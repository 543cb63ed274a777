// Browser tests of the notebook, in the system Chromium through playwright-core, in two
// modes: "webgpu" (SwiftShader's WebGPU adapter) and "fallback" (no adapter: the CPU).
// Needs www/pkg and target/release/stepwise: `NO_SERVE=1 ./scripts/run` builds both.
// Usage: node tests/browser/run.mjs [webgpu|fallback ...]; ONLY=small,share runs only the
// named checks (checks.mjs: the first cells; cells.mjs: init, symmetry, cell-embed,
// cell-share; mlp.mjs: mlp, hidden, mlp-errors, mlp-hostile,
// mlp-cpu-width, mlp-embed; appg.mjs: appg, appg-share, appg-errors, appg-hostile,
// appg-embed; upload.mjs: upload, upload-hostile, upload-drop; a11y.mjs: axe, keyboard,
// phone, dark, motion; kind.mjs: visibility; replay.mjs: replay, readout; readouts.mjs:
// readout-cells, readout-appg; pyexport.mjs: pyexport; site.mjs: site, the folder
// scripts/build-site writes, served on its own; layout.mjs: layout; longtask.mjs:
// longtask-load, longtask-mlp, longtask-appg, longtask-prepare; deep.mjs: deep, probes,
// deep-losses; deep-gpu.mjs: deep-gpu, deep-gpu-loss; methods.mjs: methods; soak.mjs: soak;
// security.mjs: csp, csp-meta; hostile.mjs: hostile-urls);
// SKIP_FIG1=1 skips the
// paper's full Figure 1 run (about 30 s).
// Screenshots go to test-output/browser/. Exits non-zero with the failures listed.

import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { serve } from "./server.mjs";
import { launch } from "./browser.mjs";
import { checks } from "./checks.mjs";
import { cellChecks } from "./cells.mjs";
import { mlpChecks } from "./mlp.mjs";
import { appgChecks } from "./appg.mjs";
import { uploadChecks } from "./upload.mjs";
import { a11yChecks } from "./a11y.mjs";
import { kindChecks } from "./kind.mjs";
import { replayChecks } from "./replay.mjs";
import { readoutChecks } from "./readouts.mjs";
import { pyexportChecks } from "./pyexport.mjs";
import { siteChecks } from "./site.mjs";
import { layoutChecks } from "./layout.mjs";
import { longtaskChecks } from "./longtask.mjs";
import { deepChecks } from "./deep.mjs";
import { deepGpuChecks } from "./deep-gpu.mjs";
import { methodsChecks } from "./methods.mjs";
import { soakChecks } from "./soak.mjs";
import { securityChecks } from "./security.mjs";
import { hostileChecks } from "./hostile.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outDir = join(root, "test-output", "browser");
const only = process.env.ONLY ? process.env.ONLY.split(",") : null;
const modes = process.argv.slice(2).length ? process.argv.slice(2) : ["webgpu", "fallback"];

function fail(message) {
  console.error(`browser tests: ${message}`);
  process.exit(1);
}

if (!existsSync(join(root, "www", "pkg", "stepwise.js"))) {
  fail("www/pkg/stepwise.js is missing: build the notebook with NO_SERVE=1 ./scripts/run");
}
for (const m of modes) {
  if (!["webgpu", "fallback"].includes(m)) fail(`unknown mode ${m} (webgpu or fallback)`);
}
mkdirSync(outDir, { recursive: true });
// a FAIL screenshot of an earlier run must not pass for one of this run
for (const name of readdirSync(outDir)) {
  if (name.startsWith("FAIL-")) rmSync(join(outDir, name));
}

const server = await serve(root);
console.log(`serving ${root} at ${server.url}`);
let passed = 0;
let failed = 0;
const timings = [];
try {
  for (const mode of modes) {
    const browser = await launch(mode);
    try {
      for (const [name, check] of Object.entries({ ...checks, ...cellChecks, ...mlpChecks, ...appgChecks,
        ...uploadChecks, ...a11yChecks, ...kindChecks, ...replayChecks, ...readoutChecks,
        ...pyexportChecks, ...siteChecks, ...layoutChecks, ...longtaskChecks, ...deepChecks,
        ...deepGpuChecks, ...methodsChecks, ...soakChecks, ...securityChecks, ...hostileChecks })) {
        if (name === "fig1" && process.env.SKIP_FIG1 === "1") continue;
        if (only && !only.includes(name)) continue;
        const label = `${mode}: ${name}`;
        const started = Date.now();
        const page = await browser.newPage(label);
        try {
          const info = await check({ page, mode, base: server.url, root, outDir, browser });
          // every check runs under the page's content security policy (security.mjs)
          const refused = page.problems().filter((p) => /Content Security Policy/i.test(p));
          if (refused.length) throw new Error(`the page broke its policy: ${refused[0]}`);
          passed += 1;
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          console.log(`ok   ${label} (${secs} s)${info ? `: ${info.summary ?? ""}` : ""}`);
          if (info?.timing) timings.push({ mode, name, ...info.timing });
        } catch (e) {
          failed += 1;
          console.error(`FAIL ${label}: ${e.message}`);
          await page.screenshot({ path: join(outDir, `FAIL-${mode}-${name}.png`) })
            .catch(() => {});
        } finally {
          page.problems().forEach((p) => console.error(`     ${label} page error: ${p}`));
          await page.close().catch(() => {});
        }
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
for (const t of timings) {
  console.log(`timing ${t.mode} ${t.name}: prepare ${t.prepareMs.toFixed(0)} ms, run `
    + `${t.wallMs.toFixed(0)} ms wall (${t.runMs.toFixed(0)} ms in advance) for ${t.steps} `
    + `steps (${t.backend})`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
