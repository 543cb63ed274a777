// stepwise notebook: the page around the wasm module (www/pkg, built by ./scripts/run).
// Each cell lives in its own module (cell-*.js); share.js maps the query string to cells.
// All text that comes from a URL is written with textContent, never as HTML.

import init, {
  presets_json, mlp_presets_json, appg_presets_json, mode_palette, figure_layout_json,
} from "./pkg/stepwise.js";
import { $, showError, showNotices, messageOf } from "./ui.js";
import { CELLS, splitQuery, setBackend, enterEmbed } from "./share.js";
import { cell, setState, setupStepwise, run } from "./cell-stepwise.js";
import { initCell, setupInit, compute } from "./cell-init.js";
import { symmetryCell, setupSymmetry, update } from "./cell-symmetry.js";
import {
  mlpCell, hiddenCell, setupMlp, setupHidden, runMlp, runHidden, mlpUnavailable,
} from "./cell-mlp.js";
import {
  appgCell, setupAppg, runAppg, appgUnavailable, appgAutostarts, autostartAppg,
} from "./cell-appg.js";
import { dataKeyNotices } from "./local-images.js";
import { register, setupScheduler, autostart, schedulerState } from "./scheduler.js";
import { setupPage } from "./page.js";
import { fetchBundledPhotos, startBundledPhotos, bundledPhotosReady } from "./bundled-photos.js";

/** Test hook: the state the browser tests read. */
window.stepwise = {
  cell,
  initCell,
  symmetryCell,
  mlpCell,
  hiddenCell,
  appgCell,
  scheduler: schedulerState,
  /** The figures' mode colours, light or dark (readout checks compare the swatches). */
  palette: (dark) => mode_palette(dark),
  state: () => cell.root.dataset.state,
  resultJson: () => cell.session?.result_json() ?? null,
  localImages: () => cell.session?.local_images() ?? 0,
  bundledPhotos: bundledPhotosReady,
  /** The layout of the figure last drawn on canvas `id` (texts and panels, backing px). */
  figureLayout: (id) => JSON.parse(figure_layout_json(id) ?? "null"),
  timings: () => ({
    prepareMs: cell.prepareMs,
    runMs: cell.runMs,
    wallMs: cell.wallMs,
    drawMs: cell.drawMs,
    steps: cell.session ? cell.session.progress().step : 0,
    backend: cell.session?.backend_name() ?? null,
  }),
};

/** The page keys of the query: {backend, embed} and notices about bad values. */
function pageKeys(params) {
  const notices = [];
  const backend = params.get("backend");
  if (backend !== null && backend !== "cpu" && backend !== "auto") {
    notices.push(`backend = “${backend.slice(0, 40)}” is not one of auto, cpu; using auto`);
  }
  let embed = params.get("embed");
  if (embed !== null && !(embed in CELLS)) {
    const names = Object.keys(CELLS).join(", ");
    notices.push(`embed = “${embed.slice(0, 40)}” is not one of ${names}; showing the whole notebook`);
    embed = null;
  }
  notices.push(...dataKeyNotices(params));
  return { backend: backend === "cpu" ? "cpu" : "auto", embed, notices };
}

async function main() {
  fetchBundledPhotos(); // alongside the wasm module's compilation
  setState("loading");
  initCell.root.dataset.state = "loading";
  symmetryCell.root.dataset.state = "loading";
  try {
    await init();
  } catch (e) {
    showError(`The notebook's wasm module did not load (${messageOf(e)}); build it with `
      + "./scripts/run. Showing the static figure from out/fig1.svg instead.");
    cell.canvas.hidden = true;
    $("fallback-figure").hidden = false;
    setState("unavailable");
    for (const c of [initCell, symmetryCell]) c.root.dataset.state = "unavailable";
    mlpUnavailable();
    appgUnavailable();
    return;
  }
  startBundledPhotos();
  const presets = JSON.parse(presets_json());
  const mlpPresets = JSON.parse(mlp_presets_json());
  const appgPresets = JSON.parse(appg_presets_json());
  const parts = splitQuery(location.search);
  const { backend, embed, notices } = pageKeys(parts.page);
  setBackend(backend);
  if (embed) enterEmbed(embed);
  notices.unshift(
    ...setupStepwise({ params: parts.stepwise, presets, backend, embed }),
    ...setupInit({ params: parts.init, presets }),
    ...setupSymmetry({ params: parts.symmetry }),
    ...setupMlp({ params: parts.mlp, presets: mlpPresets, backend }),
    ...setupHidden({ params: parts.hidden, presets: mlpPresets, backend }),
    ...setupAppg({ params: parts.appg, presets: appgPresets, backend }),
  );
  showNotices(notices);
  setupScheduler($("parallel"));
  for (const [id, c, button] of [["stepwise", cell, "#run"], ["init", initCell, "#init-run"],
    ["mlp", mlpCell, "#mlp-run"], ["hidden", hiddenCell, "#hidden-run"],
    ["appg", appgCell, "#appg-run"]]) register(id, c.root, button);
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
  // (unless the reader pressed Run first: then a Pause must stay a pause)
  const appgUntouched = () => (appgCell.root.dataset.state === "idle" ? autostartAppg() : undefined);
  if (!embed && appgAutostarts()) starts.push(autostart("appg", appgUntouched));
  if (!embed || embed === "stepwise") starts.push(autostart("stepwise", run));
  await Promise.all(starts);
}

main();
