// stepwise notebook: the page around the wasm module (www/pkg, built by ./scripts/run).
// All text that comes from a URL is written with textContent, never as HTML.

import init, {
  create_session, parse_query, config_query, config_problem, presets_json,
} from "./pkg/stepwise.js";
import { $, setText, showError, clearError, showNotices, download, nextFrame } from "./ui.js";
import { fillForm, readForm } from "./form.js";
import { renderDirections } from "./directions.js";

/** Milliseconds of CPU stepping per animation frame: the tab must stay responsive. */
const FRAME_BUDGET_MS = 8;
/** Milliseconds per WebGPU advance() (it awaits the GPU: the thread stays free). */
const GPU_CALL_MS = 14;
/** Query keys the page reads itself (the rest describe the run). */
const PAGE_KEYS = ["backend"];

const cell = {
  root: $("cell-stepwise"),
  canvas: $("figure"),
  /** Full configuration object the form edits (keys the form lacks are kept). */
  config: null,
  session: null,
  /** Query of the configuration the session was made from. */
  sessionQuery: null,
  running: false,
  loop: null,
  budget: 1,
  /** Time spent in advance() and wall time while running, since the session started. */
  runMs: 0,
  wallMs: 0,
  prepareMs: 0,
  dirty: true,
};
const page = { backend: "auto", embed: null, presets: [] };

/** Test hook: the state the browser tests read. */
window.stepwise = {
  cell,
  state: () => cell.root.dataset.state,
  resultJson: () => cell.session?.result_json() ?? null,
  timings: () => ({
    prepareMs: cell.prepareMs,
    runMs: cell.runMs,
    wallMs: cell.wallMs,
    steps: cell.session ? cell.session.progress().step : 0,
    backend: cell.session?.backend_name() ?? null,
  }),
};

function setState(state) {
  cell.root.dataset.state = state;
  document.body.dataset.state = state;
  const busy = state === "preparing";
  $("run").disabled = busy || state === "running";
  $("pause").disabled = state !== "running";
  $("step").disabled = busy || state === "running" || state === "finished";
  $("reset").disabled = busy;
  for (const id of ["download-png", "download-svg", "download-json", "download-csv"]) {
    $(id).disabled = !cell.session || busy;
  }
}

// ---- the form ----------------------------------------------------------------------

/** The form's configuration as JSON text, or null after showing why it is not valid. */
function formJson() {
  let cfg;
  try {
    cfg = readForm(cell.config);
  } catch (e) {
    showError(e.message);
    return null;
  }
  const json = JSON.stringify(cfg);
  const problem = config_problem(json);
  if (problem) {
    showError(problem);
    return null;
  }
  return json;
}

function presetOptions() {
  const select = $("preset");
  select.replaceChildren();
  const custom = new Option("(custom)", "");
  select.append(custom);
  for (const p of page.presets) select.append(new Option(`${p.name}: ${p.description}`, p.name));
  select.addEventListener("change", () => {
    const p = page.presets.find((q) => q.name === select.value);
    if (!p) return;
    cell.config = structuredClone(p.config);
    fillForm(cell.config);
    reset();
  });
}

function matchPreset() {
  let json = null;
  try {
    json = JSON.stringify(readForm(cell.config));
  } catch {
    // an unfinished number: no preset matches
  }
  const same = page.presets.find((p) => JSON.stringify(p.config) === json);
  $("preset").value = same ? same.name : "";
}

// ---- running ----------------------------------------------------------------------

function logTime() {
  return $("log-time").checked;
}

function draw() {
  if (!cell.session) return;
  try {
    cell.session.draw(cell.canvas, logTime());
  } catch (e) {
    showError(`drawing failed: ${e.message ?? e}`);
  }
}

function showProgress(p) {
  $("progress").value = p.total > 0 ? p.step / p.total : 0;
  const rate = cell.wallMs > 0 ? (p.step / cell.wallMs) * 1000 : 0;
  setText("rate", rate > 0 ? `${Math.round(rate).toLocaleString("en")} steps/s` : "");
  setText("status", p.finished
    ? `Finished: ${p.step.toLocaleString("en")} steps`
    : `step ${p.step.toLocaleString("en")} of ${p.total.toLocaleString("en")}`);
}

/** Makes a fresh session from the form (shows "Preparing…" while the data are built). */
async function prepare() {
  const json = formJson();
  if (json === null) {
    cell.running = false;
    setState(cell.session ? "paused" : "idle");
    return false;
  }
  clearError();
  cell.session?.free();
  cell.session = null;
  cell.running = false;
  setState("preparing");
  setText("status", "Preparing…");
  setText("rate", "");
  $("progress").value = 0;
  await nextFrame(); // let "Preparing…" paint before the synchronous work
  const t0 = performance.now();
  try {
    cell.session = await create_session(json, page.backend);
  } catch (e) {
    showError(e.message ?? String(e));
    setText("status", "Not started");
    setState("error");
    return false;
  }
  cell.prepareMs = performance.now() - t0;
  cell.sessionQuery = config_query(json);
  cell.runMs = 0;
  cell.wallMs = 0;
  cell.budget = JSON.parse(json).record_every;
  cell.dirty = false;
  setText("backend", cell.session.backend_notice());
  showProgress(cell.session.progress());
  draw();
  setState("paused");
  return true;
}

/**
 * Advances the run until it finishes or is paused, one advance() call per animation frame,
 * redrawing after each. The frame wait runs alongside the call, and each call is sized to
 * take about `target` ms: FRAME_BUDGET_MS for the CPU, which computes on this thread (so the
 * tab never freezes), or GPU_CALL_MS for WebGPU, whose advance() mostly awaits the GPU.
 */
async function runLoop() {
  const session = cell.session;
  const target = session.backend_notice().startsWith("WebGPU") ? GPU_CALL_MS : FRAME_BUDGET_MS;
  let p = session.progress();
  let mark = performance.now();
  const clock = () => {
    const t = performance.now();
    cell.wallMs += t - mark;
    mark = t;
  };
  while (cell.running && session === cell.session && !p.finished) {
    const t0 = performance.now();
    let dt = 0;
    const call = session.advance(cell.budget).then((q) => {
      dt = performance.now() - t0;
      return q;
    });
    try {
      [p] = await Promise.all([call, nextFrame()]);
    } catch (e) {
      cell.running = false;
      clock();
      if (session !== cell.session) return;
      draw();
      showError(e.message ?? String(e));
      setText("status", "Stopped");
      setState("error");
      return;
    }
    cell.runMs += dt;
    const scale = Math.min(4, target / Math.max(dt, 0.05));
    cell.budget = Math.max(1, Math.min(1e6, cell.budget * scale));
    if (session !== cell.session) return;
    clock();
    showProgress(p);
    draw();
  }
  clock();
  if (session !== cell.session) return;
  showProgress(p);
  draw();
  if (p.finished) {
    cell.running = false;
    setState("finished");
    if (!page.embed) await showDirections();
  }
}

async function run() {
  if (cell.running) return;
  let query = null;
  try {
    const json = JSON.stringify(readForm(cell.config));
    if (!config_problem(json)) query = config_query(json);
  } catch {
    // prepare() reports it
  }
  if (!cell.session || cell.dirty || query !== cell.sessionQuery
      || cell.root.dataset.state === "finished" || cell.root.dataset.state === "error") {
    if (!(await prepare())) return;
  }
  cell.running = true;
  setState("running");
  cell.loop = runLoop();
  await cell.loop;
}

function pause() {
  cell.running = false;
  if (cell.root.dataset.state === "running") setState("paused");
}

async function step() {
  if (cell.running) return;
  if (!cell.session || cell.dirty) {
    if (!(await prepare())) return;
  }
  try {
    const t0 = performance.now();
    const p = await cell.session.advance(1);
    cell.runMs += performance.now() - t0;
    showProgress(p);
    draw();
    setState(p.finished ? "finished" : "paused");
  } catch (e) {
    draw();
    showError(e.message ?? String(e));
    setState("error");
  }
}

async function reset() {
  cell.running = false;
  if (cell.loop) await cell.loop;
  await prepare();
}

// ---- cell 2: the learned directions ------------------------------------------------

async function showDirections() {
  const session = cell.session;
  if (!session) {
    setText("directions-status", "Run the first cell first.");
    return;
  }
  setText("directions-status", "Reading W…");
  try {
    const json = await session.directions();
    if (session !== cell.session) return;
    const summary = renderDirections($("directions"), json);
    const p = session.progress();
    const when = p.finished ? "end of the run" : `step ${p.step.toLocaleString("en")}`;
    setText("directions-status", `At the ${when}: ${summary}.`);
  } catch (e) {
    setText("directions-status", `Could not read the directions: ${e.message ?? e}`);
  }
}

// ---- sharing and downloads --------------------------------------------------------

function shareUrl(extra = "") {
  const json = formJson();
  if (json === null) return null;
  const base = new URL(location.pathname, location.origin);
  let query = config_query(json);
  if (logTime()) query += "&log_time=true";
  if (page.backend !== "auto") query += `&backend=${encodeURIComponent(page.backend)}`;
  return `${base.href}?${query}${extra}`;
}

async function copyLink() {
  const url = shareUrl();
  if (!url) return;
  $("share-box").hidden = false;
  $("embed-label").hidden = true;
  $("share-url").value = url;
  try {
    await navigator.clipboard.writeText(url);
    setText("status", "Link copied");
  } catch {
    $("share-url").select();
  }
}

function embed() {
  const url = shareUrl("&embed=stepwise");
  if (!url) return;
  $("share-box").hidden = false;
  $("embed-label").hidden = false;
  $("share-url").value = url;
  const iframe = document.createElement("iframe");
  iframe.setAttribute("src", url);
  iframe.setAttribute("width", "100%");
  iframe.setAttribute("height", "480");
  iframe.setAttribute("style", "border:0");
  iframe.setAttribute("title", "stepwise: stepwise learning");
  iframe.setAttribute("loading", "lazy");
  $("embed-code").value = iframe.outerHTML;
  $("embed-code").select();
}

function withSession(f) {
  if (!cell.session) return;
  try {
    f(cell.session);
  } catch (e) {
    showError(e.message ?? String(e));
  }
}

function wireDownloads() {
  $("download-png").addEventListener("click", () => {
    cell.canvas.toBlob((blob) => blob && download("stepwise.png", blob));
  });
  $("download-svg").addEventListener("click", () => withSession((s) =>
    download("stepwise.svg", new Blob([s.svg(logTime())], { type: "image/svg+xml" }))));
  $("download-json").addEventListener("click", () => withSession((s) =>
    download("stepwise.json", new Blob([s.result_json()], { type: "application/json" }))));
  $("download-csv").addEventListener("click", () => withSession((s) =>
    download("stepwise.csv", new Blob([s.records_csv()], { type: "text/csv" }))));
}

// ---- start ------------------------------------------------------------------------

function readUrl() {
  const params = new URLSearchParams(location.search);
  page.embed = params.get("embed");
  const backend = params.get("backend");
  if (backend === "cpu") page.backend = "cpu";
  if (params.get("log_time") === "true") $("log-time").checked = true;
  for (const k of PAGE_KEYS) params.delete(k);
  const parsed = JSON.parse(parse_query(params.toString()));
  const notices = parsed.notices.slice();
  if (backend !== null && backend !== "cpu" && backend !== "auto") {
    notices.push(`ignored backend = ${backend.slice(0, 40)}: use backend=cpu or backend=auto`);
  }
  if (page.embed !== null && page.embed !== "stepwise") {
    notices.push(`ignored embed = ${page.embed.slice(0, 40)}: the only cell is "stepwise"`);
    page.embed = null;
  }
  showNotices(notices);
  return parsed.config;
}

async function main() {
  setState("loading");
  try {
    await init();
  } catch (e) {
    showError(`The notebook's wasm module did not load (${e.message ?? e}); build it with `
      + "./scripts/run. Showing the static figure from out/fig1.svg instead.");
    cell.canvas.hidden = true;
    $("fallback-figure").hidden = false;
    setState("unavailable");
    return;
  }
  page.presets = JSON.parse(presets_json());
  presetOptions();
  cell.config = readUrl();
  if (page.embed) {
    document.body.classList.add("embed");
    cell.root.classList.add("embedded");
    const full = new URL(location.href);
    full.searchParams.delete("embed");
    $("open-notebook").href = full.href;
  }
  fillForm(cell.config);
  matchPreset();
  $("controls").addEventListener("input", () => {
    cell.dirty = true;
    matchPreset();
  });
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  $("log-time").addEventListener("change", draw);
  $("run").addEventListener("click", run);
  $("pause").addEventListener("click", pause);
  $("step").addEventListener("click", step);
  $("reset").addEventListener("click", reset);
  $("copy-link").addEventListener("click", copyLink);
  $("embed").addEventListener("click", embed);
  $("directions-refresh").addEventListener("click", showDirections);
  wireDownloads();
  new ResizeObserver(() => draw()).observe(cell.canvas);
  await run();
}

main();
