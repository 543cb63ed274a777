// A computing cell's form and the chrome around it, built from a description instead of
// repeated markup (the deep cells 8 and 9 use it; index.html holds their heading, text, an
// empty `<form>` and an empty `<div class="cell-chrome">`). The form: the preset select and
// one field per configuration key (form.js reads `data-key`). The chrome: the run toolbar (Run, Pause, Reset,
// progress, status, rate, a view select, the log-time box), the backend and error lines, the
// figure with its summary, and the download, link and embed toolbar with its share box.
// Every element gets the ids and test ids runner.js, share.js and the browser checks use.
// Text is set with textContent only.

/** An element `tag` with attributes `attrs` (`text`: its textContent) and `children`. */
function make(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v === true) node.setAttribute(k, "");
    else if (v !== false && v !== undefined) node.setAttribute(k, String(v));
  }
  node.append(...children);
  return node;
}

/** An element with id and test id `id`. */
function part(tag, id, attrs = {}, children = []) {
  return make(tag, { id, "data-testid": id, ...attrs }, children);
}

function button(id, text, attrs = {}) {
  return part("button", id, { type: "button", text, ...attrs });
}

/** The run toolbar: `views` ([[value, label], …]) adds a view select, `logTime` the
 * log-time box. */
function runBar(id, what, views, logTime) {
  const bar = make("div", { class: "toolbar", role: "toolbar", "aria-label": `${what} run controls` }, [
    button(`${id}-run`, "Run", { class: "primary", type: "submit", form: `${id}-controls` }),
    button(`${id}-pause`, "Pause"),
    button(`${id}-reset`, "Reset"),
    part("progress", `${id}-progress`, { "aria-label": `${what} run progress`, max: 1, value: 0 }),
    part("span", `${id}-status`, { class: "status", role: "status", text: "Loading…" }),
    part("span", `${id}-rate`, { class: "rate" }),
  ]);
  if (views) {
    const options = views.map(([value, label]) => make("option", { value, text: label }));
    bar.append(make("label", { class: "check", text: "view " }, [
      part("select", `${id}-view`, {}, options)]));
  }
  if (logTime) {
    bar.append(make("label", { class: "check" }, [
      part("input", `${id}-log-time`, { type: "checkbox" }), " log time axis"]));
  }
  return bar;
}

/** The download, link and embed toolbar (`downloads`: [[button name, label], …]). */
function shareBar(id, downloads) {
  return make("div", { class: "toolbar share" }, [
    make("span", { class: "label", text: "download" }),
    ...downloads.map(([name, label]) => button(`${id}-${name}`, label)),
    make("span", { class: "spacer" }),
    button(`${id}-copy-link`, "Copy link"),
    button(`${id}-embed`, "Embed"),
    make("a", { id: `${id}-open-notebook`, class: "open-notebook", href: "./", target: "_blank",
      rel: "noopener", text: "open in the notebook ↗" }),
  ]);
}

function shareBox(id) {
  return make("div", { id: `${id}-share-box`, class: "share-box", hidden: true }, [
    make("label", { text: "link " }, [
      part("input", `${id}-share-url`, { type: "text", readonly: true })]),
    make("label", { id: `${id}-embed-label`, hidden: true, text: "embed code " }, [
      part("textarea", `${id}-embed-code`, { rows: 3, readonly: true })]),
  ]);
}

/**
 * Fills cell `id`'s `.cell-chrome` placeholder: `what` names the run in labels, `figure`
 * describes the figure (its aria-label), `panels` 3 makes the figure box taller, `views`,
 * `logTime` (false: a figure without a time axis) and `downloads` as above.
 */
export function buildChrome(id, { what, figure, panels = 2, views = null, logTime = true,
  downloads }) {
  const slot = document.querySelector(`#cell-${id} .cell-chrome`);
  const canvas = part("canvas", `${id}-figure`, { role: "img", "aria-describedby": `${id}-summary`,
    "aria-label": figure });
  slot.replaceWith(
    runBar(id, what, views, logTime),
    part("p", `${id}-backend`, { class: "backend" }),
    part("p", `${id}-error`, { class: "error", role: "alert", hidden: true }),
    make("div", { class: panels === 3 ? "figure three" : "figure" }, [canvas]),
    part("p", `${id}-summary`, { class: "summary", "aria-live": "polite" }),
    shareBar(id, downloads),
    shareBox(id),
  );
}

/**
 * Fills cell `id`'s empty form: the preset select, then `fields`, each `{label, key, options}`
 * (a select of [value, text] options) or `{label, key, ...input attributes}`.
 */
export function buildForm(id, fields) {
  const form = document.getElementById(`${id}-controls`);
  const field = ({ label, key, options, ...attrs }) => {
    const name = `${id}-${key.replaceAll(/[._]/g, "-")}`;
    const control = options
      ? part("select", name, { "data-key": key },
        options.map(([value, text]) => make("option", { value, text })))
      : part("input", name, { "data-key": key, ...attrs });
    return make("label", { text: `${label} ` }, [control]);
  };
  form.append(
    make("label", { class: "full", text: "preset " }, [part("select", `${id}-preset`)]),
    ...fields.map(field),
  );
}
