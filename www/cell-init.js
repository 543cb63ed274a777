// Cell 3, any small init follows an aligned one (Result 4.6): the same run from a random
// W(0) and from the aligned W_al(0) with the same s_j(0), computed on the CPU in the compute
// worker (a session: create, one advance, draw). Small configurations only, unless the
// reader allows long runs.

import { checkConfig, createSession, parseQuery } from "./compute.js";
import { $, setText, count, showError, clearError, messageOf } from "./ui.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { prefixed, pair } from "./share.js";
import { turn, release } from "./scheduler.js";
import { namedReadout } from "./readout.js";
import { drawSession, wireFigure } from "./figure-cell.js";

/** Seconds of blocking computation allowed by default, and with "allow long runs". */
const SHORT_S = 1;
const LONG_S = 30;
/** The cell's configuration when the link has none. */
const DEFAULT_PRESET = "planted";

export const initCell = {
  root: $("cell-init"),
  canvas: $("init-figure"),
  form: $("init-controls"),
  /** Full configuration object the form edits. */
  config: null,
  /** The session drawn (its `info.config`: the configuration), and its compact query. */
  session: null,
  resultQuery: null,
  /** Milliseconds of the last computation. */
  ms: 0,
  presets: [],
  /** The figure's hover readout ({refresh, hide}). */
  readout: null,
};

function setState(state) {
  initCell.root.dataset.state = state;
  $("init-run").disabled = state === "computing" || state === "loading";
  for (const id of ["init-download-png", "init-download-svg"]) {
    $(id).disabled = !initCell.session || state === "computing";
  }
}

function logTime() {
  return $("init-log-time").checked;
}

/** The form's configuration checked by the worker ({config, query}), or null (after
 * showing why, if `show`). */
async function formConfig(show = true) {
  let config;
  try {
    config = readForm(initCell.config, initCell.form);
  } catch (e) {
    if (show) showError(e.message, "init-error");
    return null;
  }
  const checked = await checkConfig("init", config).catch((e) => ({ problem: messageOf(e) }));
  if (checked.problem) {
    if (show) showError(checked.problem, "init-error");
    return null;
  }
  return { config, query: checked.query };
}

function draw() {
  return drawSession(initCell, "init", { log_time: logTime() });
}

function readout(summary) {
  const gap = $("init-gap");
  gap.dataset.gap = String(summary.max_gap);
  gap.textContent = `max |Δλ| random − aligned = ${summary.max_gap.toExponential(2)}`;
  setText("init-detail", `aligned vs theory ${summary.aligned_theory_gap.toExponential(2)}; `
    + `${count(summary.steps)} steps × 2 runs in `
    + `${count(Math.round(initCell.ms))} ms`);
}

/** The comparison of `config` within `limit` seconds: a session, computed and summarized. */
async function computed(config, limit) {
  const session = await createSession("init", config, { maxSeconds: limit });
  try {
    await session.advance({ steps: 1 });
    return { session, summary: await session.extra("summary") };
  } catch (e) {
    session.close();
    throw e;
  }
}

/** Runs the comparison for the form ("Computing…" shows at once). */
export async function compute() {
  if (initCell.root.dataset.state === "computing") return false;
  setState("computing");
  setText("init-status", "Computing…");
  const checked = await formConfig();
  if (checked === null) {
    setState(initCell.session ? "done" : "error");
    setText("init-status", initCell.session ? "Done" : "Not computed");
    return false;
  }
  clearError("init-error");
  await turn("init");
  const limit = $("init-allow-slow").checked ? LONG_S : SHORT_S;
  const t0 = performance.now();
  let result;
  try {
    result = await computed(checked.config, limit);
  } catch (e) {
    showError(messageOf(e), "init-error");
    setText("init-status", "Not computed");
    setState("error");
    return false;
  } finally {
    release("init");
  }
  initCell.ms = performance.now() - t0;
  initCell.session?.close();
  initCell.session = result.session;
  initCell.resultQuery = result.session.info.share_query ?? checked.query;
  readout(result.summary);
  await draw();
  setText("init-status", "Done");
  setState("done");
  return true;
}

/** The cell's part of a link: `init.preset=…&init.…` of the form (strict: or null after
 * showing why), else of the last comparison. */
async function query(strict) {
  let q;
  const checked = await formConfig(strict);
  if (checked !== null) q = checked.query;
  else if (strict) return null;
  else q = initCell.resultQuery ?? `preset=${DEFAULT_PRESET}`;
  if (logTime()) q += `&${pair("log_time", "true")}`;
  return prefixed("init", q);
}

/**
 * Sets the cell up from its part of the page's query (prefix removed); returns the notices
 * about it. A link without `init.preset` (or with an unknown one) starts from the planted
 * preset.
 */
export async function setupInit({ params, presets }) {
  initCell.presets = presets;
  if (params.get("log_time") === "true") $("init-log-time").checked = true;
  const notices = [];
  const name = params.get("preset");
  if (name !== null && !presets.some((p) => p.name === name)) {
    notices.push(`unknown preset \`${name.slice(0, 40)}\`: using ${DEFAULT_PRESET}`);
  }
  if (name === null || notices.length) params.set("preset", DEFAULT_PRESET);
  const parsed = await parseQuery("init", params.toString());
  notices.push(...parsed.notices);
  initCell.config = parsed.config;
  const select = $("init-preset");
  presetOptions(select, presets, (p) => {
    initCell.config = structuredClone(p.config);
    fillForm(initCell.config, initCell.form);
    setText("init-status", "Preset loaded: press Run");
  });
  fillForm(initCell.config, initCell.form);
  matchPreset(select, presets, initCell.config, initCell.form);
  initCell.form.addEventListener("input", (e) => {
    if (e.target === select) return;
    matchPreset(select, presets, initCell.config, initCell.form);
    if (initCell.root.dataset.state !== "computing") setText("init-status", "Changed: press Run");
  });
  initCell.form.addEventListener("submit", (e) => {
    e.preventDefault();
    compute();
  });
  // #init-run is the form's submit button (form="init-controls"): Enter in a field runs too
  $("init-log-time").addEventListener("change", draw);
  const names = namedReadout([{ experiment: "random", theory: "aligned" },
    { experiment: "random − aligned" }]);
  wireFigure(initCell, "init", { draw, query, view: () => ({ log_time: logTime() }), format: names });
  setState("idle");
  return notices.map((n) => `Init comparison: ${n}`);
}
