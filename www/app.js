// stepwise notebook: the page around the wasm module (www/pkg, built by ./scripts/run).
// Each cell lives in its own module (cell-*.js); share.js maps the query string to cells.
// All text that comes from a URL is written with textContent, never as HTML.

import {
  ready, presets, palette, figureLayout, canvasPixels, workerMemory, benchPhases,
} from "./compute.js";
import { $, showError, showNotices, messageOf } from "./ui.js";
import { CELLS, splitQuery, setBackend, enterEmbed, repeatedNotices } from "./share.js";
import { cell, setState, setupStepwise, run, stepwiseUnavailable } from "./cell-stepwise.js";
import { initCell, setupInit, compute } from "./cell-init.js";
import { symmetryCell, setupSymmetry, update } from "./cell-symmetry.js";
import {
  mlpCell, hiddenCell, setupMlp, setupHidden, runMlp, runHidden, mlpUnavailable,
} from "./cell-mlp.js";
import {
  appgCell, setupAppg, runAppg, appgUnavailable, appgAutostarts, autostartAppg,
} from "./cell-appg.js";
import {
  deepCell, probesCell, setupDeep, setupProbes, runDeep, runProbes, deepUnavailable,
} from "./cell-deep.js";
import {
  methodsCell, setupMethods, runMethods, methodsUnavailable,
} from "./cell-methods.js";
import { dataKeyNotices } from "./local-images.js";
import { register, setupScheduler, autostart, schedulerState } from "./scheduler.js";
import { setupPage } from "./page.js";

/** The cells with a session, by id (the test hooks reach them by it). */
const SESSION_CELLS = {
  stepwise: cell, init: initCell, symmetry: symmetryCell, mlp: mlpCell, hidden: hiddenCell,
  appg: appgCell, deep: deepCell, probes: probesCell, methods: methodsCell,
};

/** Test hook: the state the browser tests read (async where it asks the worker). */
window.stepwise = {
  cell,
  initCell,
  symmetryCell,
  mlpCell,
  hiddenCell,
  appgCell,
  deepCell,
  probesCell,
  methodsCell,
  scheduler: schedulerState,
  /** The figures' mode colours, light or dark (readout checks compare the swatches). */
  palette: (dark) => palette(dark),
  state: () => cell.root.dataset.state,
  /** Cell 1's result so far (JSON text in the CLI's schema), or null. */
  resultJson: () => cell.session?.export("json") ?? null,
  localImages: () => cell.session?.info.local_images ?? 0,
  /** The layout of the figure last drawn on canvas `id` (texts and panels, backing px). */
  figureLayout: (id) => figureLayout(id),
  /** The pixels (ImageData) of canvas `id`, whatever its context. */
  pixels: (id, ...box) => canvasPixels(document.getElementById(id), ...box),
  /** An extra of cell `id`'s session ("summary", "directions", "simulate_gpu_loss", …). */
  call: (id, name, args) => SESSION_CELLS[id].session?.extra(name, args) ?? null,
  /** An export of cell `id`'s session ("json", "svg", "hidden_svg", …). */
  exportOf: (id, format, opts) => SESSION_CELLS[id].session?.export(format, opts) ?? null,
  /** The worker's wasm memory and open sessions (soak.mjs). */
  workerMemory: () => workerMemory(),
  benchPhases: (source) => benchPhases(source),
  timings: () => ({
    prepareMs: cell.prepareMs,
    runMs: cell.runMs,
    wallMs: cell.wallMs,
    drawMs: cell.drawMs,
    steps: cell.session ? cell.session.progress.step : 0,
    backend: cell.session?.info.kind ?? null,
  }),
};

/** The page keys of the query: {backend, embed} and notices about bad values. */
function pageKeys(params) {
  const notices = repeatedNotices(params, ["backend", "embed"]);
  const backend = params.get("backend");
  if (backend !== null && !["auto", "cpu", "gpu"].includes(backend)) {
    notices.push(`backend = “${backend.slice(0, 40)}” is not one of auto, cpu, gpu; using auto`);
  }
  let embed = params.get("embed");
  if (embed !== null && !(embed in CELLS)) {
    const names = Object.keys(CELLS).join(", ");
    notices.push(`embed = “${embed.slice(0, 40)}” is not one of ${names}; showing the whole notebook`);
    embed = null;
  }
  notices.push(...dataKeyNotices(params));
  return { backend: ["cpu", "gpu"].includes(backend) ? backend : "auto", embed, notices };
}

async function main() {
  // every control waits (disabled) until its cell is set up
  for (const c of [cell, mlpCell, hiddenCell, appgCell, deepCell, probesCell, methodsCell]) {
    c.runner.setState("loading");
  }
  initCell.root.dataset.state = "loading";
  symmetryCell.root.dataset.state = "loading";
  let all;
  try {
    await ready();
    all = await presets();
  } catch (e) {
    showError(`The notebook's wasm module did not load (${messageOf(e)}); build it with `
      + "./scripts/run. Showing the static figure from out/fig1.svg instead.");
    cell.canvas.hidden = true;
    // loaded only now: parsing the SVG would hold the page's main thread for ~80 ms
    const fallback = $("fallback-figure");
    fallback.src = fallback.dataset.src;
    fallback.hidden = false;
    stepwiseUnavailable();
    setState("unavailable");
    for (const c of [initCell, symmetryCell]) c.root.dataset.state = "unavailable";
    mlpUnavailable();
    appgUnavailable();
    deepUnavailable();
    methodsUnavailable();
    return;
  }
  const parts = splitQuery(location.search);
  const { backend, embed, notices } = pageKeys(parts.page);
  setBackend(backend);
  if (embed) enterEmbed(embed);
  const cellNotices = await Promise.all([
    setupStepwise({ params: parts.stepwise, presets: all.linear, backend, embed }),
    setupInit({ params: parts.init, presets: all.init }),
    setupSymmetry({ params: parts.symmetry }),
    setupMlp({ params: parts.mlp, presets: all.mlp, backend }),
    setupHidden({ params: parts.hidden, presets: all.mlp, backend }),
    setupAppg({ params: parts.appg, presets: all.appg, backend }),
    setupDeep({ params: parts.deep, presets: all.deep, backend }),
    setupProbes({ params: parts.probes, presets: all.deep, backend }),
    setupMethods({ params: parts.methods, presets: all.methods, backend }),
  ]);
  notices.unshift(...cellNotices.flat());
  showNotices(notices);
  const runners = [cell, mlpCell, hiddenCell, appgCell, deepCell, probesCell, methodsCell];
  await Promise.all(runners.map((c) => c.runner.ready()));
  setupScheduler($("parallel"));
  for (const [id, c, button] of [["stepwise", cell, "#run"], ["init", initCell, "#init-run"],
    ["mlp", mlpCell, "#mlp-run"], ["hidden", hiddenCell, "#hidden-run"],
    ["appg", appgCell, "#appg-run"], ["deep", deepCell, "#deep-run"],
    ["probes", probesCell, "#probes-run"], ["methods", methodsCell, "#methods-run"]]) {
    register(id, c.root, button);
  }
  setupPage();
  // the cheap cell at once; the others compute once in view, one at a time (scheduler.js)
  if (!embed || embed === "symmetry") update();
  const starts = [];
  if (!embed || embed === "init") starts.push(autostart("init", compute));
  // the MLP cells are expensive: they wait for Run unless embedded; the comparison's default
  // (about a second) starts once in view like cell 1, a preset or edit from a link waits
  if (embed === "mlp") starts.push(autostart("mlp", runMlp));
  if (embed === "hidden") starts.push(autostart("hidden", runHidden));
  if (embed === "appg") starts.push(autostart("appg", runAppg));
  if (embed === "deep") starts.push(autostart("deep", runDeep));
  if (embed === "probes") starts.push(autostart("probes", runProbes));
  if (embed === "methods") starts.push(autostart("methods", runMethods));
  // (unless the reader pressed Run first: then a Pause must stay a pause)
  const appgUntouched = () => (appgCell.root.dataset.state === "idle" ? autostartAppg() : undefined);
  if (!embed && appgAutostarts()) starts.push(autostart("appg", appgUntouched));
  if (!embed || embed === "stepwise") starts.push(autostart("stepwise", run));
  await Promise.all(starts);
}

main();
