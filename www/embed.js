// The embed's own chrome (?embed=<cell>): a short backend label in place of the backend
// sentence (kept in the label's title), and the document's height posted to the page that
// embeds it, whose snippet (share.js) resizes the iframe to fit.

/** The short name of a backend notice ("WebGPU: …" → "WebGPU", "CPU (…)" → "CPU"). */
export function shortBackend(notice) {
  const m = /^(WebGPU|CPU)\b/.exec(notice ?? "");
  return m ? m[1] : "";
}

/** Shows `el`'s notice as a short label after it, kept in step as the notice changes. */
function shortLabel(el) {
  const label = document.createElement("span");
  label.className = "backend-short";
  label.dataset.testid = `${el.id}-short`;
  el.after(label);
  const sync = () => {
    const full = el.textContent ?? "";
    label.textContent = shortBackend(full) || full;
    label.title = full;
    label.hidden = full === "";
  };
  new MutationObserver(sync).observe(el, { childList: true, characterData: true, subtree: true });
  sync();
}

/** The message an embed posts to its parent: `{stepwiseEmbed: cell, height}`. */
export function heightMessage(id) {
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  return { stepwiseEmbed: id, height };
}

/** Sets up the chrome of the embedded cell `id` (its root element `cellRoot`). */
export function setupEmbedChrome(id, cellRoot) {
  for (const el of cellRoot.querySelectorAll("p.backend[id$='backend']")) shortLabel(el);
  if (window.parent === window) return;
  const post = () => window.parent.postMessage(heightMessage(id), "*");
  new ResizeObserver(post).observe(document.body);
  window.addEventListener("load", post);
  post();
}
