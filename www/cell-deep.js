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

/** A deep cell: `id` ("deep" or "probes"), its figure(s) and its summary. `figures`: the
 * figure names it can show, the first by default; more than one adds a view select. */
function makeCell(id, label, summarize, figures, downloads) {
  const logTime = () => $(`${id}-log-time`).checked;
  const viewSelect = $(`${id}-view`);
  const figure = () => (viewSelect && figures.includes(viewSelect.value) ? viewSelect.value
    : figures[0]);
  return makeRunner({
    ...summarizedSpec({ id, label, figure, preset: CPU_PRESET, summarize,
      preparing: "Preparing (base images, evaluation views and the network)…" }),
    downloads: {
      "download-png": ["png", ".png"],
      ...downloads,
      "download-json": ["json", ".json"],
      "download-csv": ["csv", ".csv"],
    },
    viewInputs: [$(`${id}-log-time`), viewSelect].filter(Boolean),
    view: () => ({ log_time: logTime() }),
    viewKeys: () => [
      ...(logTime() ? [pair("log_time", "true")] : []),
      ...(figure() !== figures[0] ? [pair("view", figure())] : []),
    ],
    configure(c, params) {
      if (params.get("log_time") === "true") $(`${id}-log-time`).checked = true;
      if (viewSelect && figures.includes(params.get("view"))) viewSelect.value = params.get("view");
      if (!params.has("preset")) params.set("preset", c.gpuDefault ? GPU_PRESET : CPU_PRESET);
      return [];
    },
    estimate: (c, lead, checked) => estimateNote(lead, checked.cost, c.backend),
  });
}

const deep = makeCell("deep", "Deep networks", deepSummary, ["main", "histogram"], {
  "download-svg": ["svg", ".svg"],
  "download-histogram-svg": ["histogram_svg", "-histogram.svg"],
});
const probes = makeCell("probes", "Hidden representations and probes", probesSummary,
  ["probes"], { "download-svg": ["probes_svg", ".svg"] });

/** Sets a cell up, its default preset the GPU-sized one on a hardware adapter. */
async function setup(runner, options) {
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
