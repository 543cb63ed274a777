// Cell 1's "your own images": files picked, a folder, or files dropped on the cell are
// decoded in this browser (createImageBitmap, then a canvas's getImageData), checked and
// kept by the wasm module (LocalPhotoSet); nothing leaves the machine. A share link of such
// a run carries the page key `data=local`: the images themselves cannot travel in a link.

import {
  LocalPhotoSet, use_local_photos, clear_local_photos, local_photo_count,
} from "./pkg/stepwise.js";
import { $, setText, showError, clearError, messageOf } from "./ui.js";

/** The page key that notes a run on local images, and its one value. */
export const DATA_KEY = "data";
const LOCAL = "local";
const IDLE_TEXT = "or drop images on this cell: they stay on this machine";

const state = { base: () => 1, onChange: async () => {}, busy: false };

/** Whether new runs use the visitor's images. */
export function localImagesInUse() {
  return local_photo_count() > 0;
}

/** The link's note (`data=local`) while local images are in use, else "". */
export function linkNote() {
  return localImagesInUse() ? `${DATA_KEY}=${LOCAL}` : "";
}

/** " · data: patches of N of your own images" for a session (of cell 1, an MLP cell or
 * App. G) whose photo patches come from the visitor's images, else "". */
export function dataNote(session) {
  const own = session.local_images();
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

/** RGBA bytes of a decoded image, drawn unscaled on a canvas. */
export function pixelsOf(bitmap) {
  const { width, height } = bitmap;
  const canvas = typeof OffscreenCanvas === "function"
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement("canvas"), { width, height });
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Checks, decodes and adds one file to `set` (which records why a file is skipped). */
async function addFile(set, file) {
  const name = String(file.webkitRelativePath || file.name).slice(0, 200);
  if (set.check_file(name, file.size) != null) return;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, {
      premultiplyAlpha: "none", colorSpaceConversion: "none",
    });
  } catch (e) {
    set.not_an_image(name, messageOf(e));
    return;
  }
  try {
    if (set.check_size(name, bitmap.width, bitmap.height) != null) return;
    set.add_rgba(name, bitmap.width, bitmap.height, pixelsOf(bitmap));
  } finally {
    bitmap.close();
  }
}

/** Shows which images are in use and which files were skipped. */
function showStatus(report) {
  const count = local_photo_count();
  setText("local-status", count > 0
    ? `Using ${count} of your images (stays on this machine)`
    : IDLE_TEXT);
  $("local-clear").hidden = count === 0;
  const skipped = report?.skipped ?? [];
  $("local-skipped").hidden = skipped.length === 0;
  setText("local-skipped", skipped.length ? `Skipped: ${skipped.join("; ")}` : "");
}

/** After a session was made: how many of the images it uses, and which it left out. */
export function noteRun(session) {
  const count = local_photo_count();
  if (count === 0) return;
  const used = session.local_images();
  let status = `Using ${count} of your images (stays on this machine)`;
  if (used === 0) status = `Your ${count} images wait for a photo-patches run (they stay on this machine)`;
  else if (used < count) status = `Using ${used} of your ${count} images (stays on this machine)`;
  setText("local-status", status);
  const notes = session.notices();
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
  const set = new LocalPhotoSet(state.base());
  let report = null;
  try {
    for (const file of files) await addFile(set, file);
    report = JSON.parse(use_local_photos(set));
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
    clear_local_photos();
    showStatus(null);
    document.body.dataset.upload = "cleared";
    await state.onChange();
  });
  wireDrop(zone);
  showStatus(null);
}
