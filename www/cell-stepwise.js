// Cell 1, stepwise learning (Figure 1 A/B): a live linear run on WebGPU or the CPU, advanced
// one chunk per animation frame; cell 2 (the learned directions) reads its final W.

import {
  create_session, parse_query, compact_query, config_problem, linear_cost_json,
} from "./pkg/stepwise.js";
import {
  $, setText, showError, clearError, afterPaint, messageOf, yieldTask, pacedPainter,
  focusKeeper,
} from "./ui.js";
import { progressText } from "./format.js";
import { announce, calibrateRun, learnSteps, stepsOf } from "./estimate.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { showDirections } from "./cell-directions.js";
import { wireDownloads } from "./stepwise-downloads.js";
import { registerCell, wireShare, pair } from "./share.js";
import { setupLocalImages, noteRun } from "./local-images.js";
import { turn, release } from "./scheduler.js";
import { onThemeChange, redrawDue } from "./theme.js";
import { setupReplay, syncReplay, cursorTime } from "./replay.js";
import { attachReadout } from "./readout.js";
import { bundledPhotosReady } from "./bundled-photos.js";

/** Milliseconds of CPU stepping per animation frame: the tab must stay responsive. */
const FRAME_BUDGET_MS = 8;
/** Milliseconds per WebGPU advance() (it awaits the GPU: the thread stays free). */
const GPU_CALL_MS = 14;
/** A run shows its first live redraw after this long: a shorter one (fig1 on the truncated
 * solver takes ~0.15 s) would spend a third of its time redrawing what it ends on anyway. */
const FIRST_PAINT_MS = 100;

export const cell = {
  root: $("cell-stepwise"),
  canvas: $("figure"),
  /** Full configuration object the form edits (keys the form lacks are kept). */
  config: null,
  session: null,
  /** Query (and JSON) of the configuration the session was made from. */
  sessionQuery: null,
  sessionJson: null,
  running: false,
  loop: null,
  budget: 1,
  /** Time spent in advance() and wall time while running, since the session started. */
  runMs: 0,
  wallMs: 0,
  prepareMs: 0,
  /** Time spent drawing the figure since the session started. */
  drawMs: 0,
  dirty: true,
  backend: "auto",
  /** Whether the page shows this cell alone or another one (then cell 2 stays idle). */
  embed: null,
  presets: [],
  /** The hover readout of the figure ({refresh, hide}). */
  readout: null,
};

const keepFocus = focusKeeper(["run", "pause", "step", "reset"].map((id) => $(id)));

/** The cell's state, also on <body> (the tests wait on it): loading, idle, preparing,
 * running, paused, finished, error or unavailable. */
export function setState(state) {
  cell.root.dataset.state = state;
  document.body.dataset.state = state;
  const busy = state === "preparing";
  keepFocus(() => {
    $("run").disabled = busy || state === "running";
    $("pause").disabled = state !== "running";
    $("step").disabled = busy || state === "running" || state === "finished";
    $("reset").disabled = busy;
  });
  for (const id of ["download-png", "download-svg", "download-json", "download-csv",
    "download-python"]) {
    $(id).disabled = !cell.session || busy;
  }
  syncReplay(state);
}

/** The form's configuration as JSON text, or null after showing why it is not valid. */
function formJson() {
  let cfg;
  try {
    cfg = readForm(cell.config);
  } catch (e) {
    showError(e.message);
    return null;
  }
  const json = JSON.stringify(cfg);
  const problem = config_problem(json);
  if (problem) {
    showError(problem);
    return null;
  }
  return json;
}

function logTime() {
  return $("log-time").checked;
}

function draw() {
  if (!cell.session) return;
  const t0 = performance.now();
  try {
    cell.session.draw(cell.canvas, logTime(), cursorTime());
    cell.drawMs += performance.now() - t0;
    cell.readout?.refresh();
  } catch (e) {
    showError(`drawing failed: ${messageOf(e)}`);
  }
}

function showProgress(p) {
  $("progress").value = p.total > 0 ? p.step / p.total : 0;
  const { status, rate } = progressText(p.step, p.total, cell.wallMs, p.finished);
  setText("rate", rate);
  setText("status", status);
}

/** `lead` ("Changed: press Run") with the form's estimated time, in the status. */
function showEstimate(lead) {
  const json = () => JSON.stringify(readForm(cell.config));
  announce({
    status: "status",
    lead,
    cost: () => linear_cost_json(json()),
    steps: () => stepsOf(compact_query(json())),
    backend: cell.backend,
  });
}

/** Makes a fresh session from the form (shows "Preparing…" while the data are built). */
async function prepare() {
  const json = formJson();
  if (json === null) {
    cell.running = false;
    setState(cell.session ? "paused" : "idle");
    return false;
  }
  clearError();
  cell.session?.free();
  cell.session = null;
  cell.running = false;
  setState("preparing");
  setText("status", "Preparing…");
  setText("rate", "");
  $("progress").value = 0;
  await afterPaint(); // let "Preparing…" paint before the synchronous work
  const t0 = performance.now();
  await bundledPhotosReady(); // decoded while the page loaded: done by now, as a rule
  try {
    cell.session = await create_session(json, cell.backend);
  } catch (e) {
    showError(messageOf(e));
    setText("status", "Not started");
    setState("error");
    return false;
  }
  cell.prepareMs = performance.now() - t0;
  performance.measure("stepwise: prepare", { start: t0 }); // shows in DevTools' timeline
  cell.sessionQuery = compact_query(json);
  cell.sessionJson = json;
  learnSteps(cell.sessionQuery, cell.session.progress().total);
  cell.runMs = 0;
  cell.wallMs = 0;
  cell.drawMs = 0;
  cell.budget = JSON.parse(json).record_every;
  cell.dirty = false;
  setText("backend", cell.session.backend_notice());
  noteRun(cell.session);
  showProgress(cell.session.progress());
  draw();
  setState("paused");
  return true;
}

/**
 * Advances the run until it finishes or is paused, in slices of at least `target` ms each
 * followed by a yield to the event loop (a task, not a frame: the CPU is never idle waiting
 * for vsync), and redraws at most once per animation frame. FRAME_BUDGET_MS for the CPU,
 * which computes on this thread (so the tab never freezes), or GPU_CALL_MS for WebGPU, whose
 * advance() mostly awaits the GPU.
 */
async function runLoop() {
  const session = cell.session;
  // the notice changes if the GPU fails mid-run and the CPU takes over
  let notice = session.backend_notice();
  let target = notice.startsWith("WebGPU") ? GPU_CALL_MS : FRAME_BUDGET_MS;
  let p = session.progress();
  let mark = performance.now();
  const started = mark;
  const clock = () => {
    const t = performance.now();
    cell.wallMs += t - mark;
    mark = t;
  };
  // the first redraw waits FIRST_PAINT_MS (a run over by then draws once, at its end)
  const paint = pacedPainter(() => {
    if (session !== cell.session) return;
    showProgress(p);
    draw();
  }, FIRST_PAINT_MS);
  // one slice may take several advance() calls while the budget is still calibrating: they
  // resolve in microtasks, and yielding after each tiny one would let the browser render a
  // frame (~10 ms at 2x) between calls that each took 0.1 ms
  let sliceStart = performance.now();
  while (cell.running && session === cell.session && !p.finished) {
    if (!(await turn("stepwise", () => cell.running && session === cell.session))) break;
    const t0 = performance.now();
    try {
      p = await session.advance(cell.budget);
    } catch (e) {
      cell.running = false;
      clock();
      if (session !== cell.session) return;
      draw();
      showError(messageOf(e));
      setText("status", "Stopped");
      setState("error");
      return;
    }
    const dt = performance.now() - t0;
    cell.runMs += dt;
    if (session.backend_notice() !== notice) {
      notice = session.backend_notice();
      target = notice.startsWith("WebGPU") ? GPU_CALL_MS : FRAME_BUDGET_MS;
      setText("backend", notice);
    }
    // up to 16x per slice: a fast solver (the truncated one does fig1 in ~40 ms of wasm)
    // reaches its budget in two slices instead of five
    const scale = Math.min(16, target / Math.max(dt, 0.05));
    cell.budget = Math.max(1, Math.min(1e6, cell.budget * scale));
    if (session !== cell.session) return;
    clock();
    paint(() => redrawDue("stepwise"));
    if (!p.finished && performance.now() - sliceStart >= target) {
      await yieldTask();
      sliceStart = performance.now();
    }
  }
  clock();
  performance.measure("stepwise: run", { start: started });
  if (session !== cell.session) return;
  showProgress(p);
  draw();
  if (p.finished) {
    cell.running = false;
    setState("finished");
    calibrateRun({ costJson: () => linear_cost_json(cell.sessionJson), model: "linear", session,
      steps: p.step, ms: cell.prepareMs + cell.runMs });
    if (!cell.embed) await showDirections(cell);
  }
}

/** Runs the form's configuration (a fresh session when it changed or the last one ended). */
export async function run() {
  if (cell.running) return;
  let query = null;
  try {
    const json = JSON.stringify(readForm(cell.config));
    if (!config_problem(json)) query = compact_query(json);
  } catch {
    // prepare() reports it
  }
  if (!cell.session || cell.dirty || query !== cell.sessionQuery
      || cell.root.dataset.state === "finished" || cell.root.dataset.state === "error") {
    if (!(await prepare())) return;
  }
  cell.running = true;
  setState("running");
  cell.loop = runLoop().finally(() => release("stepwise"));
  await cell.loop;
}

function pause() {
  cell.running = false;
  if (cell.root.dataset.state === "running") setState("paused");
}

async function step() {
  if (cell.running) return;
  if (!cell.session || cell.dirty) {
    if (!(await prepare())) return;
  }
  try {
    const t0 = performance.now();
    const p = await cell.session.advance(1);
    cell.runMs += performance.now() - t0;
    showProgress(p);
    draw();
    setState(p.finished ? "finished" : "paused");
  } catch (e) {
    draw();
    showError(messageOf(e));
    setState("error");
  }
}

async function reset() {
  cell.running = false;
  if (cell.loop) await cell.loop;
  await prepare();
}

/** After the images in use changed: a fresh run on them. */
async function rerun() {
  cell.running = false;
  if (cell.loop) await cell.loop;
  cell.dirty = true;
  await run();
}

// ---- links and downloads ----------------------------------------------------------

/** The cell's part of a link: the form's configuration (strict: or null, shown as an
 * error), else the running session's. */
function query(strict) {
  let q = null;
  if (strict) {
    const json = formJson();
    if (json === null) return null;
    q = compact_query(json);
  } else {
    try {
      const json = JSON.stringify(readForm(cell.config));
      q = config_problem(json) ? cell.sessionQuery : compact_query(json);
    } catch {
      q = cell.sessionQuery;
    }
  }
  if (q === null) return "";
  const log = logTime() ? pair("log_time", "true") : "";
  return [q, log].filter(Boolean).join("&");
}

// ---- start ------------------------------------------------------------------------

/**
 * Sets the cell up from its part of the page's query (URLSearchParams, page keys removed);
 * returns the notices about it. Does not start the run.
 */
export function setupStepwise({ params, presets, backend, embed }) {
  cell.presets = presets;
  cell.backend = backend;
  cell.embed = embed;
  if (params.get("log_time") === "true") $("log-time").checked = true;
  const parsed = JSON.parse(parse_query(params.toString()));
  cell.config = parsed.config;
  presetOptions($("preset"), presets, (p) => {
    cell.config = structuredClone(p.config);
    fillForm(cell.config);
    reset();
  });
  fillForm(cell.config);
  matchPreset($("preset"), presets, cell.config);
  $("controls").addEventListener("input", () => {
    cell.dirty = true;
    matchPreset($("preset"), presets, cell.config);
    if (!cell.running && cell.root.dataset.state !== "preparing") showEstimate("Changed: press Run");
  });
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  $("log-time").addEventListener("change", draw);
  $("run").addEventListener("click", run);
  $("pause").addEventListener("click", pause);
  $("step").addEventListener("click", step);
  $("reset").addEventListener("click", reset);
  $("directions-refresh").addEventListener("click", () => showDirections(cell));
  wireDownloads(cell, logTime);
  setupLocalImages({ zone: cell.root, base: () => cell.config?.dataset?.base, onChange: rerun });
  setupReplay({ session: () => cell.session, redraw: draw, directions: !embed });
  cell.readout = attachReadout(cell.canvas, (x, y) => cell.session?.readout(x, y));
  registerCell("stepwise", query);
  wireShare("stepwise", "status");
  new ResizeObserver(() => draw()).observe(cell.canvas);
  onThemeChange(draw);
  setState("idle");
  showEstimate("Not started");
  return parsed.notices;
}
