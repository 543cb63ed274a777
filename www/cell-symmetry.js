// Cell 4, symmetry breaking (App. F): SSL's double-well modewise loss against supervised
// learning's single well, for γ values the reader types; cheap, so it redraws on input
// (a session in the compute worker per input: create, one advance, draw).

import { createSession } from "./compute.js";
import { $, setText, showError, clearError, messageOf } from "./ui.js";
import { prefixed, pair, repeatedNotices } from "./share.js";
import { num } from "./format.js";
import { fmt as fmt6 } from "./readout.js";
import { drawSession, wireFigure } from "./figure-cell.js";

/** The cell's state when the link has none. */
const DEFAULTS = { gammas: "1, 0.5, 0.25", init: "0.001" };
/** Keys this cell reads from a link (after `symmetry.`). */
const KEYS = ["gammas", "init"];

export const symmetryCell = {
  root: $("cell-symmetry"),
  canvas: $("symmetry-figure"),
  /** The session drawn, its summary ({modes}) and its canonical {gammas, init} text. */
  session: null,
  summary: null,
  state: null,
  /** Number of successful redraws (the tests watch it). */
  draws: 0,
  /** The figure's hover readout ({refresh, hide}). */
  readout: null,
};

function setState(state) {
  symmetryCell.root.dataset.state = state;
  for (const id of ["symmetry-download-png", "symmetry-download-svg"]) {
    $(id).disabled = !symmetryCell.session;
  }
}

function draw() {
  return drawSession(symmetryCell, "symmetry");
}

const fmt = (x) => num(x, 3);

/** One line per γ: when its SSL mode escapes and when its supervised mode is halfway. */
function listTimes(summary) {
  const items = summary.modes.map((m) => {
    const li = document.createElement("li");
    li.textContent = `γ = ${m.gamma}: SSL waits until τ = ${fmt(m.ssl_tau)}, then steps; `
      + `supervised is halfway at t = ${fmt(m.supervised_half)}`;
    return li;
  });
  $("symmetry-times").replaceChildren(...items);
}

/** The landscape of the inputs ({session, summary}), or {error} (why they are not valid). */
async function build(gammas, init) {
  let session = null;
  try {
    session = await createSession("symmetry", { gammas, init });
    await session.advance({ steps: 1 });
    return { session, summary: await session.extra("summary") };
  } catch (e) {
    session?.close();
    return { error: messageOf(e) };
  }
}

let updates = 0;

/** Redraws for the current inputs; bad input keeps the last figure and says why. A later
 * input wins over one still computing. */
export async function update() {
  updates += 1;
  const mine = updates;
  const result = await build($("symmetry-gammas").value, $("symmetry-init").value);
  if (mine !== updates) {
    result.session?.close();
    return false;
  }
  if (result.error !== undefined) {
    showError(result.error, "symmetry-error");
    setText("symmetry-status", "Showing the last valid γ values");
    setState("invalid");
    return false;
  }
  clearError("symmetry-error");
  symmetryCell.session?.close();
  const { session, summary } = result;
  // the summary's texts are the shortest that read back to the same γ's and s(0)
  Object.assign(symmetryCell, { session, summary,
    state: { gammas: summary.gammas, init: summary.init } });
  await draw();
  listTimes(summary);
  setText("symmetry-status", "");
  setState("drawn");
  return true;
}

/** The cell's part of a link (strict: null after showing why when the inputs are bad). */
async function query(strict) {
  if (strict && !(await update())) return null;
  const state = symmetryCell.state ?? DEFAULTS;
  return prefixed("symmetry", `${pair("gammas", state.gammas)}&${pair("init", state.init)}`);
}

/**
 * Sets the cell up from its part of the page's query (prefix removed) and draws it;
 * returns the notices about the link (bad values keep the defaults).
 */
/** A readout: panel A at s = c (the losses), panel B at time t (rescaled trajectories). */
function readoutText(r) {
  const gammas = symmetryCell.summary?.modes?.map((m) => m.gamma) ?? [];
  const g = gammas[r.mode - 1] ?? `#${r.mode}`;
  const [where, what] = r.panel === 0 ? ["s = c", "loss"] : ["t", "rescaled"];
  return `${where} = ${fmt6(r.t)} · γ = ${g}: SSL ${what} ${fmt6(r.experiment)}, `
    + `supervised ${fmt6(r.theory)}`;
}

export async function setupSymmetry({ params }) {
  const notices = repeatedNotices(params, KEYS,
    { prefix: "symmetry.", label: "Symmetry breaking: " });
  for (const key of new Set(params.keys())) {
    if (!KEYS.includes(key)) {
      notices.push(`Symmetry breaking: ignored \`symmetry.${key.slice(0, 40)}\`: `
        + `the keys are symmetry.gammas and symmetry.init`);
    }
  }
  const gammas = params.get("gammas") ?? DEFAULTS.gammas;
  const init = params.get("init") ?? DEFAULTS.init;
  $("symmetry-gammas").value = gammas;
  $("symmetry-init").value = init;
  const checked = await build(gammas, init);
  checked.session?.close();
  if (checked.error !== undefined) {
    const why = checked.error;
    notices.push(`Symmetry breaking: ignored symmetry.gammas = ${gammas.slice(0, 40)}, `
      + `symmetry.init = ${init.slice(0, 40)}: ${why}`);
    clearError("symmetry-error");
    $("symmetry-gammas").value = DEFAULTS.gammas;
    $("symmetry-init").value = DEFAULTS.init;
  }
  const form = $("symmetry-controls");
  form.addEventListener("input", update);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    update();
  });
  wireFigure(symmetryCell, "symmetry", { draw, query, format: readoutText });
  setState("idle");
  return notices;
}
