// The deep cells' summaries (www/deep-summary.js): `node --test tests/browser/deep-summary.test.mjs`.

import { test } from "node:test";
import assert from "node:assert/strict";

import { deepSummary, methodsSummary, probesSummary } from "../../www/deep-summary.js";

const summary = {
  d: 3, loss_first: 3, loss_last: 0.25, crossings: [0.3, 0.72, null], min_ratio: 2.4,
  probe_first: { t: 0, step: 0, embedding: 0.2, hidden: 0.9 },
  probe_last: { t: 7, step: 700, embedding: 0.85, hidden: 0.92 },
  rank_first: { t: 0, step: 0, embedding: 1.01, hidden: 20.5 },
  rank_last: { t: 7, step: 700, embedding: 2.9, hidden: 18 },
  chance: 1 / 6,
};

test("the deep summary names each mode's step time and their separation", () => {
  assert.equal(deepSummary(summary), "Loss 3.00 → 0.250. Eigenvalues at half their final "
    + "value: mode 1 at t = 0.300; mode 2 at t = 0.720; mode 3 not yet. Successive step "
    + "times differ by at least ×2.40.");
  assert.ok(!deepSummary({ ...summary, min_ratio: null }).includes("Successive"));
});

test("the probes summary sets both probes against chance, and the ranks against d", () => {
  assert.equal(probesSummary(summary), "Linear probe accuracy on the embedding: 0.200 → "
    + "0.850; on the hidden representation: 0.900 → 0.920 (chance 0.167). RankMe of the "
    + "embedding: 1.01 → 2.90 (of d = 3); of the hidden representation: 20.5 → 18.0.");
  assert.equal(probesSummary({ ...summary, probe_first: null, rank_first: null }), "");
});

test("the methods summary gives every finished pair's alignment and chance as the CLI", () => {
  const s = {
    names: ["Barlow Twins", "SimCLR", "VICReg"], chance: 4 / 511, d: 4, rows: 512,
    pairs: [[0, 1, 0.40912], [0, 2, 0.4306], [1, 2, 0.48149]], finished: true,
  };
  assert.equal(methodsSummary(s), "Subspace alignment: Barlow Twins–SimCLR 0.409, Barlow "
    + "Twins–VICReg 0.431, SimCLR–VICReg 0.481; chance 0.0078 (d = 4 of 512 evaluation "
    + "views).");
  assert.ok(methodsSummary({ ...s, finished: false, pairs: [[0, 1, 0.5]] })
    .startsWith("Subspace alignment so far: Barlow Twins–SimCLR 0.500;"));
  assert.ok(methodsSummary({ ...s, pairs: [] }).startsWith("Subspace alignment once two"));
});
