// Cells 5 and 6, a wide network (Figure 2) and its hidden representations (Figure 5): MLP
// runs on WebGPU or the CPU in the compute worker, driven by the shared cell runner
// (runner.js). They are expensive, so they start only when Run is pressed (or when the page
// embeds one of them).

import { $, setText, messageOf } from "./ui.js";
import { fillForm, matchPreset } from "./form.js";
import { pair } from "./share.js";
import { mlpSummary, hiddenSummary, mlpCostText } from "./mlp-summary.js";
import { dataNote } from "./local-images.js";
import { makeRunner } from "./runner.js";

/** The preset a cell starts from when its link names none. */
const DEFAULT_PRESET = "fig2-bt";
/** Link keys that size the run: then the CPU runs it as it is instead of on smaller data. */
const SIZE_KEYS = ["width", "dataset.n", "dataset.crop"];

/** The summary under cell `c`'s figure, from the session's "summary" extra (the deep cells
 * too). */
async function showSummary(c, summarize, finished) {
  const session = c.session;
  try {
    const s = await session.extra("summary");
    if (session === c.session) setText(`${c.id}-summary`, summarize(s, finished));
  } catch (e) {
    setText(`${c.id}-summary`, `No summary: ${messageOf(e)}`);
  }
}

/** The onProgress hook that keeps the summary under a cell's figure current (the deep cells
 * too): one summary request at a time, as a run loop asks faster than the worker answers. */
function summaryUpdates(summarize) {
  let pending = 0;
  return (c, p) => {
    if (pending > 0 && !p.finished) return;
    pending += 1;
    showSummary(c, summarize, p.finished).finally(() => { pending -= 1; });
  };
}

/** The parts of a runner spec (runner.js) that the MLP and the deep cells share: ids, figure,
 * the default link, the backend notice with the run's notices and the note on the images in
 * use, and the summary kept current. */
export function summarizedSpec({ id, label, figure, preparing, preset, summarize }) {
  return {
    id, cell: id, figure, label, canvas: $(`${id}-figure`), preparing,
    defaultQuery: `preset=${preset}`, calibrate: "mlp", placeholder: true,
    backendNote: noticesNote, onProgress: summaryUpdates(summarize),
  };
}

/** The backend notice's tail: the run's notices, then the note on the images in use. */
const noticesNote = (info) => `${(info.notices ?? []).map((n) => `. ${n}`).join("")}`
  + dataNote(info);

function makeCell(id, label, summarize, figure) {
  const logTime = () => $(`${id}-log-time`).checked;
  return makeRunner({
    ...summarizedSpec({ id, label, figure, preparing: "Preparing (data, network and its NTK)…",
      preset: DEFAULT_PRESET, summarize }),
    downloads: {
      "download-png": ["png", ".png"],
      "download-svg": [figure === "hidden" ? "hidden_svg" : "svg", ".svg"],
      "download-json": ["json", ".json"],
    },
    viewInputs: [$(`${id}-log-time`)],
    view: () => ({ log_time: logTime() }),
    viewKeys: () => (logTime() ? [pair("log_time", "true")] : []),
    /** Whether the reader sized the run (width field, or a size key in the link). */
    autoSize: (c) => !c.sizeExplicit,
    configure(c, params) {
      if (params.get("log_time") === "true") $(`${id}-log-time`).checked = true;
      c.sizeExplicit = SIZE_KEYS.some((k) => params.has(k));
      if (!params.has("preset")) params.set("preset", DEFAULT_PRESET);
      return [];
    },
    onInput(c, e) {
      if (e.target.dataset.key === "width") c.sizeExplicit = true;
    },
    onPreset(c) {
      c.sizeExplicit = false;
      c.runner.showEstimate("Preset loaded: press Run");
    },
    // the CPU fallback may narrow the width: the form shows what runs, links give it back
    onPrepared(c, session) {
      if (!session.info.reduced_for_cpu) return;
      c.config = structuredClone(session.info.config);
      fillForm(c.config, c.form);
      matchPreset($(`${id}-preset`), c.presets, c.config, c.form);
    },
    // the CPU run's cost (check_config's `cost.cpu`: its steps and seconds)
    estimate: (c, lead, checked) => {
      const cpu = checked.cost?.cpu;
      return cpu ? `${lead} (${mlpCostText({ ...cpu, ...cpu.estimate })})` : lead;
    },
  });
}

const mlp = makeCell("mlp", "Wide network", mlpSummary, "main");
const hidden = makeCell("hidden", "Hidden representations", hiddenSummary, "hidden");

export const mlpCell = mlp.c;
export const hiddenCell = hidden.c;
export const setupMlp = (options) => mlp.setup(options);
export const setupHidden = (options) => hidden.setup(options);
export const runMlp = () => mlp.run();
export const runHidden = () => hidden.run();

/** Marks both cells unavailable (the wasm module did not load). */
export function mlpUnavailable() {
  mlp.unavailable();
  hidden.unavailable();
}
