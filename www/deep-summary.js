// The text under the deep cells' figures (8, 9 and 10), from the session's "summary" extra (plain text
// only; web::cells::deep makes it).

import { num } from "./format.js";

const fmt = (x) => num(x, 3);

/** "mode 1 at t = 0.31; mode 2 not yet; …" */
function modes(s) {
  return s.crossings.map((t, j) => (t === null ? `mode ${j + 1} not yet`
    : `mode ${j + 1} at t = ${fmt(t)}`)).join("; ");
}

/** Cell 8: the loss, each mode's step time and how separated the steps are. */
export function deepSummary(s) {
  const parts = [`Loss ${fmt(s.loss_first)} → ${fmt(s.loss_last)}.`,
    `Eigenvalues at half their final value: ${modes(s)}.`];
  if (s.min_ratio !== null) {
    parts.push(`Successive step times differ by at least ×${fmt(s.min_ratio)}.`);
  }
  return parts.join(" ");
}

/** "0.170 → 0.850" of a first and last value, or "–". */
function change(first, last) {
  return `${fmt(first)} → ${fmt(last)}`;
}

/** Cell 9: the probes' accuracies against chance, and the effective ranks. */
export function probesSummary(s) {
  const parts = [];
  if (s.probe_first && s.probe_last) {
    parts.push(`Linear probe accuracy on the embedding: ${change(s.probe_first.embedding,
      s.probe_last.embedding)}; on the hidden representation: ${change(s.probe_first.hidden,
      s.probe_last.hidden)} (chance ${fmt(s.chance)}).`);
  }
  if (s.rank_first && s.rank_last) {
    parts.push(`RankMe of the embedding: ${change(s.rank_first.embedding,
      s.rank_last.embedding)} (of d = ${s.d}); of the hidden representation: `
      + `${change(s.rank_first.hidden, s.rank_last.hidden)}.`);
  }
  return parts.join(" ");
}

/** Cell 10: "Barlow Twins–SimCLR 0.409, …; chance 0.0078 (d = 4 of 512 evaluation views)", as
 * `stepwise compare methods` prints them (three and four decimals). */
export function methodsSummary(s) {
  const pairs = s.pairs.map(([i, j, a]) => `${s.names[i]}–${s.names[j]} ${a.toFixed(3)}`);
  const chance = `chance ${s.chance.toFixed(4)} (d = ${s.d} of ${s.rows} evaluation views)`;
  if (pairs.length === 0) return `Subspace alignment once two methods finished; ${chance}.`;
  const lead = s.finished ? "Subspace alignment" : "Subspace alignment so far";
  return `${lead}: ${pairs.join(", ")}; ${chance}.`;
}
