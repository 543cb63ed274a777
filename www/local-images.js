// Cell 1's "your own images": files picked, a folder, or files dropped on the cell are
// posted to the compute worker, which decodes them in this browser (createImageBitmap, then
// an OffscreenCanvas's getImageData) and has the wasm module check and keep them; nothing
// leaves the machine. A share link of such a run carries the page key `data=local`: the
// images themselves cannot travel in a link.

import { localPhotos, clearLocalPhotos } from "./compute.js";
import { $, setText, showError, clearError, messageOf } from "./ui.js";

/** The page key that notes a run on local images, and its one value. */
export const DATA_KEY = "data";
const LOCAL = "local";
const IDLE_TEXT = "or drop images on this cell: they stay on this machine";

const state = { base: () => 1, onChange: async () => {}, busy: false, count: 0 };

/** How many of the visitor's images new runs use (0: the built-in photos). */
function localPhotoCount() {
  return state.count;
}

/** Whether new runs use the visitor's images. */
export function localImagesInUse() {
  return localPhotoCount() > 0;
}

/** The link's note (`data=local`) while local images are in use, else "". */
export function linkNote() {
  return localImagesInUse() ? `${DATA_KEY}=${LOCAL}` : "";
}

/** " · data: patches of N of your own images" for a session (its `info`: of cell 1, an
 * MLP cell or App. G) whose photo patches come from the visitor's images, else "". */
export function dataNote(info) {
  const own = info.local_images;
  return own ? ` · data: patches of ${own} of your own images` : "";
}

/** Notices about the page key `data` of an opened link (the run uses the built-in photos). */
export function dataKeyNotices(params) {
  return params.getAll(DATA_KEY).map((value) => (value === LOCAL
    ? "The sender of this link ran it on their own images, which cannot travel in a link: "
      + "this run uses the built-in photos."
    : `ignored ${DATA_KEY} = ${value.slice(0, 40)}: the only value is ${DATA_KEY}=${LOCAL} `
      + "(the sender used their own images)"));
}

/** Shows which images are in use and which files were skipped. */
function showStatus(report) {
  const count = localPhotoCount();
  setText("local-status", count > 0
    ? `Using ${count} of your images (stays on this machine)`
    : IDLE_TEXT);
  $("local-clear").hidden = count === 0;
  const skipped = report?.skipped ?? [];
  $("local-skipped").hidden = skipped.length === 0;
  setText("local-skipped", skipped.length ? `Skipped: ${skipped.join("; ")}` : "");
}

/** After a session was made (its `info`): how many of the images it uses, and which it
 * left out. */
export function noteRun(info) {
  const count = localPhotoCount();
  if (count === 0) return;
  const used = info.local_images;
  let status = `Using ${count} of your images (stays on this machine)`;
  if (used === 0) status = `Your ${count} images wait for a photo-patches run (they stay on this machine)`;
  else if (used < count) status = `Using ${used} of your ${count} images (stays on this machine)`;
  setText("local-status", status);
  const notes = info.notices ?? [];
  if (notes.length) {
    $("local-skipped").hidden = false;
    setText("local-skipped", notes.join("; "));
  }
}

/** Reads `files`; on success the new images replace the old ones and the cell reruns. */
async function load(files) {
  if (state.busy || files.length === 0) return;
  state.busy = true;
  document.body.dataset.upload = "reading";
  setText("local-status", `Reading ${files.length} file${files.length === 1 ? "" : "s"}…`);
  let report = null;
  try {
    const reply = await localPhotos(state.base(), files);
    // no usable file: the photos in use stay, `problems` says why
    if (reply.problems.length) throw new Error(reply.problems.join("; "));
    report = { skipped: reply.notices };
    state.count = reply.count;
    clearError();
  } catch (e) {
    const kept = localImagesInUse() ? "your previous images" : "the built-in photos";
    showError(`Your images were not used: ${messageOf(e)}. The runs keep ${kept}.`);
  }
  showStatus(report);
  state.busy = false;
  document.body.dataset.upload = report ? "used" : "rejected";
  if (report) await state.onChange();
}

function wireDrop(zone) {
  zone.addEventListener("dragover", (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
    e.preventDefault();
    zone.classList.add("dropping");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dropping"));
  zone.addEventListener("drop", (e) => {
    zone.classList.remove("dropping");
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    load([...e.dataTransfer.files]);
  });
}

/**
 * Wires the picker, the folder picker, dropping on `zone` and "Back to the built-in
 * photos". `base()` is the base patch side of the cell's configuration; `onChange()` runs
 * after the images in use changed.
 */
export function setupLocalImages({ zone, base, onChange }) {
  state.base = () => {
    const side = Number(base());
    return Number.isInteger(side) && side > 0 ? side : 1;
  };
  state.onChange = onChange;
  for (const id of ["local-files", "local-folder"]) {
    const input = $(id);
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = "";
      load(files);
    });
  }
  $("local-clear").addEventListener("click", async () => {
    await clearLocalPhotos();
    state.count = 0;
    showStatus(null);
    document.body.dataset.upload = "cleared";
    await state.onChange();
  });
  wireDrop(zone);
  showStatus(null);
}
