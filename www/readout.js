// Hover readouts on a figure canvas, shared by the cells: the pointer (or, while the canvas
// has keyboard focus, a probe moved with the arrow keys) is sent in backing-store pixels to
// a query in Rust that answers what the plot shows there; the answer is shown in a small
// tooltip, as text only.

/** A value with six decimals (eigenvalues and losses are O(1)); "–" when missing. */
export function fmt(v, digits = 6) {
  return typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "–";
}

/** A time with six significant digits. */
export function fmtTime(t) {
  return typeof t === "number" && Number.isFinite(t) ? t.toPrecision(6) : "–";
}

/**
 * The text of a readout `{t, step, mode, experiment, theory}` (mode null: the loss);
 * `names` renames its two values (e.g. a random and an aligned run).
 */
export function readoutText(r, names = {}) {
  const { experiment = "experiment", theory = "theory" } = names;
  const head = `t = ${fmtTime(r.t)} (step ${r.step})`;
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

function place(tip, canvas, probe) {
  const box = canvas.parentElement;
  const left = Math.min(probe.x + canvas.offsetLeft + 14, box.clientWidth - tip.offsetWidth - 4);
  const top = probe.y + canvas.offsetTop + 14;
  tip.style.left = `${Math.max(0, left)}px`;
  tip.style.top = `${Math.min(top, box.clientHeight - tip.offsetHeight - 4)}px`;
}

/**
 * Adds a readout to `canvas` (inside a positioned box): `query(x, y)` gets backing-store
 * pixels and returns JSON text of a readout, or undefined off the plots. Returns
 * `{refresh, hide}`: refresh re-asks at the same place (after a redraw).
 */
export function attachReadout(canvas, query, format = readoutText) {
  const tip = document.createElement("div");
  tip.className = "plot-readout";
  tip.dataset.testid = `${canvas.id}-readout`;
  tip.setAttribute("aria-live", "polite");
  tip.hidden = true;
  canvas.parentElement.append(tip);
  canvas.tabIndex = 0;
  let probe = null;

  function hide() {
    tip.hidden = true;
  }

  function show() {
    if (!probe || canvas.clientWidth === 0) return hide();
    const sx = canvas.width / canvas.clientWidth;
    const sy = canvas.height / canvas.clientHeight;
    let r = null;
    try {
      const json = query(probe.x * sx, probe.y * sy);
      r = json ? JSON.parse(json) : null;
    } catch {
      r = null; // the run is busy or gone: no readout this time
    }
    if (!r) return hide();
    tip.textContent = format(r);
    for (const key of ["panel", "kind", "t", "step", "mode", "experiment", "theory", "variant",
      "policy"]) {
      tip.dataset[key] = r[key] == null ? "" : String(r[key]);
    }
    tip.hidden = false;
    place(tip, canvas, probe);
    return undefined;
  }

  const follow = (e) => {
    probe = { x: e.offsetX, y: e.offsetY };
    show();
  };
  canvas.addEventListener("pointermove", follow);
  canvas.addEventListener("pointerdown", follow);
  canvas.addEventListener("pointerleave", () => {
    if (document.activeElement !== canvas) hide();
  });
  canvas.addEventListener("focus", () => {
    probe ??= { x: canvas.clientWidth * 0.75, y: canvas.clientHeight * 0.5 };
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
    show();
  });
  return {
    refresh: () => {
      if (!tip.hidden) show();
    },
    hide,
  };
}
