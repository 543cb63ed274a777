// Time estimates before a run and the placeholder a figure box shows until its first figure.
// The cost of a configuration comes from Rust (experiment::estimate: flops of the
// preparation and of a step, in check_config's reply); the throughput is the one measured
// by this page's last finished run on this device (calibration), else the stated assumption.

import { duration } from "./format.js";

/** Measured flops per second, by backend kind and model ("cpu:linear", "gpu:mlp"…). */
const measured = new Map();
/** Step counts of automatic-step linear runs, by their compact query (cell 1 learns them). */
const knownSteps = new Map();
/** The backend kind runs got on this page so far (the first session tells). */
let deviceKind = null;

/** "gpu" for a session's backend kind ("webgpu", info.kind), else "cpu". */
export function kindOf(backendKind) {
  return backendKind === "webgpu" ? "gpu" : "cpu";
}

/** Notes that a run of `flops` on `model` took `ms` on `kind`, and which kind this page
 * gets. */
export function calibrate(kind, model, flops, ms) {
  deviceKind = kind;
  if (flops > 0 && ms >= 50) measured.set(`${kind}:${model}`, flops / (ms / 1000));
}

/** After a finished run of `steps` steps that took `ms` on backend `kind` (info.kind): this
 * device's flop rate on `model` ("linear", "mlp") from the run's `cost` (check_config's),
 * for later estimates; nothing when there is no cost for the configuration. */
export function calibrateRun({ cost, model, kind, steps, ms }) {
  if (!cost || !(cost.step_flops >= 0)) return;
  calibrate(kindOf(kind), model, cost.prepare_flops + steps * cost.step_flops, ms);
}

/** Notes the step count a linear configuration (its compact query) resolved to. */
export function learnSteps(query, steps) {
  if (query && steps > 0) knownSteps.set(query, steps);
}

/** The step count a linear configuration resolved to on this page, or undefined. */
export function stepsOf(query) {
  return knownSteps.get(query);
}

/**
 * The estimate of a `cost` (check_config's: flops of the preparation and of a step) in
 * words: "about 5 s on this device's CPU"; with automatic steps not yet known (`steps`
 * undefined): the preparation and the time per 1,000 steps. `backend` "cpu" forces the CPU.
 */
export function estimateText(cost, backend = "auto", steps = undefined) {
  const kind = backend === "cpu" ? "cpu" : deviceKind ?? "cpu";
  const key = `${kind}:${cost.model}`;
  const rate = measured.get(key) ?? (kind === "gpu" ? cost.assumed_gpu_flops : cost.assumed_cpu_flops);
  const where = `on this device's ${kind === "gpu" ? "WebGPU" : "CPU"}`
    + (measured.has(key) ? "" : " (assumed speed)");
  const n = cost.steps ?? steps;
  if (n != null) {
    const work = cost.prepare_flops + cost.runs * n * cost.step_flops;
    return `${duration(work / rate)} ${where}`;
  }
  const prepare = duration(cost.prepare_flops / rate);
  const per = duration((cost.runs * 1000 * cost.step_flops) / rate);
  return `${prepare} to prepare, then ${per} per 1,000 steps ${where}; the step count `
    + "follows from the data";
}

/** `lead` with the estimate of `cost` (none: the lead alone). */
export function estimateNote(lead, cost, backend, steps) {
  return cost ? `${lead} — ${estimateText(cost, backend, steps)}` : lead;
}

/**
 * Shows in `canvas`'s figure box, until its first figure, what it will show (the canvas's
 * own description) and `note` (e.g. "Press Run: about 5 s …"); the box keeps a modest
 * height meanwhile. Text only.
 */
export function showPlaceholder(canvas, note) {
  const box = canvas.parentElement;
  let p = box.querySelector(".figure-placeholder");
  if (!p) {
    p = document.createElement("p");
    p.className = "figure-placeholder";
    p.dataset.testid = `${canvas.id}-placeholder`;
    box.append(p);
  }
  const what = document.createElement("span");
  what.className = "what";
  what.textContent = `${canvas.getAttribute("aria-label")}.`;
  const how = document.createElement("span");
  how.className = "how";
  how.textContent = note;
  p.replaceChildren(what, how);
  box.classList.add("empty");
}

/** The figure box shows its canvas from now on. */
export function clearPlaceholder(canvas) {
  canvas.parentElement.classList.remove("empty");
}
