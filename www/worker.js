// The compute worker: the wasm module (www/pkg, built by ./scripts/run), its sessions, wgpu
// and the drawing run here, off the page's main thread. Requests from the page (compute.js)
// are handled ONE AT A TIME in arrival order (a queue: no request starts before the one
// before it has replied), each by the module's Host (src/web/host.rs). The bundled photos
// and the visitor's uploads are decoded here too (createImageBitmap, then an
// OffscreenCanvas's getImageData) and handed to the Host as RGBA bytes.

import init, { Host } from "./pkg/stepwise.js";

const DATA = new URL("./data/", import.meta.url);

/** RGBA bytes of a decoded image, drawn unscaled. */
function pixelsOf(bitmap) {
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** {width, height, rgba} of a Blob (a fetched PNG, a visitor's File), pixels as stored. */
async function decode(blob) {
  const bitmap = await createImageBitmap(blob, {
    premultiplyAlpha: "none", colorSpaceConversion: "none",
  });
  try {
    return { width: bitmap.width, height: bitmap.height, rgba: pixelsOf(bitmap) };
  } finally {
    bitmap.close();
  }
}

/** The bundled photos (www/data/manifest.txt), decoded; rejects if any fails. */
async function bundledPhotos() {
  const manifest = await fetch(new URL("manifest.txt", DATA));
  if (!manifest.ok) throw new Error(`manifest.txt: HTTP ${manifest.status}`);
  const files = (await manifest.text()).split(/\s+/).filter((f) => f.endsWith(".png"));
  return Promise.all(files.map(async (file) => {
    const response = await fetch(new URL(file, DATA));
    if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
    return { name: file.replace(/\.png$/, ""), ...(await decode(await response.blob())) };
  }));
}

/** One of the visitor's files as the Host checks it: its name and size, and its pixels or
 * why it could not be decoded. */
async function localFile(file) {
  const name = String(file.webkitRelativePath || file.name).slice(0, 200);
  try {
    return { name, bytes: file.size, status: "decoded", ...(await decode(file)) };
  } catch (e) {
    return { name, bytes: file.size, status: "not_an_image", reason: e?.message ?? String(e) };
  }
}

/** The reply of a failed request. */
function errorReply(e) {
  if (e && typeof e === "object" && e.type === "error") return e;
  return { type: "error", kind: e?.kind ?? "protocol", message: e?.message ?? String(e) };
}

/** What a reply moves to the page instead of copying: its bitmap or its bytes. */
function transferOf(reply) {
  if (reply?.bitmap) return [reply.bitmap];
  if (reply?.bytes?.buffer) return [reply.bytes.buffer];
  return [];
}

// the photos are fetched and decoded while the module compiles; the host takes them before
// any request of the page (the wasm module has no copy of them: data::photos)
const photos = bundledPhotos();
photos.catch(() => {});
const started = init().then(async () => {
  const host = new Host();
  // while the photos download and decode: a small run through fig1's code, so that the
  // engine optimizes it before the page's first run (docs/architecture.md, "Warm-up")
  host.warmUp();
  try {
    const images = await photos;
    await host.handle({ type: "bundled_photos", images });
  } catch (e) {
    // runs on the bundled photos then fail with a message saying so (the module does not
    // carry the PNGs); synthetic data and the visitor's own images still work
    console.warn(`bundled photos: not loaded (${e?.message ?? e})`);
  }
  return host;
});

/** The page's requests not yet handled, in arrival order. */
const queue = [];
let busy = false;

async function handle(host, request) {
  if (request.type === "local_photos") {
    const files = [];
    for (const file of request.files ?? []) files.push(await localFile(file));
    return host.handle({ ...request, files });
  }
  return host.handle(request);
}

async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const request = queue.shift();
    let reply;
    let t0 = performance.now();
    try {
      const host = await started;
      t0 = performance.now();
      reply = await handle(host, request);
    } catch (e) {
      reply = errorReply(e);
    }
    // the time the request took here (the page paces its redraws by a figure's cost)
    reply = { ...reply, seq: request.seq, worker_ms: performance.now() - t0 };
    try {
      postMessage(reply, transferOf(reply));
    } catch (e) {
      postMessage({ ...errorReply(e), seq: request.seq });
    }
  }
  busy = false;
}

addEventListener("message", ({ data }) => {
  queue.push(data);
  drain();
});
