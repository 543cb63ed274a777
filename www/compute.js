// The page's only door to the wasm module, which runs in a dedicated worker (worker.js):
// every call is one message of the protocol in src/web/protocol.rs (a `type` tag, a `seq`
// echoed in the reply), answered in arrival order. A failed call rejects with an Error whose
// `kind` is the reply's ("config", "run", "diverged", "gpu", "busy", "protocol", or "worker"
// when the worker itself failed).

/** The protocol version this page speaks (PROTOCOL_VERSION in src/web/protocol.rs). */
export const PROTOCOL_VERSION = 1;

let worker = null;
let nextSeq = 1;
/** seq -> {resolve, reject} of the calls waiting for their reply. */
const waiting = new Map();
let started = null;

/** An Error of `kind` (the reply's error kind). */
function failure(kind, message) {
  const e = new Error(message);
  e.kind = kind;
  return e;
}

function onReply({ data }) {
  const call = waiting.get(data?.seq);
  if (!call) return;
  waiting.delete(data.seq);
  if (data.type === "error") call.reject(failure(data.kind ?? "protocol", data.message ?? "error"));
  else call.resolve(data);
}

/** Every waiting call fails (the worker could not load or crashed). */
function failAll(message) {
  for (const call of waiting.values()) call.reject(failure("worker", message));
  waiting.clear();
}

/**
 * Sends `request` (without seq) to the worker; resolves to its reply. `transfer` lists what
 * moves to the worker instead of being copied.
 */
export function call(request, transfer = []) {
  if (!worker) {
    worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.addEventListener("message", onReply);
    worker.addEventListener("error", (e) => failAll(e.message || "the compute worker failed"));
  }
  const seq = nextSeq;
  nextSeq += 1;
  return new Promise((resolve, reject) => {
    waiting.set(seq, { resolve, reject });
    worker.postMessage({ ...request, seq }, transfer);
  });
}

/** Starts the worker (the wasm module compiles there); resolves once it answers `hello`
 * with this page's protocol version, rejects otherwise. */
export function ready() {
  started ??= call({ type: "hello", version: PROTOCOL_VERSION }).then((reply) => {
    if (reply.version !== PROTOCOL_VERSION) {
      throw failure("protocol", `the compute worker speaks protocol ${reply.version}, `
        + `the page ${PROTOCOL_VERSION}: reload the page`);
    }
    return true;
  });
  return started;
}

/** {linear, init, mlp, appg}: each a list of {name, description, config}. */
export function presets() {
  return call({ type: "presets" });
}

/** A cell's part of a link (`query` without `?`, keys without prefix) → {config, notices}. */
export function parseQuery(cell, query) {
  return call({ type: "parse_query", cell, query });
}

/** {problem: string|null, query: string|null (the compact share query), cost: object|null}
 * for `config` of `cell` (`autoSize`: the MLP cells' CPU run may shrink the data). */
export function checkConfig(cell, config, { autoSize } = {}) {
  return call({ type: "check_config", cell, config, auto_size: Boolean(autoSize) });
}

/** The figures' mode colours (`#rrggbb`), light or dark. */
export async function palette(dark) {
  return (await call({ type: "palette", dark })).colours;
}

/** The CSS height of figure `kind` ("linear", "appg:5", …) at `cssWidth` CSS pixels. */
export async function figureHeight(kind, cssWidth) {
  return (await call({ type: "figure_height", kind, css_width: cssWidth })).value;
}

/** Decodes and checks the visitor's `files` (File objects) in the worker, for base patch
 * side `base`: {count, notices, problems} (see local-images.js). */
export function localPhotos(base, files) {
  return call({ type: "local_photos", base, files });
}

export function clearLocalPhotos() {
  return call({ type: "clear_local_photos" });
}

/** The phases of a linear run of `source`, timed in the worker (bench/browser.mjs). */
export async function benchPhases(source) {
  return (await call({ type: "bench_phases", source })).value;
}

/** The worker's memory: {wasm_bytes, sessions} (the soak check). */
export function workerMemory() {
  return call({ type: "memory" });
}

let sessions = 0;

/**
 * A run of `cell` ("linear", "init", "symmetry", "mlp", "hidden", "appg") on `config` with
 * `backend` ("auto", "cpu", "gpu"); `autoSize`: the CPU may run it on smaller data;
 * `autostart`: the page starts it by itself (auto then means the CPU); `maxSeconds`: a
 * one-call cell (init) refuses a configuration estimated to take longer.
 */
export async function createSession(cell, config, { backend = "auto", autoSize = false,
  autostart = false, maxSeconds = null } = {}) {
  sessions += 1;
  const id = sessions;
  const reply = await call({
    type: "create", session: id, cell, config, backend, auto_size: autoSize, autostart,
    max_seconds: maxSeconds,
  });
  return new Session(id, cell, reply.info, reply.progress);
}

/** The layout of the figure last drawn on each canvas (by its id). */
const layouts = new Map();

/** The layout (texts and panels, backing px) of the figure last drawn on canvas `id`. */
export function figureLayout(id) {
  return layouts.get(id) ?? null;
}

/** A session in the worker: `info` (backend notice and kind, configuration, notices) and
 * `progress` ({state, step, total, finished, records, …}) as of the last reply. */
export class Session {
  constructor(id, cell, info, progress) {
    this.id = id;
    this.cell = cell;
    this.info = info;
    this.progress = progress;
    this.closed = false;
  }

  /** Advances for about `millis` ms of work, or by `steps` steps; resolves to the progress.
   * `info` is updated when it changed (a lost GPU: the run goes on on the CPU). */
  async advance({ millis, steps } = {}) {
    const reply = await call({ type: "advance", session: this.id, millis, steps });
    this.progress = reply.progress;
    if (reply.info) this.info = reply.info;
    return this.progress;
  }

  /**
   * Draws `figure` ("main", "hidden") for `canvas`'s CSS width at the screen's pixel ratio
   * and shows it there; sizes the figure box (canvas's parent) to the height the figure
   * needs, and draws again at the canvas's height as laid out when that differs (a height
   * in fractions of a pixel). `view`: {log_time, cursor, policy, dark}. Nothing when the
   * canvas is not laid out.
   */
  async draw(figure, canvas, view = {}) {
    this.drawMs = 0;
    let layout = await this.drawAt(figure, canvas, view);
    const dpr = window.devicePixelRatio || 1;
    const height = canvas.clientHeight;
    if (layout && height > 0 && Math.round(height * dpr) !== canvas.height) {
      layout = await this.drawAt(figure, canvas, { ...view, css_height: height });
    }
    return layout;
  }

  /** One drawing of `figure` on `canvas` (at `view.css_height` when given). */
  async drawAt(figure, canvas, view) {
    const cssWidth = canvas.clientWidth;
    if (cssWidth === 0) return null;
    const dpr = window.devicePixelRatio || 1;
    const reply = await call({
      type: "draw", session: this.id, figure, view: { css_width: cssWidth, dpr, ...view },
    });
    showBitmap(canvas, reply.bitmap, reply.css_height);
    layouts.set(canvas.id, reply.layout);
    this.drawMs = (this.drawMs ?? 0) + (reply.worker_ms ?? 0);
    return reply.layout;
  }

  /** What the figure shows at backing-store pixel (x, y) of `figure`, or null. */
  async readout(figure, x, y) {
    return (await call({ type: "readout", session: this.id, figure, x, y })).value;
  }

  /** A download: text (json, json_curves, csv, svg, hidden_svg) or bytes (python). */
  async export(format, opts = {}) {
    const reply = await call({ type: "export", session: this.id, format, ...opts });
    return reply.type === "bytes" ? reply.bytes : reply.text;
  }

  /** A cell's extra (directions, replay_state, record_times, summary, …). */
  async extra(name, args = {}) {
    return (await call({ type: "extra", session: this.id, extra: { name, ...args } })).value;
  }

  close() {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return call({ type: "close", session: this.id }).catch(() => {});
  }
}

/** The height last given to each figure box by showBitmap. */
const boxHeights = new WeakMap();

/**
 * Shows `bitmap` on `canvas` (a bitmaprenderer context, its backing store the bitmap's
 * size) and gives the canvas's box the height for `cssHeight` CSS pixels of canvas.
 */
function showBitmap(canvas, bitmap, cssHeight) {
  const box = canvas.parentElement;
  const border = canvas.offsetHeight - canvas.clientHeight;
  // through the CSSOM: the content security policy refuses style attributes; only on a
  // change (the CSSOM rounds what it gives back, so compare with what was set)
  const height = `${cssHeight + border}px`;
  if (box && cssHeight > 0 && boxHeights.get(box) !== height) {
    boxHeights.set(box, height);
    box.style.height = height;
    box.style.aspectRatio = "auto";
  }
  if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
  if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
  canvas.getContext("bitmaprenderer").transferFromImageBitmap(bitmap);
}

/**
 * The pixels of `canvas` (ImageData), whatever its context: the tests and the PNG download
 * read a bitmaprenderer canvas through a 2D copy.
 */
export function canvasPixels(canvas, x = 0, y = 0, w = canvas.width, h = canvas.height) {
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(canvas, 0, 0);
  return ctx.getImageData(x, y, w, h);
}
