// Cell 7, "Can SSL learn faster?" (Appendix G): the loss variants against the baseline at
// the baseline's η and at each one's own stable η, a comparison run in the compute worker
// by the shared cell runner (runner.js). Its default (small) comparison starts by itself
// once in view, like cell 1; another one from a link waits for Run unless embedded.

import { $, setText, count, messageOf } from "./ui.js";
import { pair } from "./share.js";
import { checkConfig } from "./compute.js";
import { fillTable, appgSummary } from "./appg-table.js";
import { fmt as fmt6 } from "./readout.js";
import { dataNote } from "./local-images.js";
import { estimateNote, stepsOf } from "./estimate.js";
import { makeRunner } from "./runner.js";

/** The preset the cell starts from when its link names none (a few seconds in wasm). */
const DEFAULT_PRESET = "small";
/** View keys of the cell's links (read here, not configuration keys). */
const PANELS_KEY = "panels";

const el = (name) => $(`appg-${name}`);
const panels = () => el("panels").value;
const logSteps = () => el("log-steps").checked;

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

/** The table and summary from the comparison's result (when a row finished). */
async function showTable(c, finished) {
  const session = c.session;
  try {
    const result = JSON.parse(await session.export("json"));
    if (session !== c.session) return;
    fillTable(el("table-body"), result);
    setText("appg-summary", appgSummary(result, finished));
  } catch (e) {
    setText("appg-summary", `No table: ${messageOf(e)}`);
  }
}

const runner = makeRunner({
  id: "appg",
  cell: "appg",
  label: "Can SSL learn faster?",
  canvas: $("appg-figure"),
  preparing: "Preparing (data and Γ)…",
  defaultQuery: `preset=${DEFAULT_PRESET}`,
  downloads: {
    "download-png": ["png", ".png"],
    "download-svg": ["svg", ".svg"],
    "download-json": ["json", ".json"],
    "download-curves": ["json_curves", "-curves.json"],
  },
  placeholder: true,
  viewInputs: [el("panels"), el("log-steps")],
  view: () => ({ policy: panels(), log_time: logSteps() }),
  viewKeys: () => [panels() === "stable" ? pair(PANELS_KEY, "stable") : "",
    logSteps() ? pair("log_time", "true") : ""],
  readoutFormat: readoutText,
  backendNote: dataNote,
  configure(c, params) {
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
    return notices;
  },
  onPrepared(c) {
    c.tabled = -1;
  },
  /** Progress line, and the table and summary whenever a row finished. */
  progressView(c, p) {
    const secs = (c.wallMs / 1000).toFixed(1);
    const tasks = p.total_tasks ?? p.total;
    return {
      value: tasks > 0 ? p.done / tasks : 0,
      status: p.finished
        ? `Finished: ${p.rows} runs and their stable-η searches in ${secs} s`
        : `Task ${Math.min(p.done + 1, tasks)} of ${tasks}: ${p.current || "starting"}`,
    };
  },
  onProgress(c, p) {
    if (p.rows === c.tabled && !p.finished) return;
    c.tabled = p.rows;
    showTable(c, p.finished);
  },
  // a linear comparison with automatic steps takes the step count cell 1 found for the
  // same run, when it ran it
  async estimate(c, lead, checked) {
    let steps;
    if (checked.config.model === "linear") {
      steps = stepsOf((await checkConfig("linear", checked.config.run)).query);
    }
    return estimateNote(lead, checked.cost, c.backend, steps);
  },
});

export const appgCell = runner.c;
export const setupAppg = (options) => runner.setup(options);
export const runAppg = () => runner.run();
/** The comparison the page starts by itself: the default one, on the CPU unless WebGPU was
 * asked for explicitly (a CPU-emulated adapter would take minutes). */
export const autostartAppg = () => runner.run({ autostart: true });
export const appgUnavailable = () => runner.unavailable();

/** Whether the cell may start by itself once in view: its link chose nothing, so it shows
 * the default (small, quick) comparison. */
export function appgAutostarts() {
  return appgCell.linkless && el("preset").value === DEFAULT_PRESET;
}
