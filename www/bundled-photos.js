// The bundled photos (www/data/, listed in its manifest.txt), fetched and decoded by this
// browser while the page loads (in parallel with the wasm module's compilation) and handed
// to the wasm module once it is ready, so that runs cut their patches from them instead of
// decoding the PNGs in wasm (see src/web/bundled_photos.rs). If anything fails, runs decode
// the PNGs themselves: the same pixels, only slower.

import { BundledPhotoSet, provide_bundled_photos } from "./pkg/stepwise.js";
import { pixelsOf } from "./local-images.js";

const DATA = new URL("./data/", import.meta.url);

let decoded = null;
let ready = Promise.resolve(false);

async function decode(file) {
  const response = await fetch(new URL(file, DATA));
  if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob(), {
    premultiplyAlpha: "none", colorSpaceConversion: "none",
  });
  try {
    return {
      name: file.replace(/\.png$/, ""), width: bitmap.width, height: bitmap.height,
      rgba: pixelsOf(bitmap),
    };
  } finally {
    bitmap.close();
  }
}

async function fetchAll() {
  const manifest = await fetch(new URL("manifest.txt", DATA));
  if (!manifest.ok) throw new Error(`manifest.txt: HTTP ${manifest.status}`);
  const files = (await manifest.text()).split(/\s+/).filter((f) => f.endsWith(".png"));
  return Promise.all(files.map(decode));
}

/** Starts fetching and decoding the photos (needs no wasm: call it first thing). */
export function fetchBundledPhotos() {
  const t0 = performance.now();
  decoded = fetchAll().finally(() => {
    performance.measure("stepwise: bundled photos decoded", { start: t0 });
  });
  decoded.catch(() => {}); // reported by startBundledPhotos
}

/** Hands the decoded photos to the wasm module (once it is loaded). */
export function startBundledPhotos() {
  if (!decoded) fetchBundledPhotos();
  ready = decoded.then((photos) => {
    const set = new BundledPhotoSet();
    try {
      for (const p of photos) set.add_rgba(p.name, p.width, p.height, p.rgba);
    } catch (e) {
      set.free();
      throw e;
    }
    // false when the names or the order differ from the module's own list
    return provide_bundled_photos(set);
  }).catch((e) => {
    console.warn(`bundled photos: decoding them in wasm instead (${e?.message ?? e})`);
    return false;
  });
  return ready;
}

/** Resolves (true: handed over) once the bundled photos are ready or have failed. */
export function bundledPhotosReady() {
  return ready;
}
