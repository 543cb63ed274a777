// Browser check of cell 1's "Python" download: after a small run the button downloads a ZIP
// of the standalone NumPy script with the run's configuration and data; with python3 and
// NumPy at hand the check unpacks it, runs the script and compares its result JSON with the
// page's (`window.stepwise.resultJson()`). Same contract as checks.mjs.

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { assert } from "./helpers.mjs";

const run = promisify(execFile);
const RUN_MS = 180_000;
const QUERY = "?preset=small&dataset.n=120&d=3";
const FILES = ["config.json", "export.json", "run_linear.py", "w0.npy", "x.npy", "x_prime.npy"];
/** Largest |Δλ| allowed between the script's float32 eigenbasis descent and the page. */
const TOLERANCE = 1e-3;

async function waitFinished(page) {
  await page.waitForFunction(() => ["finished", "error"].includes(document.body.dataset.state),
    null, { timeout: RUN_MS, polling: 100 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== "finished") {
    throw new Error(`the run ended in state ${state}: ${await page.locator("#error").textContent()}`);
  }
}

async function haveNumpy() {
  try {
    await run("python3", ["-c", "import numpy"]);
    return true;
  } catch {
    return false;
  }
}

/** The script's result next to the page's: steps, t, τ, the digest and max |Δλ|. */
function compare(py, web) {
  assert(py.records.length === web.records.length,
    `record counts differ: script ${py.records.length}, page ${web.records.length}`);
  assert(py.data_digest === web.data_digest, `data digests differ: ${py.data_digest} vs ${web.data_digest}`);
  let gap = 0;
  py.records.forEach((r, k) => {
    const w = web.records[k];
    assert(r.step === w.step && Math.abs(r.t - w.t) <= 1e-12 * Math.abs(w.t),
      `record ${k}: script step ${r.step} (t ${r.t}), page step ${w.step} (t ${w.t})`);
    r.eigenvalues.forEach((v, j) => { gap = Math.max(gap, Math.abs(v - w.eigenvalues[j])); });
  });
  py.theory.tau.forEach((t, j) => {
    const w = web.theory.tau[j];
    assert(Math.abs(t / w - 1) <= 1e-9, `τ_${j + 1}: script ${t}, page ${w}`);
  });
  assert(gap <= TOLERANCE, `eigenvalues differ from the page's by ${gap.toExponential(2)} > ${TOLERANCE}`);
  return gap;
}

export const pyexportChecks = {
  async pyexport({ page, mode, base, outDir }) {
    await page.goto(`${base}/${QUERY}`);
    await waitFinished(page);
    const web = JSON.parse(await page.evaluate(() => window.stepwise.resultJson()));
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.click("#download-python")]);
    assert(download.suggestedFilename() === "stepwise-python.zip",
      `the download is named ${download.suggestedFilename()}`);
    const zip = join(outDir, `pyexport-${mode}.zip`);
    await download.saveAs(zip);
    const bytes = readFileSync(zip);
    assert(bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
      "the download is not a ZIP archive");
    await page.locator("#cell-stepwise").screenshot({ path: join(outDir, `pyexport-${mode}.png`) });
    const size = `${(bytes.length / 1024).toFixed(0)} KiB`;
    if (!(await haveNumpy())) {
      return { summary: `${size} ZIP; python3 with NumPy missing: the script was not run` };
    }
    const dir = mkdtempSync(join(tmpdir(), "stepwise-pyexport-"));
    try {
      await run("python3", ["-m", "zipfile", "-e", zip, dir]);
      const folder = join(dir, "stepwise-python");
      const names = readdirSync(folder).sort();
      assert(JSON.stringify(names) === JSON.stringify(FILES), `the archive holds ${names.join(", ")}`);
      const out = join(dir, "result.json");
      await run("python3", [join(folder, "run_linear.py"), "--out", out], { timeout: 120_000 });
      const py = JSON.parse(readFileSync(out, "utf8"));
      assert(py.backend === "numpy-f32-eigenbasis", `script backend ${py.backend}`);
      const gap = compare(py, web);
      return { summary: `${size} ZIP; script vs page (${web.backend}): max |Δλ| `
        + `${gap.toExponential(2)} over ${web.records.length} records` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
