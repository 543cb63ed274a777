// The bundled photos (www/data/), decoded by this browser while the page loads and handed
// to the wasm module, so that runs cut their patches from them instead of decoding the PNGs
// in wasm (see src/web/bundled_photos.rs). If anything fails, runs decode the PNGs
// themselves: the same pixels, only slower.

import {
  BundledPhotoSet, bundled_photo_names, provide_bundled_photos,
} from "./pkg/stepwise.js";
import { pixelsOf } from "./local-images.js";

let ready = Promise.resolve(false);

async function decode(name) {
  const response = await fetch(new URL(`./data/${name}.png`, import.meta.url));
  if (!response.ok) throw new Error(`${name}.png: HTTP ${response.status}`);
  return createImageBitmap(await response.blob(), {
    premultiplyAlpha: "none", colorSpaceConversion: "none",
  });
}

async function load() {
  const names = bundled_photo_names();
  const bitmaps = await Promise.all(names.map(decode));
  const set = new BundledPhotoSet();
  try {
    names.forEach((name, i) => {
      const b = bitmaps[i];
      set.add_rgba(name, b.width, b.height, pixelsOf(b));
    });
  } catch (e) {
    set.free();
    throw e;
  } finally {
    for (const b of bitmaps) b.close();
  }
  return provide_bundled_photos(set);
}

/** Starts fetching and decoding the bundled photos (once the wasm module is loaded). */
export function startBundledPhotos() {
  ready = load().catch((e) => {
    console.warn(`bundled photos: decoding them in wasm instead (${e?.message ?? e})`);
    return false;
  });
  return ready;
}

/** Resolves (true: handed over) once the bundled photos are ready or have failed. */
export function bundledPhotosReady() {
  return ready;
}
