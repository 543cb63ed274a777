// Cell 3, any small init follows an aligned one (Result 4.6): the same run from a random
// W(0) and from the aligned W_al(0) with the same s_j(0), computed on the CPU in one
// blocking wasm call. Small configurations only, unless the reader allows long runs.

import { compute_init, parse_query, compact_query, config_problem } from "./pkg/stepwise.js";
import {
  $, setText, count, showError, clearError, download, afterPaint, messageOf,
} from "./ui.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { bundledPhotosReady } from "./bundled-photos.js";
import { registerCell, wireShare, prefixed, pair } from "./share.js";
import { turn, release } from "./scheduler.js";
import { onThemeChange } from "./theme.js";
import { attachReadout, namedReadout } from "./readout.js";

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
  /** The InitCell (wasm) drawn, and the compact query of its configuration. */
  result: null,
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
    $(id).disabled = !initCell.result || state === "computing";
  }
}

function logTime() {
  return $("init-log-time").checked;
}

/** The form's configuration as JSON text, or null after showing why it is not valid. */
function formJson(show = true) {
  let json;
  try {
    json = JSON.stringify(readForm(initCell.config, initCell.form));
  } catch (e) {
    if (show) showError(e.message, "init-error");
    return null;
  }
  const problem = config_problem(json);
  if (problem) {
    if (show) showError(problem, "init-error");
    return null;
  }
  return json;
}

function draw() {
  if (!initCell.result) return;
  try {
    initCell.result.draw(initCell.canvas, logTime());
    initCell.readout?.refresh();
  } catch (e) {
    showError(`drawing failed: ${messageOf(e)}`, "init-error");
  }
}

function readout(summary) {
  const gap = $("init-gap");
  gap.dataset.gap = String(summary.max_gap);
  gap.textContent = `max |Δλ| random − aligned = ${summary.max_gap.toExponential(2)}`;
  setText("init-detail", `aligned vs theory ${summary.aligned_theory_gap.toExponential(2)}; `
    + `${count(summary.steps)} steps × 2 runs in `
    + `${count(Math.round(initCell.ms))} ms`);
}

/** Runs the comparison for the form (after letting "Computing…" paint). */
export async function compute() {
  if (initCell.root.dataset.state === "computing") return false;
  const json = formJson();
  if (json === null) {
    setState(initCell.result ? "done" : "error");
    return false;
  }
  clearError("init-error");
  setState("computing");
  setText("init-status", "Computing…");
  await afterPaint();
  await turn("init");
  await bundledPhotosReady();
  const limit = $("init-allow-slow").checked ? LONG_S : SHORT_S;
  const t0 = performance.now();
  let result;
  try {
    result = compute_init(json, limit);
  } catch (e) {
    showError(messageOf(e), "init-error");
    setText("init-status", "Not computed");
    setState("error");
    return false;
  } finally {
    release("init");
  }
  initCell.ms = performance.now() - t0;
  initCell.result?.free();
  initCell.result = result;
  initCell.resultQuery = result.share_query();
  draw();
  readout(JSON.parse(result.summary_json()));
  setText("init-status", "Done");
  setState("done");
  return true;
}

/** The cell's part of a link: `init.preset=…&init.…` of the form (strict: or null after
 * showing why), else of the last comparison. */
function query(strict) {
  let q;
  const json = formJson(strict);
  if (json !== null) q = compact_query(json);
  else if (strict) return null;
  else q = initCell.resultQuery ?? `preset=${DEFAULT_PRESET}`;
  if (logTime()) q += `&${pair("log_time", "true")}`;
  return prefixed("init", q);
}

function withResult(f) {
  if (!initCell.result) return;
  try {
    f(initCell.result);
  } catch (e) {
    showError(messageOf(e), "init-error");
  }
}

/**
 * Sets the cell up from its part of the page's query (prefix removed); returns the notices
 * about it. A link without `init.preset` (or with an unknown one) starts from the planted
 * preset.
 */
export function setupInit({ params, presets }) {
  initCell.presets = presets;
  if (params.get("log_time") === "true") $("init-log-time").checked = true;
  const notices = [];
  const name = params.get("preset");
  if (name !== null && !presets.some((p) => p.name === name)) {
    notices.push(`unknown preset \`${name.slice(0, 40)}\`: using ${DEFAULT_PRESET}`);
  }
  if (name === null || notices.length) params.set("preset", DEFAULT_PRESET);
  const parsed = JSON.parse(parse_query(params.toString()));
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
  $("init-download-png").addEventListener("click", () => {
    initCell.canvas.toBlob((blob) => blob && download("stepwise-init.png", blob));
  });
  $("init-download-svg").addEventListener("click", () => withResult((r) =>
    download("stepwise-init.svg", new Blob([r.svg(logTime())], { type: "image/svg+xml" }))));
  const names = namedReadout([{ experiment: "random", theory: "aligned" }, { experiment: "random − aligned" }]);
  initCell.readout = attachReadout(initCell.canvas, (x, y) => initCell.result?.readout(x, y), names);
  registerCell("init", query);
  wireShare("init", "init-status");
  new ResizeObserver(() => draw()).observe(initCell.canvas);
  onThemeChange(draw);
  setState("idle");
  return notices.map((n) => `Init comparison: ${n}`);
}
