// The numbers of the cell "Can SSL learn faster?": one table row per variant and η policy,
// and a summary line, from AppgSession.result_json(false). Built with DOM APIs and
// textContent only.

/** The η policies as the page words them. */
export const POLICY_WORDS = { equal: "baseline's η", stable: "own stable η" };

function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return x.toExponential(2);
  return x.toPrecision(3);
}

/** η with four significant digits (the stable η's are compared by eye with the CLI's). */
function fmtEta(x) {
  return x > 0 ? x.toExponential(3) : "—";
}

function speedup(r) {
  return r.speedup === null || r.speedup === undefined ? "—" : `${r.speedup.toFixed(2)}x`;
}

/** The last column: why a row has no result, or that its η search hit the limit. */
function note(r, result) {
  if (r.failure) return r.failure;
  const search = result.stable.find((s) => s.variant === r.variant);
  if (r.policy === "stable" && search?.at_limit) {
    return `search limit: ${result.config.finder.max_factor}x the baseline's η`;
  }
  if (r.steps_to_all === null) return "not every mode learned";
  return "";
}

function rowElement(r, result) {
  const tr = document.createElement("tr");
  tr.dataset.variant = r.variant;
  tr.dataset.policy = r.policy;
  if (r.failure || r.steps_to_all === null) tr.classList.add("failed");
  const cells = [
    r.variant, POLICY_WORDS[r.policy] ?? r.policy, fmtEta(r.eta),
    r.steps_to_all ?? "—", fmt(r.t_to_all), speedup(r), fmt(r.final_loss), note(r, result),
  ];
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = String(text);
    tr.append(td);
  }
  return tr;
}

/** Replaces the rows of `tbody` with those of `result` (the CLI's table schema). */
export function fillTable(tbody, result) {
  tbody.replaceChildren(...result.rows.map((r) => rowElement(r, result)));
}

/** "At the baseline's η, sharp learns all 4 modes fastest: …" and any failures. */
export function appgSummary(result, finished) {
  const d = result.config.run.d;
  const parts = [];
  for (const policy of ["equal", "stable"]) {
    const rows = result.rows.filter((r) => r.policy === policy && r.variant !== "baseline"
      && r.speedup !== null);
    if (!rows.length) continue;
    const best = rows.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    const where = policy === "equal" ? "At the baseline's η" : "Each at its own stable η";
    parts.push(`${where}, ${best.variant} learns all ${d} modes in the fewest steps: `
      + `${best.speedup.toFixed(2)}x fewer than the baseline${finished ? "" : " (so far)"}.`);
  }
  const failed = result.rows.filter((r) => r.failure);
  if (failed.length) {
    parts.push(`No result for ${failed.map((r) => `${r.variant} at ${POLICY_WORDS[r.policy]}: `
      + `${r.failure}`).join("; ")}.`);
  }
  return parts.join(" ");
}
