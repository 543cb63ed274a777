// The text under the MLP cells' figures, from the session's "summary" extra (plain text
// only).

import { num } from "./format.js";
import { count } from "./ui.js";

const fmt = (x) => num(x, 3);

function pct(x) {
  return `${Math.round(x * 100)}%`;
}

/** "mode 1 at t = 1.79 (NTK τ = 1.50); mode 2 not yet; …" */
function modes(s) {
  return s.crossings.map((t, j) => {
    const tau = s.tau.length ? ` (NTK τ${j + 1} = ${fmt(s.tau[j])})` : "";
    return t === null ? `mode ${j + 1} not yet${tau}` : `mode ${j + 1} at t = ${fmt(t)}${tau}`;
  }).join("; ");
}

function loss(s) {
  return `Loss ${fmt(s.loss_first)} → ${fmt(s.loss_last)}.`;
}

function steps(s) {
  return `Eigenvalues past 0.5: ${modes(s)}.`;
}

/** Cell 5: loss, step times against the NTK's, and (at the end) the subspace alignment. */
export function mlpSummary(s, finished) {
  const parts = [loss(s), steps(s)];
  if (!s.ntk_regime) {
    parts.push("No NTK theory: the width is below 20 hidden units per pair, outside the "
      + "kernel regime the theory describes.");
  }
  if (finished) {
    parts.push(`Alignment of the learned embedding subspace with the NTK's prediction: `
      + `${fmt(s.alignment)} (random subspaces: ${fmt(s.alignment_chance)}).`);
  }
  return parts.join(" ");
}

/** "step of mode 1 at t = 1.50, fastest hidden change at t = 1.52; …" */
function alignment(s) {
  return s.steps.map((a) => `mode ${a.mode + 1} stepped at t = ${fmt(a.step_time)}, `
    + `the hidden spectrum changed fastest at t = ${fmt(a.hidden_peak)}`).join("; ");
}

/** Cell 6: when the hidden spectrum moved, against the embedding's steps. */
export function hiddenSummary(s, finished) {
  const parts = [steps(s)];
  if (s.steps.length) parts.push(`Half way up each step: ${alignment(s)}.`);
  const h = s.hidden;
  if (!h) {
    parts.push("No hidden eigenvalues recorded yet (hidden eigenvalues must be at least 1).");
  } else {
    parts.push(`The hidden covariance's top eigenvalues changed by ${pct(h.relative_change)} `
      + `of their initial total${finished ? "" : " so far"}; ${pct(h.change_in_steps)} of that change `
      + `happened during the embedding's steps, which took ${pct(h.time_in_steps)} of the time.`);
  }
  return parts.join(" ");
}

/** "on the CPU: about 2,200 steps, about 15 s" from the MLP's cost model ({steps_set,
 * steps, seconds}: a typical step count when the steps are automatic). */
export function mlpCostText(e) {
  const steps = e.steps_set ? `${count(e.steps)} steps` : `about ${count(e.steps)} steps`;
  const seconds = e.seconds < 10 ? e.seconds.toFixed(1) : Math.round(e.seconds);
  return `on the CPU: ${steps}, about ${seconds} s`;
}
