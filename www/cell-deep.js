// Cells 8 and 9, the paper's deep networks (a small ResNet plus projector, docs/deep.md):
// "Deep networks learn in steps too" (loss and embedding eigenvalues, or Fig 4's eigenvalue
// histogram over time) and "Hidden representations and probes" (hidden eigenvalues, linear
// probes, RankMe). Each is one deep-network session in the compute worker, driven by the
// shared cell runner (runner.js); they start only when Run is pressed (or when embedded).
// Without a hardware WebGPU adapter the cells default to the small CPU presets.

import { $ } from "./ui.js";
import { pair } from "./share.js";
import { summarizedSpec } from "./cell-mlp.js";
import { deepSummary, probesSummary } from "./deep-summary.js";
import { makeRunner } from "./runner.js";
import { buildChrome, buildForm } from "./cell-chrome.js";

const LOSSES = [["barlow-twins", "Barlow Twins"], ["simclr", "SimCLR"], ["vicreg", "VICReg"]];
const count = { type: "number", min: 1, step: 1 };
const decimal = { type: "text", inputmode: "decimal" };
const seed = (label, key) => ({ label, key, type: "number", min: 0, step: 1 });
/** The configuration keys each cell's form edits (the rest come from its preset). */
const FIELDS = {
  deep: [{ label: "loss", key: "loss", options: LOSSES }, { label: "η (lr)", key: "lr", ...decimal },
    { label: "steps", key: "steps", ...count }, { label: "batch", key: "batch", ...count },
    { label: "d", key: "d", ...count }, { label: "trunk scale", key: "trunk_scale", ...decimal },
    seed("init seed", "seed"), seed("data seed", "data.seed")],
  probes: [{ label: "hidden eigenvalues", key: "hidden_top", ...count, max: 64 },
    { label: "probe ridge", key: "probe_ridge", ...decimal },
    { label: "evaluation images", key: "data.eval", ...count, min: 2 },
    { label: "steps", key: "steps", ...count }, seed("init seed", "seed")],
};
import { estimateNote } from "./estimate.js";

/** The default preset on the CPU (and on a CPU-emulated WebGPU adapter): about a minute. */
const CPU_PRESET = "resnet-bt-small";
/** The default preset on a hardware WebGPU adapter: the measured network. */
const GPU_PRESET = "resnet-bt";

/** Whether this browser has a WebGPU adapter that is real hardware (not SwiftShader,
 * llvmpipe or another fallback), asked once. */
let hardware = null;
export function hardwareWebGpu() {
  hardware ??= (async () => {
    if (!navigator.gpu) return false;
    try {
      const adapter = await navigator.gpu.requestAdapter();
      const info = adapter?.info ?? {};
      const names = `${info.vendor ?? ""} ${info.architecture ?? ""} ${info.description ?? ""}`;
      const fallback = adapter?.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
      return Boolean(adapter) && !fallback && !/swiftshader|llvmpipe|lavapipe/i.test(names);
    } catch {
      return false;
    }
  })();
  return hardware;
}

/** A deep cell: `id` ("deep", "probes", "methods"), its figures ([name, label] of each, the
 * first shown by default; more than one adds a view select), its summary, and its downloads
 * beside PNG, JSON and CSV ([button name, label, format, file suffix] of each); `presets`:
 * its default presets on the CPU and on a hardware adapter; `logTime` false for a figure
 * without a time axis; `readoutFormat` the hover readout's text (readout.js's by default). */
export function makeCell(id, { label, what, description, summarize, figures, panels, downloads,
  fields, presets = { cpu: CPU_PRESET, gpu: GPU_PRESET }, logTime: timeAxis = true,
  readoutFormat, preparing = "Preparing (base images, evaluation views and the network)…" }) {
  buildForm(id, fields);
  const all = [["download-png", "PNG", "png", ".png"], ...downloads,
    ["download-json", "JSON", "json", ".json"], ["download-csv", "CSV", "csv", ".csv"]];
  buildChrome(id, { what, figure: description, panels, logTime: timeAxis,
    views: figures.length > 1 ? figures : null,
    downloads: all.map(([name, text]) => [name, text]) });
  const names = figures.map(([name]) => name);
  const logBox = timeAxis ? $(`${id}-log-time`) : null;
  const logTime = () => Boolean(logBox?.checked);
  const viewSelect = figures.length > 1 ? $(`${id}-view`) : null;
  const figure = () => (viewSelect && names.includes(viewSelect.value) ? viewSelect.value
    : names[0]);
  return makeRunner({
    ...summarizedSpec({ id, label, figure, preset: presets.cpu, summarize, preparing }),
    downloads: Object.fromEntries(all.map(([name, , format, suffix]) => [name, [format, suffix]])),
    viewInputs: [logBox, viewSelect].filter(Boolean),
    view: () => ({ log_time: logTime() }),
    viewKeys: () => [
      ...(logTime() ? [pair("log_time", "true")] : []),
      ...(figure() !== names[0] ? [pair("view", figure())] : []),
    ],
    configure(c, params) {
      if (logBox && params.get("log_time") === "true") logBox.checked = true;
      if (viewSelect && names.includes(params.get("view"))) viewSelect.value = params.get("view");
      if (!params.has("preset")) params.set("preset", c.gpuDefault ? presets.gpu : presets.cpu);
      return [];
    },
    estimate: (c, lead, checked) => estimateNote(lead, checked.cost, c.backend),
    ...(readoutFormat ? { readoutFormat } : {}),
  });
}

const deep = makeCell("deep", {
  label: "Deep networks", what: "deep network", summarize: deepSummary,
  description: "ResNet: loss (A) and embedding eigenvalues with each mode's step time "
    + "dotted (B) against time; or the eigenvalue histogram over time (Fig. 4)",
  figures: [["main", "loss and eigenvalues"], ["histogram", "eigenvalue histogram (Fig. 4)"]],
  downloads: [["download-svg", "SVG", "svg", ".svg"],
    ["download-histogram-svg", "SVG (Fig. 4)", "histogram_svg", "-histogram.svg"]],
  fields: FIELDS.deep,
});
const probes = makeCell("probes", {
  label: "Hidden representations and probes", what: "probes", summarize: probesSummary,
  description: "ResNet: hidden covariance eigenvalues (A), linear probe accuracy on the "
    + "embedding and on the hidden representation with chance (B), and RankMe of both (C), "
    + "with the embedding's step times dotted",
  figures: [["probes", "hidden, probes and rank"]], panels: 3,
  downloads: [["download-svg", "SVG", "probes_svg", ".svg"]],
  fields: FIELDS.probes,
});

/** Sets a cell up, its default preset the GPU-sized one on a hardware adapter. */
export async function setup(runner, options) {
  runner.c.gpuDefault = options.backend !== "cpu" && (await hardwareWebGpu());
  return runner.setup(options);
}

export const deepCell = deep.c;
export const probesCell = probes.c;
export const setupDeep = (options) => setup(deep, options);
export const setupProbes = (options) => setup(probes, options);
export const runDeep = () => deep.run();
export const runProbes = () => probes.run();

/** Marks both cells unavailable (the wasm module did not load). */
export function deepUnavailable() {
  deep.unavailable();
  probes.unavailable();
}
