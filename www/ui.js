// Small DOM helpers for the notebook. Text is always set with textContent.

/** The element with this id (throws if the page lacks it: a bug, not a user error). */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

export { count } from "./format.js";

export function setText(id, text) {
  $(id).textContent = text;
}

/** Shows `message` (plain text) in a cell's error box (#error is the first cell's). */
export function showError(message, id = "error") {
  const el = $(id);
  el.textContent = message;
  el.hidden = false;
}

export function clearError(id = "error") {
  const el = $(id);
  el.textContent = "";
  el.hidden = true;
}

/** The message of a thrown value (wasm errors are Error objects; be safe with others). */
export function messageOf(e) {
  return e?.message ?? String(e);
}

/** Lists notices about the URL (plain text) above the cells; hides the box when empty. */
export function showNotices(notices) {
  const list = $("notice-list");
  list.replaceChildren(...notices.map((n) => {
    const li = document.createElement("li");
    li.textContent = n;
    return li;
  }));
  $("notices").hidden = notices.length === 0;
}

/** Saves `blob` as `name` through a temporary link. */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();

/**
 * Resolves in a fresh task, at once (a MessageChannel message: no 4 ms timer clamp): the
 * browser handles input and paints due frames in between, so a loop of short slices of work
 * separated by this keeps the tab responsive without idling until the next frame.
 */
export function yieldTask() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

/**
 * The live redraw of a run loop: the returned `request(due)` asks for `paint` at the next
 * animation frame when `due()` agrees, not before `delayMs` from now, and then so that
 * redraws (with the frames they cause) take at most a quarter of the time (after one that
 * took c ms, the next waits 3c). An async `paint` may resolve to its own cost in ms (a
 * drawing in the compute worker: its time there, not its wait in the worker's queue).
 */
export function pacedPainter(paint, delayMs = 0) {
  let next = performance.now() + delayMs;
  const frame = framePainter(async () => {
    const t = performance.now();
    const cost = await paint();
    const painted = performance.now();
    // the cost counted is the drawing plus the browser's rendering of the frame (style,
    // layout, raster and commit of the canvas), which runs after this callback and before
    // the next task
    await yieldTask();
    const end = performance.now();
    next = end + 3 * (typeof cost === "number" ? cost + (end - painted) : end - t);
  });
  return (due = () => true) => {
    if (performance.now() >= next && due()) frame();
  };
}

/**
 * Calls `paint` at the next animation frame, once however often it is asked for before
 * then (a loop that computes faster than frames redraws once per frame).
 */
function framePainter(paint) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(async () => {
      try {
        await paint();
      } finally {
        pending = false;
      }
    });
  };
}

/**
 * Keeps keyboard focus on a cell's controls while their states change: `keep(update)` runs
 * `update` (which enables and disables `buttons`) and, when the focused button is disabled
 * by it (Run while the run goes on), focuses the first enabled one of `buttons` (Pause)
 * instead, or the same button again once it is enabled (Reset after "Preparing…"). Focus
 * that the visitor moved elsewhere meanwhile stays where it is.
 */
export function focusKeeper(buttons) {
  let pending = null;
  return function keep(update) {
    const active = document.activeElement;
    const had = buttons.includes(active) ? active : pending;
    update();
    pending = null;
    if (!had) return;
    const now = document.activeElement;
    if (now !== had && now !== document.body && now !== null) return;
    if (!had.disabled) {
      if (now !== had) had.focus();
      return;
    }
    const next = buttons.find((b) => !b.disabled);
    if (next) next.focus();
    else pending = had;
  };
}
