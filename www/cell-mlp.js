// Cells 5 and 6, a wide network (Figure 2) and its hidden representations (Figure 5): MLP
// runs on WebGPU or the CPU in wasm, advanced one chunk per animation frame like cell 1.
// One controller per cell, both made by makeCell(); they are expensive, so they start only
// when Run is pressed (or when the page embeds one of them).

import {
  create_mlp_session, parse_mlp_query, mlp_compact_query, mlp_config_problem, mlp_cost_json,
  mlp_cost_estimate,
} from "./pkg/stepwise.js";
import {
  $, setText, showError, clearError, download, afterPaint, messageOf, yieldTask,
  pacedPainter,
} from "./ui.js";
import { progressText } from "./format.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { registerCell, wireShare, prefixed, pair } from "./share.js";
import { mlpSummary, hiddenSummary, mlpCostText } from "./mlp-summary.js";
import { turn, release } from "./scheduler.js";
import { onThemeChange, redrawDue } from "./theme.js";
import { attachReadout } from "./readout.js";
import { dataNote } from "./local-images.js";
import { showPlaceholder, clearPlaceholder, calibrateRun } from "./estimate.js";

/** Milliseconds of CPU stepping per animation frame: the tab must stay responsive. */
const FRAME_BUDGET_MS = 8;
/** Milliseconds per WebGPU advance() (it awaits the GPU: the thread stays free). */
const GPU_CALL_MS = 14;
/** The preset a cell starts from when its link names none. */
const DEFAULT_PRESET = "fig2-bt";

function makeCell(id, label, summarize) {
  return {
    id,
    label,
    summarize,
    root: $(`cell-${id}`),
    canvas: $(`${id}-figure`),
    form: $(`${id}-controls`),
    /** Full configuration object the form edits (keys the form lacks are kept). */
    config: null,
    session: null,
    /** Compact query of the configuration the session runs. */
    sessionQuery: null,
    running: false,
    loop: null,
    budget: 1,
    runMs: 0,
    wallMs: 0,
    prepareMs: 0,
    backend: "auto",
    /** Whether the reader sized the run (width field, or width/n/crop in the link): then the
     * CPU runs it as it is instead of on smaller data. */
    sizeExplicit: false,
    presets: [],
    /** The figure's hover readout ({refresh, hide}). */
    readout: null,
  };
}

export const mlpCell = makeCell("mlp", "Wide network", mlpSummary);
export const hiddenCell = makeCell("hidden", "Hidden representations", hiddenSummary);

const el = (c, name) => $(`${c.id}-${name}`);

/** The cell's state (the tests wait on it): loading, idle, preparing, running, paused,
 * finished, error or unavailable. */
function setState(c, state) {
  c.root.dataset.state = state;
  const busy = state === "preparing" || state === "loading";
  el(c, "run").disabled = busy || state === "running";
  el(c, "pause").disabled = state !== "running";
  el(c, "reset").disabled = busy;
  for (const name of ["download-png", "download-svg", "download-json"]) {
    el(c, name).disabled = !c.session || busy;
  }
}

function logTime(c) {
  return el(c, "log-time").checked;
}

/** The form's configuration as JSON text, or null (after showing why, if `show`). */
function formJson(c, show = true) {
  let json;
  try {
    json = JSON.stringify(readForm(c.config, c.form));
  } catch (e) {
    if (show) showError(e.message, `${c.id}-error`);
    return null;
  }
  const problem = mlp_config_problem(json);
  if (problem) {
    if (show) showError(problem, `${c.id}-error`);
    return null;
  }
  return json;
}

/** Cell 5 draws the run, cell 6 the hidden spectrum's change against the steps. */
function drawFigure(c, session) {
  if (c === hiddenCell) session.draw_hidden(c.canvas, logTime(c));
  else session.draw(c.canvas, logTime(c));
}

function figureSvg(c, session) {
  return c === hiddenCell ? session.hidden_svg(logTime(c)) : session.svg(logTime(c));
}

/** `lead` ("Changed: press Run") with the CPU run's cost from the MLP's cost model
 * (`mlpCostText`), in the status and, until the first figure, in the figure box. */
function showEstimate(c, lead) {
  let cost = "";
  try {
    const json = formJson(c, false);
    cost = json === null ? "" : mlpCostText(mlp_cost_estimate(json, !c.sizeExplicit));
  } catch {
    // no estimate for an unfinished form: the lead alone
  }
  const note = cost ? `${lead} (${cost})` : lead;
  setText(`${c.id}-status`, note);
  if (!c.session) showPlaceholder(c.canvas, note);
}

function draw(c) {
  if (!c.session) return;
  try {
    drawFigure(c, c.session);
    c.readout?.refresh();
  } catch (e) {
    showError(`drawing failed: ${messageOf(e)}`, `${c.id}-error`);
  }
}

function showProgress(c, p) {
  el(c, "progress").value = p.total > 0 ? p.step / p.total : 0;
  const { status, rate } = progressText(p.step, p.total, c.wallMs, p.finished);
  setText(`${c.id}-rate`, rate);
  setText(`${c.id}-status`, status);
  try {
    setText(`${c.id}-summary`, c.summarize(JSON.parse(c.session.summary_json()), p.finished));
  } catch (e) {
    setText(`${c.id}-summary`, `No summary: ${messageOf(e)}`);
  }
}

/** Takes the session's configuration into the form (the CPU fallback may narrow the width,
 * and links must give the run back exactly). */
function adoptSession(c) {
  const s = c.session;
  c.sessionQuery = s.share_query();
  setText(`${c.id}-backend`, `${s.backend_notice()}${dataNote(s)}`);
  if (s.reduced_for_cpu()) {
    c.config = JSON.parse(s.config_json());
    fillForm(c.config, c.form);
    matchPreset(el(c, "preset"), c.presets, c.config, c.form);
  }
}

/** Makes a fresh session from the form (shows "Preparing…" while the data are built). */
async function prepare(c) {
  const json = formJson(c);
  if (json === null) {
    c.running = false;
    setState(c, c.session ? "paused" : "error");
    return false;
  }
  clearError(`${c.id}-error`);
  c.session?.free();
  c.session = null;
  c.running = false;
  setState(c, "preparing");
  setText(`${c.id}-status`, "Preparing (data, network and its NTK)…");
  setText(`${c.id}-rate`, "");
  el(c, "progress").value = 0;
  await afterPaint();
  const t0 = performance.now();
  try {
    c.session = await create_mlp_session(json, c.backend, !c.sizeExplicit);
  } catch (e) {
    showError(messageOf(e), `${c.id}-error`);
    setText(`${c.id}-status`, "Not started");
    setState(c, "error");
    return false;
  }
  c.prepareMs = performance.now() - t0;
  Object.assign(c, { runMs: 0, wallMs: 0, budget: JSON.parse(json).record_every });
  adoptSession(c);
  clearPlaceholder(c.canvas);
  showProgress(c, c.session.progress());
  draw(c);
  setState(c, "paused");
  return true;
}

/** After a GPU failure: the same run again on the CPU; false if that failed too. */
async function restartOnCpu(c, session) {
  setText(`${c.id}-status`, "The GPU failed: restarting on the CPU…");
  try {
    await session.restart_on_cpu();
  } catch (e) {
    showError(`The GPU failed and the CPU could not take over: ${messageOf(e)}`, `${c.id}-error`);
    return false;
  }
  c.backend = "cpu";
  Object.assign(c, { runMs: 0, wallMs: 0, budget: JSON.parse(session.config_json()).record_every });
  adoptSession(c);
  return true;
}

/** One advance() sized to take about `target` ms. */
async function advanceOnce(c, session, target) {
  const t0 = performance.now();
  const p = await session.advance(c.budget);
  const dt = performance.now() - t0;
  c.runMs += dt;
  const scale = Math.min(4, target / Math.max(dt, 0.05));
  c.budget = Math.max(1, Math.min(1e6, c.budget * scale));
  return p;
}

/** Stops the loop on `session`'s error; true when the run restarted on the CPU instead. */
async function onRunError(c, session, e) {
  if (session.failure_kind() === "gpu" && (await restartOnCpu(c, session))) return true;
  c.running = false;
  draw(c);
  showError(messageOf(e), `${c.id}-error`);
  setText(`${c.id}-status`, "Stopped");
  setState(c, "error");
  return false;
}

/**
 * Advances the run until it finishes or is paused, one advance() of about `target` ms per
 * task, with redraws paced to at most a quarter of the time.
 */
async function runLoop(c) {
  const session = c.session;
  let p = session.progress();
  let mark = performance.now();
  const clock = () => {
    const t = performance.now();
    c.wallMs += t - mark;
    mark = t;
  };
  const paint = pacedPainter(() => {
    if (session === c.session) draw(c);
  });
  while (c.running && session === c.session && !p.finished) {
    if (!(await turn(c.id, () => c.running && session === c.session))) break;
    const target = session.backend_notice().startsWith("WebGPU") ? GPU_CALL_MS : FRAME_BUDGET_MS;
    try {
      p = await advanceOnce(c, session, target);
    } catch (e) {
      clock();
      if (session !== c.session || !(await onRunError(c, session, e))) return;
      p = session.progress();
      continue;
    }
    if (session !== c.session) return;
    clock();
    showProgress(c, p);
    paint(() => redrawDue(c.id));
    // a task, not a frame: the CPU is never idle waiting for vsync
    if (!p.finished) await yieldTask();
  }
  clock();
  if (session !== c.session) return;
  showProgress(c, p);
  draw(c);
  if (p.finished) {
    c.running = false;
    setState(c, "finished");
    calibrateRun({ costJson: () => mlp_cost_json(session.config_json()), model: "mlp", session,
      steps: p.step, ms: c.prepareMs + c.runMs });
  }
}

/** Runs the form's configuration (a fresh session when it changed or the last one ended). */
async function run(c) {
  if (c.running || c.root.dataset.state === "preparing") return;
  const json = formJson(c, false);
  const query = json === null ? null : mlp_compact_query(json);
  const state = c.root.dataset.state;
  if (!c.session || query !== c.sessionQuery || state === "finished" || state === "error") {
    if (!(await prepare(c))) return;
  }
  c.running = true;
  setState(c, "running");
  c.loop = runLoop(c).finally(() => release(c.id));
  await c.loop;
}

function pause(c) {
  c.running = false;
  if (c.root.dataset.state === "running") setState(c, "paused");
}

async function reset(c) {
  c.running = false;
  if (c.loop) await c.loop;
  await prepare(c);
}

/** The cell's part of a link: `<id>.preset=…&<id>.…` of the form (strict: or null after
 * showing why), else of the running session. */
function query(c, strict) {
  const json = formJson(c, strict);
  let q;
  if (json !== null) q = mlp_compact_query(json);
  else if (strict) return null;
  else q = c.sessionQuery ?? `preset=${DEFAULT_PRESET}`;
  if (logTime(c)) q += `&${pair("log_time", "true")}`;
  return prefixed(c.id, q);
}

function withSession(c, f) {
  if (!c.session) return;
  try {
    f(c.session);
  } catch (e) {
    showError(messageOf(e), `${c.id}-error`);
  }
}

function wireDownloads(c) {
  const name = `stepwise-${c.id}`;
  el(c, "download-png").addEventListener("click", () => {
    c.canvas.toBlob((blob) => blob && download(`${name}.png`, blob));
  });
  el(c, "download-svg").addEventListener("click", () => withSession(c, (s) =>
    download(`${name}.svg`, new Blob([figureSvg(c, s)], { type: "image/svg+xml" }))));
  el(c, "download-json").addEventListener("click", () => withSession(c, (s) =>
    download(`${name}.json`, new Blob([s.result_json()], { type: "application/json" }))));
}

function wireControls(c) {
  const select = el(c, "preset");
  presetOptions(select, c.presets, (p) => {
    c.config = structuredClone(p.config);
    c.sizeExplicit = false;
    fillForm(c.config, c.form);
    showEstimate(c, "Preset loaded: press Run");
  });
  c.form.addEventListener("input", (e) => {
    if (e.target === select) return;
    if (e.target.dataset.key === "width") c.sizeExplicit = true;
    matchPreset(select, c.presets, c.config, c.form);
    if (!c.running && c.root.dataset.state !== "preparing") {
      showEstimate(c, "Changed: press Run");
    }
  });
  // #<id>-run is the form's submit button: Enter in a field runs too
  c.form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(c);
  });
  el(c, "pause").addEventListener("click", () => pause(c));
  el(c, "reset").addEventListener("click", () => reset(c));
  el(c, "log-time").addEventListener("change", () => draw(c));
  wireDownloads(c);
  c.readout = attachReadout(c.canvas, (x, y) => c.session?.readout(x, y));
  new ResizeObserver(() => draw(c)).observe(c.canvas);
  onThemeChange(() => draw(c));
}

/**
 * Sets cell `c` up from its part of the page's query (prefix removed); returns the notices
 * about it. A link without `<id>.preset` starts from fig2-bt. Does not start the run.
 */
function setup(c, { params, presets, backend }) {
  c.presets = presets;
  c.backend = backend;
  if (params.get("log_time") === "true") el(c, "log-time").checked = true;
  c.sizeExplicit = ["width", "dataset.n", "dataset.crop"].some((k) => params.has(k));
  if (!params.has("preset")) params.set("preset", DEFAULT_PRESET);
  const parsed = JSON.parse(parse_mlp_query(params.toString()));
  c.config = parsed.config;
  fillForm(c.config, c.form);
  wireControls(c);
  matchPreset(el(c, "preset"), presets, c.config, c.form);
  registerCell(c.id, (strict) => query(c, strict));
  wireShare(c.id, `${c.id}-status`);
  setState(c, "idle");
  showEstimate(c, "Not started: press Run");
  return parsed.notices.map((n) => `${c.label}: ${n}`);
}

export const setupMlp = (options) => setup(mlpCell, options);
export const setupHidden = (options) => setup(hiddenCell, options);
export const runMlp = () => run(mlpCell);
export const runHidden = () => run(hiddenCell);

/** Marks both cells unavailable (the wasm module did not load). */
export function mlpUnavailable() {
  for (const c of [mlpCell, hiddenCell]) {
    c.root.dataset.state = "unavailable";
    setText(`${c.id}-status`, "Unavailable: the wasm module did not load");
  }
}
