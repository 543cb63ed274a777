// ONE cell runner for every cell that runs a session step by step: run, pause, step, reset,
// the paced live redraw, the scheduler's turns, progress, errors, links and downloads. Each
// cell's module is its configuration (a `spec`, see makeRunner); the computation runs in the
// worker (compute.js), so a Pause click is handled at once, even while preparing.

import { createSession, checkConfig, parseQuery } from "./compute.js";
import { setText, showError, clearError, messageOf, pacedPainter } from "./ui.js";
import { progressText } from "./format.js";
import { fillForm, readForm, presetOptions, matchPreset } from "./form.js";
import { registerCell, wireShare, prefixed, cellElement, pair } from "./share.js";
import { turn, release } from "./scheduler.js";
import { onThemeChange, redrawDue, darkPlots } from "./theme.js";
import { attachReadout } from "./readout.js";
import { showPlaceholder, clearPlaceholder, calibrateRun } from "./estimate.js";
import { wireDownloads, DOWNLOADS } from "./downloads.js";

/** The values of a `backend` key. */
const BACKENDS = ["auto", "cpu", "gpu"];
/** Milliseconds of work per advance request: the worker computes, the page stays free. */
const SLICE_MS = 30;
/** First live redraw after this long: a shorter run (fig1 truncated, ~0.15 s) would spend a
 * third of its time redrawing what it ends on anyway. */
const FIRST_PAINT_MS = 100;

/**
 * A runner for one cell. `spec`: id (share.js, scheduler.js, element ids via cellElement);
 * cell (its protocol name: "linear", "mlp", "hidden", "appg"…); figure ("main"…, or
 * figure(c) to pick among several); label (prefix of its link notices; none for cell 1);
 * preparing (status while a session is made); invalidState (state after a bad form without a
 * session); defaultQuery (its link without form or session); buttons (ids of its
 * run/pause/step/reset buttons); downloads (formats by button name); fileBase (file names).
 * Optional hooks: view(c), viewKeys(c), configure(c, params) (reads view keys, returns
 * notices), onInput(c, event), onPreset(c, preset), onState(c, state), onPrepared(c,
 * session), onProgress(c, p), onFinished(c, p), progressView(c, p), estimate(c, lead,
 * checked), placeholder, readoutFormat, autoSize(c), calibrate (model of the device's speed).
 */
export function makeRunner(options) {
  const spec = { figure: "main", buttons: ["run", "pause", "reset"], invalidState: "error",
    fileBase: `stepwise-${options.id}`, downloads: DOWNLOADS, ...options };
  const el = (name) => cellElement(spec.id, name);
  const has = (name) => document.getElementById(spec.id === "stepwise" ? name : `${spec.id}-${name}`);
  const errorId = el("error").id;
  const statusId = el("status").id;
  const c = {
    id: spec.id, spec, root: document.getElementById(`cell-${spec.id}`), canvas: spec.canvas,
    form: el("controls"),
    /** The configuration the form edits (keys it lacks are kept), and the session. */
    config: null, session: null,
    /** The compact query and the cost of the session's configuration. */
    sessionQuery: null, cost: null,
    /** Whether the cell wants to run (false after Pause, even while preparing). */
    running: false, loop: null, dirty: true,
    runMs: 0, wallMs: 0, prepareMs: 0, drawMs: 0,
    backend: "auto", presets: [], readout: null, estimates: 0,
  };
  const state = () => c.root.dataset.state;
  const figure = () => (typeof spec.figure === "function" ? spec.figure(c) : spec.figure);

  function setState(next) {
    c.root.dataset.state = next;
    const busy = next === "preparing" || next === "loading";
    const update = () => {
      for (const [name, disabled] of [
        ["run", busy || next === "running"],
        ["pause", !(next === "running" || (next === "preparing" && c.running))],
        ["step", busy || next === "running" || next === "finished"],
        ["reset", busy]]) {
        if (spec.buttons.includes(name)) el(name).disabled = disabled;
      }
    };
    if (spec.keepFocus) spec.keepFocus(update);
    else update();
    for (const name of Object.keys(spec.downloads)) el(name).disabled = !c.session || busy;
    spec.onState?.(c, next);
  }

  /** The form's configuration checked by the worker: {config, problem, query, cost}, or
   * null (after showing why, if `show`). */
  async function check(show) {
    let config;
    try {
      config = readForm(c.config, c.form);
    } catch (e) {
      if (show) showError(e.message, errorId);
      return null;
    }
    let checked;
    try {
      checked = await checkConfig(spec.cell, config, { autoSize: spec.autoSize?.(c) });
    } catch (e) {
      if (show) showError(messageOf(e), errorId);
      return null;
    }
    if (checked.problem) {
      if (show) showError(checked.problem, errorId);
      return null;
    }
    return { config, ...checked };
  }

  /** `lead` ("Changed: press Run") with the estimated time, in the status and (until the
   * first figure, with `spec.placeholder`) in the figure box; a later call wins. */
  async function showEstimate(lead) {
    c.estimates += 1;
    const mine = c.estimates;
    const checked = await check(false);
    let note = lead;
    try {
      if (checked && spec.estimate) note = await spec.estimate(c, lead, checked);
    } catch {
      // no estimate for this configuration: the lead alone
    }
    if (mine !== c.estimates || c.running || state() === "preparing") return;
    setText(statusId, note);
    if (spec.placeholder && !c.session) showPlaceholder(c.canvas, note);
  }

  async function draw() {
    const session = c.session;
    if (!session) return;
    const t0 = performance.now();
    try {
      await session.draw(figure(), c.canvas, { ...spec.view?.(c), dark: darkPlots() });
      c.drawMs += performance.now() - t0;
      c.readout?.refresh();
    } catch (e) {
      if (session === c.session) showError(`drawing failed: ${messageOf(e)}`, errorId);
    }
  }

  function showProgress(p) {
    const view = spec.progressView?.(c, p)
      ?? { value: p.total > 0 ? p.step / p.total : 0,
        ...progressText(p.step, p.total, c.wallMs, p.finished) };
    el("progress").value = view.value;
    if (view.rate !== undefined && has("rate")) setText(el("rate").id, view.rate);
    setText(statusId, view.status);
    spec.onProgress?.(c, p);
  }

  function showBackend() {
    const info = c.session?.info;
    setText(el("backend").id, info ? `${info.notice}${spec.backendNote?.(info) ?? ""}` : "");
  }

  /** Makes a fresh session from the form (shows the preparing text while it is made). */
  async function prepare({ backend = c.backend, autostart = false } = {}) {
    // "preparing" at once (the click's handler), while the worker checks the form
    setState("preparing");
    const checked = await check(true);
    if (checked === null) {
      setState(c.session ? "paused" : spec.invalidState);
      return false;
    }
    clearError(errorId);
    c.session?.close();
    c.session = null;
    setState("preparing");
    setText(statusId, spec.preparing);
    if (has("rate")) setText(el("rate").id, "");
    el("progress").value = 0;
    const t0 = performance.now();
    let session;
    try {
      session = await createSession(spec.cell, checked.config, {
        backend, autoSize: spec.autoSize?.(c) ?? false, autostart,
      });
    } catch (e) {
      showError(messageOf(e), errorId);
      setText(statusId, "Not started");
      setState("error");
      return false;
    }
    c.prepareMs = performance.now() - t0;
    performance.measure(`${c.id}: prepare`, { start: t0 });
    Object.assign(c, { session, runMs: 0, wallMs: 0, drawMs: 0, dirty: false,
      cost: checked.cost, sessionQuery: session.info.share_query ?? checked.query });
    showBackend();
    spec.onPrepared?.(c, session);
    clearPlaceholder(c.canvas);
    showProgress(session.progress);
    await draw();
    // a run that goes on at once is not "paused" in between: the paused-state work (summary
    // export, replay record times) would queue ahead of its first slice (architecture.md §4)
    if (!c.running) setState("paused");
    return true;
  }

  /** The run stopped on error `e` (shown with the figure as far as it got). */
  async function stopped(e) {
    c.running = false;
    await draw();
    showError(messageOf(e), errorId);
    setText(statusId, "Stopped");
    setState("error");
  }

  /** Advances the run in slices of SLICE_MS until it finishes or is paused, a turn of the
   * scheduler each, with live redraws paced by pacedPainter. */
  async function runLoop() {
    const session = c.session;
    let p = session.progress;
    let info = session.info;
    let mark = performance.now();
    const started = mark;
    const clock = () => {
      const t = performance.now();
      c.wallMs += t - mark;
      mark = t;
    };
    // paced by the worker's drawing time: the time the run does not get
    const paint = pacedPainter(async () => {
      if (session !== c.session) return 0;
      await draw();
      return session.drawMs;
    }, FIRST_PAINT_MS);
    while (c.running && session === c.session && !p.finished) {
      if (!(await turn(c.id, () => c.running && session === c.session))) break;
      const t0 = performance.now();
      c.advancing = true;
      try {
        p = await session.advance({ millis: SLICE_MS });
      } catch (e) {
        clock();
        if (session === c.session) await stopped(e);
        return;
      } finally {
        c.advancing = false;
      }
      c.runMs += performance.now() - t0;
      if (session !== c.session) return;
      // a Pause during the slice: paused now that nothing computes
      if (!c.running && state() === "running") setState("paused");
      clock();
      if (session.info !== info) {
        info = session.info;
        showBackend();
      }
      showProgress(p);
      paint(() => redrawDue(c.id));
    }
    clock();
    performance.measure(`${c.id}: run`, { start: started });
    if (session !== c.session) return;
    showProgress(p);
    // the figure is final before the state says so (the tests wait on the state)
    await draw();
    if (session !== c.session || !p.finished) return;
    c.running = false;
    setState("finished");
    if (spec.calibrate) {
      calibrateRun({ cost: c.cost, model: spec.calibrate, kind: info.kind, steps: p.step,
        ms: c.prepareMs + c.runMs });
    }
    await spec.onFinished?.(c, p);
  }

  /** Runs the form's configuration (a fresh session when it changed or the last one ended);
   * `options` of prepare. */
  async function run(options = {}) {
    if (c.running || state() === "preparing") return;
    c.running = true;
    const now = state();
    // a fresh session when there is none, the form changed or the last run ended; else
    // (the worker compares the form's query with the session's) when a link changed it
    const fresh = !c.session || c.dirty || now === "finished" || now === "error"
      || (await check(false))?.query !== c.sessionQuery;
    if (fresh) {
      if (!(await prepare(options))) {
        c.running = false;
        return;
      }
    }
    // a Pause while preparing keeps the prepared session paused
    if (!c.running) return;
    setState("running");
    c.loop = runLoop().finally(() => release(c.id));
    await c.loop;
  }

  /** Returns at once; a slice in flight ends first (then the state is "paused"). */
  function pause() {
    c.running = false;
    if (state() === "running" && !c.advancing) setState("paused");
    else if (state() === "preparing") setState("preparing");
  }

  async function step() {
    if (c.running || state() === "preparing") return;
    if (!c.session || c.dirty) {
      if (!(await prepare())) return;
    }
    try {
      const t0 = performance.now();
      const p = await c.session.advance({ steps: 1 });
      c.runMs += performance.now() - t0;
      showProgress(p);
      await draw();
      setState(p.finished ? "finished" : "paused");
    } catch (e) {
      await stopped(e);
    }
  }

  async function reset() {
    c.running = false;
    if (c.loop) await c.loop;
    await prepare();
  }

  /** After the images in use changed: a fresh run on them. */
  async function rerun() {
    c.running = false;
    if (c.loop) await c.loop;
    c.dirty = true;
    await run();
  }

  /** The cell's part of a link: of the form (strict: or null after showing why), else of
   * the session; with the view keys. */
  async function query(strict) {
    const checked = await check(strict);
    let q;
    if (checked) q = checked.query;
    else if (strict) return null;
    else q = c.sessionQuery ?? spec.defaultQuery ?? "";
    const own = c.ownBackend ? [pair("backend", c.ownBackend)] : [];
    return prefixed(c.id, [q, ...(spec.viewKeys?.(c) ?? []), ...own].filter(Boolean).join("&"));
  }

  function wireControls() {
    const select = el("preset");
    presetOptions(select, c.presets, (p) => {
      c.config = structuredClone(p.config);
      fillForm(c.config, c.form);
      if (spec.onPreset) spec.onPreset(c, p);
      else showEstimate("Preset loaded: press Run");
    });
    c.form.addEventListener("input", (e) => {
      if (e.target === select) return;
      c.dirty = true;
      spec.onInput?.(c, e);
      matchPreset(select, c.presets, c.config, c.form);
      if (!c.running && state() !== "preparing") showEstimate("Changed: press Run");
    });
    // a cell whose Run is the form's submit button runs on Enter in a field too
    c.form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!spec.buttons.includes("step")) run();
    });
    if (spec.buttons.includes("step")) {
      el("run").addEventListener("click", () => run());
      el("step").addEventListener("click", step);
    }
    el("pause").addEventListener("click", pause);
    el("reset").addEventListener("click", reset);
    for (const input of spec.viewInputs ?? []) input.addEventListener("change", draw);
    wireDownloads(c, spec.downloads, el, errorId);
    c.readout = attachReadout(c.canvas,
      (x, y) => c.session?.readout(figure(), x, y) ?? null, spec.readoutFormat);
    new ResizeObserver(() => draw()).observe(c.canvas);
    onThemeChange(draw);
  }

  /** Sets the cell up from its part of the page's query (prefix removed): returns the
   * notices about it. The cell stays "loading" until `ready()` (the page shows the notices
   * first). */
  async function setup({ params, presets, backend }) {
    c.presets = presets;
    // the cell's own `backend` key (e.g. `deep.backend=gpu`) overrides the page's for it
    const own = params.get("backend");
    params.delete("backend");
    const ownNotices = own === null || BACKENDS.includes(own) ? []
      : [`backend = “${own.slice(0, 40)}” is not one of ${BACKENDS.join(", ")}; using the page's`];
    c.ownBackend = BACKENDS.includes(own) ? own : null;
    c.backend = c.ownBackend ?? backend;
    const notices = [...ownNotices, ...(spec.configure?.(c, params) ?? [])];
    const parsed = await parseQuery(spec.cell, params.toString());
    c.config = parsed.config;
    fillForm(c.config, c.form);
    wireControls();
    matchPreset(el("preset"), presets, c.config, c.form);
    registerCell(c.id, query);
    wireShare(c.id, statusId);
    return [...notices, ...parsed.notices].map((n) => (spec.label ? `${spec.label}: ${n}` : n));
  }

  /** The cell is set up: idle, with its estimate. Does not start the run. */
  function ready() {
    setState("idle");
    return showEstimate(spec.idleText ?? "Not started: press Run");
  }

  /** The wasm module did not load. */
  function unavailable() {
    c.root.dataset.state = "unavailable";
    setText(statusId, "Unavailable: the wasm module did not load");
  }

  c.runner = { c, setup, ready, run, pause, step, reset, rerun, prepare, draw, setState,
    showEstimate, unavailable };
  return c.runner;
}
