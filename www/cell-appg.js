// Cell 7, "Can SSL learn faster?" (Appendix G): the loss variants against the baseline at
// the baseline's η and at each one's own stable η, a comparison advanced a few milliseconds
// per animation frame like the MLP cells. Its default (small) comparison starts by itself
// once in view, like cell 1; another one from a link waits for Run unless embedded.

import {
  create_appg_session, parse_appg_query, appg_compact_query, appg_config_problem, appg_cost_json,
  compact_query,
} from "./pkg/stepwise.js";
import {
  $, setText, count, showError, clearError, download, afterPaint, messageOf, yieldTask,
  pacedPainter,
} from "./ui.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { registerCell, wireShare, prefixed, pair } from "./share.js";
import { fillTable, appgSummary } from "./appg-table.js";
import { turn, release } from "./scheduler.js";
import { onThemeChange, redrawDue } from "./theme.js";
import { attachReadout, fmt as fmt6 } from "./readout.js";
import { dataNote } from "./local-images.js";
import { announce, clearPlaceholder, stepsOf } from "./estimate.js";

/** Milliseconds of CPU stepping per animation frame: the tab must stay responsive. */
const FRAME_BUDGET_MS = 8;
/** The preset the cell starts from when its link names none (a few seconds in wasm). */
const DEFAULT_PRESET = "small";
/** View keys of the cell's links (read here, not configuration keys). */
const PANELS_KEY = "panels";

export const appgCell = {
  id: "appg",
  label: "Can SSL learn faster?",
  root: $("cell-appg"),
  canvas: $("appg-figure"),
  form: $("appg-controls"),
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
  /** Rows shown in the table so far. */
  tabled: -1,
  backend: "auto",
  presets: [],
  /** The figure's hover readout ({refresh, hide}). */
  readout: null,
  /** Whether the page's link has no key of this cell (then it may start by itself). */
  linkless: false,
};
const c = appgCell;

/** A bar's readout: the variant and η, the steps it took and the baseline's, the label. */
function barText(r) {
  const eta = r.policy === "equal" ? "baseline's η" : "own stable η";
  const steps = (n) => (n == null ? "never" : `step ${count(n)}`);
  return `${r.variant}, ${eta} ${r.eta.toExponential(3)}: every mode learned at `
    + `${steps(r.steps_to_all)}, baseline at ${steps(r.baseline_steps_to_all)} · ${r.label}`;
}

/** A variant panel's readout: the step, and mode j of the variant and of the baseline;
 * on the bar panel, the bar's numbers. */
function readoutText(r) {
  if (r.kind === "bars") return barText(r);
  const baseline = r.theory == null ? "" : `, baseline ${fmt6(r.theory)}`;
  return `step ${count(r.step)} · mode ${r.mode}: this variant `
    + `${fmt6(r.experiment)}${baseline}`;
}

const el = (name) => $(`appg-${name}`);

/** Which backend runs the comparison and why, and whose images its data come from. */
function showBackend(session) {
  setText("appg-backend", `${session.backend_notice()}${dataNote(session)}`);
}

/** The cell's state (the tests wait on it): loading, idle, preparing, running, paused,
 * finished, error or unavailable. */
function setState(state) {
  c.root.dataset.state = state;
  const busy = state === "preparing" || state === "loading";
  el("run").disabled = busy || state === "running";
  el("pause").disabled = state !== "running";
  el("reset").disabled = busy;
  for (const name of ["download-png", "download-svg", "download-json", "download-curves"]) {
    el(name).disabled = !c.session || busy;
  }
}

const panels = () => el("panels").value;
const logSteps = () => el("log-steps").checked;

/** The form's configuration as JSON text, or null (after showing why, if `show`). */
function formJson(show = true) {
  let json;
  try {
    json = JSON.stringify(readForm(c.config, c.form));
  } catch (e) {
    if (show) showError(e.message, "appg-error");
    return null;
  }
  const problem = appg_config_problem(json);
  if (problem) {
    if (show) showError(problem, "appg-error");
    return null;
  }
  return json;
}

/** `lead` ("Changed: press Run") with the form's estimated time, in the status and, until
 * the first figure, in the figure box. A linear comparison with automatic steps takes the
 * step count cell 1 found for the same run, when it ran it. */
function showEstimate(lead) {
  const json = formJson(false);
  announce({
    status: "appg-status",
    canvas: c.session ? null : c.canvas,
    lead,
    cost: () => appg_cost_json(json),
    steps: () => {
      const cfg = JSON.parse(json);
      return cfg.model === "linear" ? stepsOf(compact_query(JSON.stringify(cfg.run))) : undefined;
    },
    backend: c.backend,
  });
}

/** Whether the cell may start by itself once in view: its link chose nothing, so it shows
 * the default (small, quick) comparison. */
export function appgAutostarts() {
  return c.linkless && el("preset").value === DEFAULT_PRESET;
}

function draw() {
  if (!c.session) return;
  try {
    c.session.draw(c.canvas, panels(), logSteps());
    c.readout?.refresh();
  } catch (e) {
    showError(`drawing failed: ${messageOf(e)}`, "appg-error");
  }
}

/** Progress line, and the table and summary whenever a row finished. */
function showProgress(p) {
  el("progress").value = p.total > 0 ? p.done / p.total : 0;
  const secs = (c.wallMs / 1000).toFixed(1);
  setText("appg-status", p.finished
    ? `Finished: ${p.rows} runs and their stable-η searches in ${secs} s`
    : `Task ${Math.min(p.done + 1, p.total)} of ${p.total}: ${p.current || "starting"}`);
  if (p.rows === c.tabled && !p.finished) return;
  c.tabled = p.rows;
  try {
    const result = JSON.parse(c.session.result_json(false));
    fillTable(el("table-body"), result);
    setText("appg-summary", appgSummary(result, p.finished));
  } catch (e) {
    setText("appg-summary", `No table: ${messageOf(e)}`);
  }
}

/** Makes a fresh session from the form (shows "Preparing…" while the data are built). */
async function prepare(backend) {
  const json = formJson();
  if (json === null) {
    c.running = false;
    setState(c.session ? "paused" : "error");
    return false;
  }
  clearError("appg-error");
  c.session?.free();
  c.session = null;
  c.running = false;
  setState("preparing");
  setText("appg-status", "Preparing (data and Γ)…");
  el("progress").value = 0;
  await afterPaint();
  const t0 = performance.now();
  try {
    c.session = await create_appg_session(json, backend);
  } catch (e) {
    showError(messageOf(e), "appg-error");
    setText("appg-status", "Not started");
    setState("error");
    return false;
  }
  c.prepareMs = performance.now() - t0;
  Object.assign(c, { runMs: 0, wallMs: 0, tabled: -1, budget: 20 });
  c.sessionQuery = c.session.share_query();
  clearPlaceholder(c.canvas);
  showBackend(c.session);
  showProgress(c.session.progress());
  draw();
  setState("paused");
  return true;
}

/** One advance() sized to take about FRAME_BUDGET_MS. */
async function advanceOnce(session) {
  const t0 = performance.now();
  const p = await session.advance(c.budget);
  const dt = performance.now() - t0;
  c.runMs += dt;
  const scale = Math.min(4, FRAME_BUDGET_MS / Math.max(dt, 0.05));
  c.budget = Math.max(1, Math.min(1e6, c.budget * scale));
  return p;
}

/**
 * Advances the comparison until it finishes or is paused, one advance() of about
 * FRAME_BUDGET_MS per task, with redraws paced to at most a quarter of the time.
 */
async function runLoop() {
  const session = c.session;
  let p = session.progress();
  let mark = performance.now();
  const paint = pacedPainter(() => {
    if (session === c.session) draw();
  });
  const clock = () => {
    const t = performance.now();
    c.wallMs += t - mark;
    mark = t;
  };
  while (c.running && session === c.session && !p.finished) {
    if (!(await turn(c.id, () => c.running && session === c.session))) break;
    try {
      p = await advanceOnce(session);
    } catch (e) {
      clock();
      if (session !== c.session) return;
      c.running = false;
      draw();
      showError(messageOf(e), "appg-error");
      setText("appg-status", "Stopped");
      setState("error");
      return;
    }
    if (session !== c.session) return;
    clock();
    showProgress(p);
    // a lost GPU restarts the comparison on the CPU: the notice says so
    showBackend(session);
    paint(() => redrawDue("appg"));
    // a task, not a frame: the CPU is never idle waiting for vsync
    if (!p.finished) await yieldTask();
  }
  clock();
  if (session !== c.session) return;
  showProgress(p);
  draw();
  if (p.finished) {
    c.running = false;
    setState("finished");
  }
}

/** Runs the form's comparison (a fresh session when it changed or the last one ended). */
async function run(backend = c.backend) {
  if (c.running || c.root.dataset.state === "preparing") return;
  const json = formJson(false);
  const query = json === null ? null : appg_compact_query(json);
  const state = c.root.dataset.state;
  if (!c.session || query !== c.sessionQuery || state === "finished" || state === "error") {
    if (!(await prepare(backend))) return;
  }
  c.running = true;
  setState("running");
  c.loop = runLoop().finally(() => release(c.id));
  await c.loop;
}

function pause() {
  c.running = false;
  if (c.root.dataset.state === "running") setState("paused");
}

async function reset() {
  c.running = false;
  if (c.loop) await c.loop;
  await prepare(c.backend);
}

/** The cell's part of a link: `appg.preset=…&appg.…` of the form (strict: or null after
 * showing why), else of the running session; with the figure's view keys. */
function query(strict) {
  const json = formJson(strict);
  let q;
  if (json !== null) q = appg_compact_query(json);
  else if (strict) return null;
  else q = c.sessionQuery ?? `preset=${DEFAULT_PRESET}`;
  if (panels() === "stable") q += `&${pair(PANELS_KEY, "stable")}`;
  if (logSteps()) q += `&${pair("log_time", "true")}`;
  return prefixed(c.id, q);
}

function withSession(f) {
  if (!c.session) return;
  try {
    f(c.session);
  } catch (e) {
    showError(messageOf(e), "appg-error");
  }
}

function wireDownloads() {
  const json = (text) => new Blob([text], { type: "application/json" });
  el("download-png").addEventListener("click", () => {
    c.canvas.toBlob((blob) => blob && download("stepwise-appg.png", blob));
  });
  el("download-svg").addEventListener("click", () => withSession((s) => download(
    "stepwise-appg.svg", new Blob([s.svg(panels(), logSteps())], { type: "image/svg+xml" }))));
  el("download-json").addEventListener("click", () => withSession((s) =>
    download("stepwise-appg.json", json(s.result_json(false)))));
  el("download-curves").addEventListener("click", () => withSession((s) =>
    download("stepwise-appg-curves.json", json(s.result_json(true)))));
}

function wireControls() {
  const select = el("preset");
  presetOptions(select, c.presets, (p) => {
    c.config = structuredClone(p.config);
    fillForm(c.config, c.form);
    showEstimate("Preset loaded: press Run");
  });
  c.form.addEventListener("input", (e) => {
    if (e.target === select) return;
    matchPreset(select, c.presets, c.config, c.form);
    if (!c.running && c.root.dataset.state !== "preparing") {
      showEstimate("Changed: press Run");
    }
  });
  // #appg-run is the form's submit button: Enter in a field runs too
  c.form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  el("pause").addEventListener("click", pause);
  el("reset").addEventListener("click", reset);
  el("panels").addEventListener("change", draw);
  el("log-steps").addEventListener("change", draw);
  wireDownloads();
  c.readout = attachReadout(c.canvas, (x, y) => c.session?.readout(x, y), readoutText);
  new ResizeObserver(draw).observe(c.canvas);
  onThemeChange(draw);
}

/**
 * Sets the cell up from its part of the page's query (prefix removed); returns the notices
 * about it. A link without `appg.preset` starts from the small preset. Does not run.
 */
export function setupAppg({ params, presets, backend }) {
  c.presets = presets;
  c.backend = backend;
  const notices = [];
  const view = params.get(PANELS_KEY);
  params.delete(PANELS_KEY);
  if (view === "stable" || view === "equal") el("panels").value = view;
  else if (view !== null) {
    notices.push(`ignored \`${PANELS_KEY}\` = \`${view.slice(0, 40)}\`: use equal or stable`);
  }
  if (params.get("log_time") === "true") el("log-steps").checked = true;
  c.linkless = [...params.keys()].length === 0;
  if (!params.has("preset")) params.set("preset", DEFAULT_PRESET);
  const parsed = JSON.parse(parse_appg_query(params.toString()));
  c.config = parsed.config;
  fillForm(c.config, c.form);
  wireControls();
  matchPreset(el("preset"), presets, c.config, c.form);
  registerCell(c.id, query);
  wireShare(c.id, "appg-status");
  setState("idle");
  showEstimate("Not started: press Run");
  return [...notices, ...parsed.notices].map((n) => `${c.label}: ${n}`);
}

export const runAppg = () => run();
/** The comparison the page starts by itself: the default one, on the CPU unless WebGPU was
 * asked for explicitly (see start_appg: a CPU-emulated adapter would take minutes). */
export const autostartAppg = () => run(c.backend === "auto" ? "cpu-autostart" : c.backend);

/** Marks the cell unavailable (the wasm module did not load). */
export function appgUnavailable() {
  c.root.dataset.state = "unavailable";
  setText("appg-status", "Unavailable: the wasm module did not load");
}
