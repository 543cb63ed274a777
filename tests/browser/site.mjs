// The static site (scripts/build-site): built from what is already in www/pkg and out/
// (NO_BUILD=1), it holds only what the page needs, and the page served from it, under a
// sub-path as on a project page of a static host, loads with no failed request and computes
// the same run as the CLI. SITE_WASM_OPT=1 lets the build shrink the wasm with wasm-opt
// (when installed; slow), so the check covers the optimized module too.

import { execFile } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

import { assert, expectDrawn } from "./helpers.mjs";
import { maxEigenGap, nativeResult } from "./native.mjs";
import { serve } from "./server.mjs";

const run = promisify(execFile);
/** |Δλ| allowed against the native CLI, as the other checks allow. */
const TOLERANCE = { fallback: 1e-3, webgpu: 5e-3 };
const RUN_MS = 180_000;
/** The page's wasm module, gzipped (as hosts serve it), may weigh at most this (issue 18). */
const WASM_GZIP_BUDGET = 1 << 20;
/** Every file the site may hold, as patterns over its relative paths. */
const ALLOWED = [
  /^index\.html$/, /^www\/[\w-]+\.js$/, /^www\/style\.css$/,
  /^www\/pkg\/stepwise(\.js|_bg\.wasm)$/, /^www\/pkg\/snippets\//,
  /^www\/data\/[\w-]+\.png$/, /^www\/data\/(manifest\.txt|ATTRIBUTION\.md)$/,
  /^out\/fig1\.svg$/,
];

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => relative(dir, f).split("\\").join("/"));
}

/** Builds test-output/<name>/site and checks its file list; returns its files. */
async function buildSite(root, name) {
  const parent = join(root, "test-output", name);
  const dir = join(parent, "site");
  await run(join(root, "scripts", "build-site"), [dir], {
    cwd: root, env: { ...process.env, NO_BUILD: "1", WASM_OPT: process.env.SITE_WASM_OPT ?? "0" },
  });
  const files = filesUnder(dir);
  const stray = files.filter((f) => !ALLOWED.some((p) => p.test(f)));
  assert(stray.length === 0, `the site holds files the page does not need: ${stray.join(", ")}`);
  for (const must of ["index.html", "www/app.js", "www/pkg/stepwise_bg.wasm", "out/fig1.svg",
    "www/data/manifest.txt"]) {
    assert(files.includes(must), `the site lacks ${must}`);
  }
  return { parent, files, wasm: wasmSizes(join(dir, "www", "pkg", "stepwise_bg.wasm")) };
}

/** The module's bytes and gzipped bytes (level 9), checked against the budget. */
function wasmSizes(path) {
  const bytes = readFileSync(path);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  assert(gzipped <= WASM_GZIP_BUDGET,
    `the wasm is ${gzipped} bytes gzipped, over the ${WASM_GZIP_BUDGET}-byte budget`);
  return { bytes: bytes.length, gzipped };
}

/** Records every response with an error status and every request that failed. */
function watchRequests(page) {
  const failures = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => failures.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  return failures;
}

/** Fetches, from the page, what it links to but only loads on demand. */
function fetchLinked(page) {
  return page.evaluate(async () => {
    const fallback = document.getElementById("fallback-figure");
    const urls = [new URL(fallback.dataset.src ?? fallback.src, location.href).href,
      ...[...document.querySelectorAll("a[href^='www/']")].map((a) => a.href)];
    return Promise.all(urls.map(async (u) => {
      const r = await fetch(u);
      return { url: u, status: r.status, type: r.headers.get("content-type") };
    }));
  });
}

export const siteChecks = {
  async site(ctx) {
    const { page, mode, root } = ctx;
    const { parent, files, wasm: size } = await buildSite(root, `site-${mode}`);
    const server = await serve(parent, { revalidate: true });
    try {
      const failures = watchRequests(page);
      const wasm = page.waitForResponse((r) => r.url().endsWith("/stepwise_bg.wasm"));
      await page.goto(`${server.url}/site/?preset=small`);
      const type = (await wasm).headers()["content-type"];
      assert(type === "application/wasm", `the wasm is served as ${type}`);
      await page.waitForFunction(
        () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
        null, { timeout: RUN_MS, polling: 100 },
      );
      const state = await page.evaluate(() => document.body.dataset.state);
      assert(state === "finished", `the run from the site ended in state ${state}`);
      await expectDrawn(page);
      // every cell's placeholder and figure: scroll the whole page through
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.waitForTimeout(500);
      const linked = await fetchLinked(page);
      const bad = linked.filter((l) => l.status !== 200);
      assert(bad.length === 0, `linked files missing: ${bad.map((l) => l.url).join(", ")}`);
      assert(failures.length === 0, `requests failed: ${failures.join("; ")}`);
      const web = JSON.parse(await page.evaluate(() => window.stepwise.resultJson()));
      const native = await nativeResult(root, "small");
      assert(web.data_digest === native.data_digest,
        `data_digest: site ${web.data_digest} vs CLI ${native.data_digest}`);
      const gap = maxEigenGap(web, native);
      assert(gap <= TOLERANCE[mode], `eigenvalues differ from the CLI's by ${gap} (${mode})`);
      return {
        summary: `${files.length} files, wasm ${size.bytes} B (${size.gzipped} B gzipped), `
          + `${linked.length} linked ok, 0 failed requests, `
          + `max |Δλ| vs CLI ${gap.toExponential(2)}`,
      };
    } finally {
      await server.close();
    }
  },
};
