// Hover readouts on a figure canvas, shared by the cells: the pointer (or, while the canvas
// has keyboard focus, a probe moved with the arrow keys) is sent in backing-store pixels to
// a query in the compute worker that answers what the plot shows there (one query in
// flight at a time: the latest probe is asked next); the answer is shown in a small
// tooltip, as text only, after a swatch of the reported curve's colour; a ring on an overlay
// canvas marks the reported point on the curve (no redraw of the figure).

import { num } from "./format.js";

/** Significant digits of every readout value (experiment and theory alike). */
export const READOUT_DIGITS = 6;

/** A readout value (eigenvalue, loss, time) with READOUT_DIGITS significant digits. */
export function fmt(v) {
  return num(v, READOUT_DIGITS);
}

/**
 * The text of a readout `{t, step, mode, experiment, theory}` (mode null: the loss);
 * `names` renames its two values (e.g. a random and an aligned run).
 */
export function readoutText(r, names = {}) {
  const { experiment = "experiment", theory = "theory" } = names;
  const head = `t = ${fmt(r.t)} (step ${r.step})`;
  const what = r.mode == null ? "loss" : `mode ${r.mode}`;
  const second = r.theory == null ? "" : `, ${theory} ${fmt(r.theory)}`;
  return `${head} · ${what}: ${experiment} ${fmt(r.experiment)}${second}`;
}

/** A readout format naming the values per panel (`perPanel[r.panel]`, see readoutText). */
export function namedReadout(perPanel) {
  return (r) => readoutText(r, perPanel[r.panel] ?? {});
}

/** Share of the canvas's width or height a keyboard arrow moves the probe. */
const KEY_STEP = { ArrowLeft: [-0.01, 0], ArrowRight: [0.01, 0], ArrowUp: [0, -0.02], ArrowDown: [0, 0.02] };

/** Radius of the ring that marks the reported point (CSS pixels). */
const MARKER_RADIUS = 5;

/** A hidden `tag` of class `className` in `canvas`'s box (test id `<canvas id>-<suffix>`),
 * with the attribute `[name, value]`: the tooltip, or the overlay canvas of the marker. */
function addOver(canvas, tag, className, suffix, [name, value]) {
  const el = document.createElement(tag);
  el.className = className;
  el.dataset.testid = `${canvas.id}-${suffix}`;
  el.setAttribute(name, value);
  el.hidden = true;
  canvas.parentElement.append(el);
  return el;
}

/** Rings the point `at` (backing-store pixels of `canvas`) in `color` on `overlay`. */
function mark(overlay, canvas, at, color) {
  const ratio = window.devicePixelRatio || 1;
  // over the canvas's content box (inside its border), where its backing store is shown
  overlay.style.left = `${canvas.offsetLeft + canvas.clientLeft}px`;
  overlay.style.top = `${canvas.offsetTop + canvas.clientTop}px`;
  overlay.style.width = `${canvas.clientWidth}px`;
  overlay.style.height = `${canvas.clientHeight}px`;
  overlay.width = Math.round(canvas.clientWidth * ratio);
  overlay.height = Math.round(canvas.clientHeight * ratio);
  const x = (at[0] / canvas.width) * canvas.clientWidth;
  const y = (at[1] / canvas.height) * canvas.clientHeight;
  const ctx = overlay.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  ctx.lineWidth = 2;
  // a ring in the curve's colour inside a ring of the plot's background (seen on any curve)
  const halo = getComputedStyle(canvas).backgroundColor;
  for (const [stroke, r] of [[halo, MARKER_RADIUS + 2], [color, MARKER_RADIUS]]) {
    ctx.strokeStyle = stroke;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.stroke();
  }
  overlay.dataset.x = String(x);
  overlay.dataset.y = String(y);
  overlay.hidden = false;
}

/** The tooltip's content: a swatch of `color` (when given) and the text. */
function fill(tip, color, text) {
  const parts = [];
  if (color) {
    const swatch = document.createElement("span");
    swatch.className = "readout-swatch";
    swatch.style.backgroundColor = color;
    parts.push(swatch);
  }
  parts.push(document.createTextNode(text));
  tip.replaceChildren(...parts);
}

function place(tip, canvas, probe) {
  const box = canvas.parentElement;
  const left = Math.min(probe.x + canvas.offsetLeft + 14, box.clientWidth - tip.offsetWidth - 4);
  const top = probe.y + canvas.offsetTop + 14;
  tip.style.left = `${Math.max(0, left)}px`;
  tip.style.top = `${Math.min(top, box.clientHeight - tip.offsetHeight - 4)}px`;
}

/**
 * Adds a readout to `canvas` (inside a positioned box): `query(x, y)` gets backing-store
 * pixels and resolves to a readout object (or its JSON text), or null off the plots.
 * Returns `{refresh, hide}`: refresh re-asks at the same place (after a redraw).
 */
export function attachReadout(canvas, query, format = readoutText) {
  const tip = addOver(canvas, "div", "plot-readout", "readout", ["aria-live", "polite"]);
  canvas.tabIndex = 0;
  const overlay = addOver(canvas, "canvas", "readout-marker", "marker", ["aria-hidden", "true"]);
  let probe = null;
  /** Whether a query is in flight, and whether the probe moved meanwhile. */
  let asking = false;
  let again = false;
  /** Whether the tip should show (false after the pointer left or focus went). */
  let active = false;

  function hide() {
    active = false;
    tip.hidden = true;
    overlay.hidden = true;
  }

  async function ask() {
    const sx = canvas.width / canvas.clientWidth;
    const sy = canvas.height / canvas.clientHeight;
    try {
      const answer = await query(probe.x * sx, probe.y * sy);
      return typeof answer === "string" ? JSON.parse(answer) : answer ?? null;
    } catch {
      return null; // the run is busy or gone: no readout this time
    }
  }

  /** Asks for the probe's readout and shows it; `data-pending` on the tip while a query
   * is in flight (the tests wait for the answer to a move). */
  async function show() {
    if (asking) {
      again = true;
      return undefined;
    }
    if (!probe || canvas.clientWidth === 0) return hide();
    asking = true;
    tip.dataset.pending = "true";
    const r = await ask();
    asking = false;
    if (again) {
      again = false;
      return show();
    }
    delete tip.dataset.pending;
    if (!probe || !active) return hide();
    return showReadout(r);
  }

  function showReadout(r) {
    if (!r) return hide();
    fill(tip, r.color, format(r));
    for (const key of ["panel", "kind", "t", "step", "mode", "experiment", "theory", "variant",
      "policy", "color"]) {
      tip.dataset[key] = r[key] == null ? "" : String(r[key]);
    }
    tip.hidden = false;
    place(tip, canvas, probe);
    if (r.at && r.color) mark(overlay, canvas, r.at, r.color);
    else overlay.hidden = true;
    return undefined;
  }

  const follow = (e) => {
    probe = { x: e.offsetX, y: e.offsetY };
    active = true;
    show();
  };
  canvas.addEventListener("pointermove", follow);
  canvas.addEventListener("pointerdown", follow);
  canvas.addEventListener("pointerleave", () => {
    if (document.activeElement !== canvas) hide();
  });
  canvas.addEventListener("focus", () => {
    probe ??= { x: canvas.clientWidth * 0.75, y: canvas.clientHeight * 0.5 };
    active = true;
    show();
  });
  canvas.addEventListener("blur", hide);
  canvas.addEventListener("keydown", (e) => {
    const step = KEY_STEP[e.key];
    if (!step || !probe) return;
    e.preventDefault();
    probe = {
      x: Math.min(canvas.clientWidth, Math.max(0, probe.x + step[0] * canvas.clientWidth)),
      y: Math.min(canvas.clientHeight, Math.max(0, probe.y + step[1] * canvas.clientHeight)),
    };
    active = true;
    show();
  });
  return {
    refresh: () => {
      if (active && !tip.hidden) show();
    },
    hide,
  };
}
