// Share links and embedding: the whole notebook's state is the page's query string.
//
// The first cell's run configuration uses plain keys (`d=3`, `dataset.n=200`), as the CLI's
// --set does; every later cell prefixes its keys with its id (`init.d=3`,
// `symmetry.gammas=1,0.5`, `mlp.width=512`, `hidden.seed=2`, `appg.a=0.5`, `deep.lr=0.01`,
// `probes.steps=400`, `methods.steps=100`), so the cells never
// collide. Page keys (`backend`, `embed`)
// are read by the page. A share link holds every cell's state; an embed link holds only its
// cell's state and `embed=<cell>`.

import { $, setText } from "./ui.js";
import { linkNote } from "./local-images.js";
import { setupEmbedChrome } from "./embed.js";
import { figureHeight } from "./compute.js";

/** The cells that can be shared and embedded, in page order, with their key prefixes
 * (`computes`: the cell runs on WebGPU or the CPU, so its embed link keeps `backend`;
 * `photos`: its runs use the visitor's own images when there are any, so its embed link
 * keeps the note `data=local`). */
export const CELLS = {
  stepwise: { prefix: "", title: "stepwise learning", figure: "linear", chrome: 192,
    photos: true },
  init: { prefix: "init.", title: "any small init follows an aligned one", figure: "init",
    chrome: 92 },
  symmetry: { prefix: "symmetry.", title: "symmetry breaking", figure: "symmetry", chrome: 120 },
  mlp: { prefix: "mlp.", title: "a wide network", figure: "mlp", chrome: 128, computes: true,
    photos: true },
  hidden: { prefix: "hidden.", title: "hidden representations learn in steps too",
    figure: "hidden", chrome: 128, computes: true, photos: true },
  appg: { prefix: "appg.", title: "can SSL learn faster?", figure: "appg:5", chrome: 126,
    computes: true, photos: true },
  deep: { prefix: "deep.", title: "deep networks learn in steps too", figure: "deep",
    chrome: 128, computes: true, photos: true },
  probes: { prefix: "probes.", title: "hidden representations and probes",
    figure: "deep-probes", chrome: 128, computes: true, photos: true },
  methods: { prefix: "methods.", title: "three methods, one subspace",
    figure: "deep-methods", chrome: 128, computes: true, photos: true },
};
/** The column width the snippet's first height is for (a blog's text column). */
const SNIPPET_COLUMN = 700;

/** The iframe height of cell `id` embedded in a `width` px column, before the embed reports
 * its own: its figure (figureHeight, as the embed will draw it) and its chrome (title,
 * toolbar, status, backend label, link; measured by the browser check `layout`). */
export async function embedHeight(id, width = SNIPPET_COLUMN) {
  const { figure, chrome } = CELLS[id];
  return Math.round((await figureHeight(figure, width - 18)) + chrome);
}

/** The script after the iframe in the snippet: it sets the iframe's height to the height
 * the embed posts (only messages from that iframe, only a sane number of pixels). */
const RESIZE_SCRIPT = "(function(f){addEventListener(\"message\",function(e){"
  + "var d=e.data,h=d&&d.height;if(e.source===f.contentWindow&&d.stepwiseEmbed"
  + "&&typeof h===\"number\"&&h>=50&&h<=20000)f.style.height=Math.ceil(h)+\"px\"})})"
  + "(document.currentScript.previousElementSibling)";
/** Query keys that belong to the page, not to a cell (`data=local`: see local-images.js). */
const PAGE_KEYS = ["backend", "embed", "data"];

const page = { backend: "auto" };
/** id -> (strict) => the cell's query (prefixed, without `?`), or null if it has none. */
const providers = new Map();

/** The element `name` of cell `id`: the first cell's ids are unprefixed. */
export function cellElement(id, name) {
  return $(id === "stepwise" ? name : `${id}-${name}`);
}

/**
 * Splits a query string into {page, stepwise, init, …} (one per cell), each a URLSearchParams:
 * prefixed keys go to their cell with the prefix removed, page keys to `page`, the rest to
 * the first cell.
 */
export function splitQuery(search) {
  const parts = { page: new URLSearchParams() };
  for (const id of Object.keys(CELLS)) parts[id] = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(search)) {
    const owner = Object.keys(CELLS).find((id) => CELLS[id].prefix
      && key.startsWith(CELLS[id].prefix));
    if (owner) parts[owner].append(key.slice(CELLS[owner].prefix.length), value);
    else if (PAGE_KEYS.includes(key)) parts.page.append(key, value);
    else parts.stepwise.append(key, value);
  }
  return parts;
}

/**
 * Notices for the `keys` that `params` gives more than once (the page reads the first, as
 * `URLSearchParams.get` does; the configuration keys are the worker's, which says so
 * itself); `prefix` is the keys' prefix in the link, `label` the notices' cell.
 */
export function repeatedNotices(params, keys, { prefix = "", label = "" } = {}) {
  return keys.filter((k) => params.getAll(k).length > 1).map((k) => `${label}“${prefix}${k}” `
    + `is given ${params.getAll(k).length} times; read only the first (“${params.get(k).slice(0, 40)}”)`);
}

/** "a=1&b=x" -> "init.a=1&init.b=x" for cell `id`. */
export function prefixed(id, query) {
  const { prefix } = CELLS[id];
  if (!query) return "";
  return query.split("&").filter(Boolean).map((pair) => prefix + pair).join("&");
}

/** A query pair with the value encoded, commas kept readable. */
export function pair(key, value) {
  return `${key}=${encodeURIComponent(value).replaceAll("%2C", ",")}`;
}

/** The backend the page was asked for ("auto", "cpu" or "gpu"); it goes into links. */
export function setBackend(backend) {
  page.backend = backend;
}

/**
 * Registers cell `id`'s state for links: `provide(strict)` resolves to its query (prefixed)
 * or null; with `strict` (the cell's own button was pressed) it shows why in the cell
 * instead.
 */
export function registerCell(id, provide) {
  providers.set(id, provide);
}

/** The link to the notebook with every cell's state, or to cell `id` alone when embedding
 * (null: the cell's form has a problem, shown in the cell). */
export async function shareUrl(id, embed = false) {
  const parts = [];
  for (const [cell, provide] of providers) {
    if (embed && cell !== id) continue;
    const query = await provide(cell === id);
    if (query === null && cell === id) return null;
    if (query) parts.push(query);
  }
  const note = linkNote();
  if (note && (!embed || CELLS[id].photos)) parts.push(note);
  if (page.backend !== "auto" && (!embed || id === "stepwise" || CELLS[id].computes)) {
    parts.push(pair("backend", page.backend));
  }
  if (embed) parts.push(pair("embed", id));
  const base = new URL(location.pathname, location.origin);
  return parts.length ? `${base.href}?${parts.join("&")}` : base.href;
}

/** Runs `make` (which builds a link in the worker) with `data-linking` on <body> meanwhile
 * (the tests wait for the link). */
async function linking(make) {
  const body = document.body;
  body.dataset.linking = String(Number(body.dataset.linking ?? 0) + 1);
  try {
    return await make();
  } finally {
    const left = Number(body.dataset.linking) - 1;
    if (left > 0) body.dataset.linking = String(left);
    else delete body.dataset.linking;
  }
}

async function copyLink(id, status) {
  const url = await shareUrl(id);
  if (!url) return;
  cellElement(id, "share-box").hidden = false;
  cellElement(id, "embed-label").hidden = true;
  const field = cellElement(id, "share-url");
  field.value = url;
  // the address bar shows the same link (a reload or a bookmark gives this state back)
  if (!document.body.classList.contains("embed")) history.replaceState(null, "", url);
  try {
    await navigator.clipboard.writeText(url);
    setText(status, "Link copied");
  } catch {
    field.select();
  }
}

async function embed(id) {
  const url = await shareUrl(id, true);
  if (!url) return;
  cellElement(id, "share-box").hidden = false;
  cellElement(id, "embed-label").hidden = false;
  cellElement(id, "share-url").value = url;
  const iframe = document.createElement("iframe");
  iframe.setAttribute("src", url);
  iframe.setAttribute("width", "100%");
  iframe.setAttribute("height", String(await embedHeight(id)));
  // through the CSSOM: the page's content security policy refuses a style attribute set
  // as text (the snippet's attribute, style="border: 0px;", is for the page it goes into)
  iframe.style.border = "0";
  iframe.setAttribute("title", `stepwise: ${CELLS[id].title}`);
  iframe.setAttribute("loading", "lazy");
  const code = cellElement(id, "embed-code");
  code.value = `${iframe.outerHTML}\n<script>${RESIZE_SCRIPT}</script>`;
  code.select();
}

/** Wires cell `id`'s "Copy link" and "Embed" buttons; `status` is the id of its status. */
export function wireShare(id, status) {
  cellElement(id, "copy-link").addEventListener("click", () => linking(() => copyLink(id, status)));
  cellElement(id, "embed").addEventListener("click", () => linking(() => embed(id)));
}

/** Shows only cell `id` (page chrome hidden) and points every "open in the notebook" link
 * at this page without `embed`. */
export function enterEmbed(id) {
  document.body.classList.add("embed");
  $(`cell-${id}`).classList.add("embedded");
  setupEmbedChrome(id, $(`cell-${id}`));
  const full = new URL(location.href);
  full.searchParams.delete("embed");
  for (const a of document.querySelectorAll(".open-notebook")) a.href = full.href;
}
