// Reference results from the native CLI (target/release/stepwise), for the same configs.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The CLI's result JSON for `preset` with `--set` overrides `sets` (["key=value", …]) and
 * further arguments `extra` (e.g. `--images a.png`). */
export async function nativeResult(root, preset, sets = [], extra = []) {
  const cli = join(root, "target", "release", "stepwise");
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build it with cargo build --release --bin stepwise`);
  }
  const args = ["run", preset, "--out", "-", ...sets.flatMap((s) => ["--set", s]), ...extra];
  const { stdout } = await run(cli, args, { maxBuffer: 256 << 20 });
  return JSON.parse(stdout);
}

/** Largest |Δλ| between two results' records (same grid), or an Error saying why not. */
export function maxEigenGap(a, b) {
  if (a.records.length !== b.records.length) {
    throw new Error(`record counts differ: ${a.records.length} vs ${b.records.length}`);
  }
  let gap = 0;
  a.records.forEach((r, k) => {
    const s = b.records[k];
    if (r.step !== s.step) throw new Error(`record ${k}: step ${r.step} vs ${s.step}`);
    r.eigenvalues.forEach((v, j) => {
      gap = Math.max(gap, Math.abs(v - s.eigenvalues[j]));
    });
  });
  return gap;
}

/** The CLI's `stepwise compare methods [family]` JSON (Table 2) with `--set` overrides
 * `sets`, applied to all three methods. */
export async function nativeMethods(root, sets = [], family = "resnet-bt-small") {
  const cli = join(root, "target", "release", "stepwise");
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build it with cargo build --release --bin stepwise`);
  }
  const args = ["compare", "methods", family, "--out", "-", ...sets.flatMap((s) => ["--set", s])];
  const { stdout } = await run(cli, args, { maxBuffer: 256 << 20 });
  return JSON.parse(stdout);
}
