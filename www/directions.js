// Cell 2, SSL as kernel PCA: the directions W has learned, as crop x crop RGB images, above
// the top eigenvectors of Γ that the theory predicts.

import { num } from "./format.js";

/** Mid-grey for 0; each pair (learned, theory) shares one colour scale. */
function paint(canvas, vector, crop, scale) {
  canvas.width = crop;
  canvas.height = crop;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(crop, crop);
  for (let p = 0; p < crop * crop; p += 1) {
    for (let c = 0; c < 3; c += 1) {
      img.data[4 * p + c] = Math.round(127.5 + 127.5 * (vector[3 * p + c] / scale));
    }
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function maxAbs(v) {
  return v.reduce((a, x) => Math.max(a, Math.abs(x)), 0) || 1;
}

/** What direction j shows, in words: its γ learned and predicted, and the overlap. */
export function directionText(j, data) {
  return `direction ${j + 1}: learned vᵀΓv = ${num(data.gamma_learned[j], 4)}, `
    + `theory γ${j + 1} = ${num(data.gamma_theory[j], 4)}, `
    + `overlap |⟨v, e${j + 1}⟩| = ${num(data.overlap[j], 4)}`;
}

function figure(j, data) {
  const { m, crop } = data;
  const learned = data.learned.slice(j * m, (j + 1) * m);
  const theory = data.theory.slice(j * m, (j + 1) * m);
  const fig = document.createElement("figure");
  fig.className = "direction";
  fig.dataset.testid = `direction-${j + 1}`;
  // the hover readout (and, focused, what a screen reader says)
  fig.title = directionText(j, data);
  fig.tabIndex = 0;
  fig.setAttribute("aria-label", fig.title);
  if (crop) {
    const scale = Math.max(maxAbs(learned), maxAbs(theory));
    for (const [v, label] of [[learned, "learned"], [theory, "theory"]]) {
      const c = document.createElement("canvas");
      c.className = label;
      c.setAttribute("aria-hidden", "true");
      paint(c, v, crop, scale);
      fig.append(c);
    }
  }
  const cap = document.createElement("figcaption");
  cap.textContent = `${j + 1}: γ ${num(data.gamma_theory[j], 3)}, overlap ${num(data.overlap[j], 3)}`;
  fig.append(cap);
  return fig;
}

/** Shows the directions (the session's "directions" extra, or its JSON text) in
 * `container`. */
export function renderDirections(container, directions) {
  const data = typeof directions === "string" ? JSON.parse(directions) : directions;
  const figs = [];
  for (let j = 0; j < data.d; j += 1) figs.push(figure(j, data));
  container.replaceChildren(...figs);
  const learned = data.overlap.filter((o) => o > 0.9).length;
  return `${learned} of ${data.d} directions match the theory (overlap > 0.9)`
    + (data.crop ? "" : "; the planted dataset has no images: overlaps only");
}
