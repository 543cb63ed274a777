// Cell 1, stepwise learning (Figure 1 A/B): a live linear run on WebGPU or the CPU in the
// compute worker, driven by the shared cell runner (runner.js); cell 2 (the learned
// directions) reads its final W; the replay scrubs its records.

import { $, focusKeeper } from "./ui.js";
import { estimateNote, learnSteps, stepsOf } from "./estimate.js";
import { showDirections } from "./cell-directions.js";
import { pair } from "./share.js";
import { setupLocalImages, noteRun } from "./local-images.js";
import { setupReplay, syncReplay, cursorTime } from "./replay.js";
import { makeRunner } from "./runner.js";

const logTime = () => $("log-time").checked;

const runner = makeRunner({
  id: "stepwise",
  cell: "linear",
  figure: "main",
  canvas: $("figure"),
  preparing: "Preparing…",
  idleText: "Not started",
  invalidState: "idle",
  buttons: ["run", "pause", "step", "reset"],
  keepFocus: focusKeeper(["run", "pause", "step", "reset"].map((id) => $(id))),
  downloads: {
    "download-png": ["png", ".png"],
    "download-svg": ["svg", ".svg"],
    "download-json": ["json", ".json"],
    "download-csv": ["csv", ".csv"],
    "download-python": ["python", "-python.zip"],
  },
  fileBase: "stepwise",
  calibrate: "linear",
  viewInputs: [$("log-time")],
  view: () => ({ log_time: logTime(), cursor: cursorTime() }),
  viewKeys: () => (logTime() ? [pair("log_time", "true")] : []),
  configure(c, params) {
    if (params.get("log_time") === "true") $("log-time").checked = true;
    return [];
  },
  // the page's state follows cell 1's (the tests wait on <body data-state>)
  onState(c, state) {
    document.body.dataset.state = state;
    if (state === "finished") noteFirstFigure(c);
    syncReplay(state);
  },
  onPreset: (c) => c.runner.reset(),
  onPrepared(c, session) {
    learnSteps(c.sessionQuery, session.progress.total);
    noteRun(session.info);
  },
  async onFinished(c) {
    if (!c.embed) await showDirections(c);
  },
  estimate: (c, lead, checked) => estimateNote(lead, checked.cost, c.backend,
    stepsOf(checked.query)),
});

/**
 * The page's first-figure time, once: milliseconds from navigation start to cell 1's first
 * finished figure, in <body data-first-figure-ms> (bench/first-figure.mjs reads it) and in
 * the footer, with the backend that drew it.
 */
function noteFirstFigure(c) {
  if (document.body.dataset.firstFigureMs) return;
  const ms = Math.round(performance.now());
  document.body.dataset.firstFigureMs = String(ms);
  const where = c.session?.info.kind === "webgpu" ? "WebGPU" : "the CPU";
  $("first-figure").textContent = `First figure drawn ${(ms / 1000).toFixed(2)} s after this `
    + `page started loading (on ${where}).`;
}

export const cell = runner.c;
export const run = () => runner.run();
export const setState = (state) => runner.setState(state);
export const stepwiseUnavailable = () => runner.unavailable();

/**
 * Sets the cell up from its part of the page's query (URLSearchParams, page keys removed);
 * resolves to the notices about it. Does not start the run.
 */
export async function setupStepwise({ params, presets, backend, embed }) {
  cell.embed = embed;
  const notices = await runner.setup({ params, presets, backend });
  $("directions-refresh").addEventListener("click", () => showDirections(cell));
  setupLocalImages({ zone: cell.root, base: () => cell.config?.dataset?.base,
    onChange: runner.rerun });
  setupReplay({ session: () => cell.session, redraw: runner.draw, directions: !embed });
  return notices;
}
