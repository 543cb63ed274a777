// Browser checks of cell 1's "your own images": upload (PNGs made here, a text file),
// the run on them, share links of such a run, going back to the built-in photos, and bad
// input (hostile `data=` values, images too small), dropping files and picking a folder.
// Same contract as checks.mjs.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { assert, expectDrawn, linkReady } from "./helpers.mjs";
import { maxEigenGap, nativeResult } from "./native.mjs";
import { texture } from "./png.mjs";

const RUN_MS = 180_000;
/** Small runs: the small preset with fewer pairs. */
const QUERY = "?preset=small&dataset.n=120";
const IDLE = /drop images on this cell: they stay on this machine/;

const PNGS = [
  { name: "gradient-a.png", mimeType: "image/png", buffer: texture(64, 64, 0) },
  { name: "gradient-b.png", mimeType: "image/png", buffer: texture(80, 48, 2) },
];
const TEXT = { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not an image\n") };

/** Waits until the first cell has finished a run with `local` of the visitor's images. */
async function waitRun(page, local) {
  await page.waitForFunction((local) => document.body.dataset.state === "error"
      || (window.stepwise.localImages() === local && document.body.dataset.state === "finished"),
  local, { timeout: RUN_MS, polling: 100 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== "finished") {
    throw new Error(`the run ended in state ${state}: ${await page.locator("#error").textContent()}`);
  }
  const text = await page.evaluate(() => window.stepwise.resultJson());
  return JSON.parse(text);
}

/** The CLI's run on the same PNG files (`--images`, same order): the browser decoded them
 * to exactly the CLI's data; returns the largest eigenvalue gap. */
async function sameAsCli(root, local) {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-cli-images-"));
  try {
    const files = PNGS.map((p) => {
      const path = join(dir, p.name);
      writeFileSync(path, p.buffer);
      return path;
    });
    const native = await nativeResult(root, "small", ["dataset.n=120"],
      files.flatMap((f) => ["--images", f]));
    assert(native.local_images === 2 && native.data_digest === local.data_digest,
      `CLI --images: digest ${native.data_digest} (${native.local_images} images), `
      + `page ${local.data_digest}`);
    const gap = maxEigenGap(local, native);
    assert(gap <= 5e-3, `page vs CLI on the same images: max |Δλ| ${gap}`);
    return gap;
  } finally {
    rmSync(dir, { force: true, recursive: true });
  }
}

/** Cell 7's comparison on cell 1's data (same preset, n and seeds), kept short. */
const APPG_QUERY = "appg.run.dataset.n=120&appg.run.steps=300&appg.eta=equal"
  + "&hidden.preset=mlp-small-bt&hidden.steps=200";

/** Runs cell `id` (its Run button) and waits until it finished or failed. */
async function runCell(page, id) {
  await page.locator(`#cell-${id}`).scrollIntoViewIfNeeded();
  await page.click(`#${id}-run`);
  await page.waitForFunction((id) => ["finished", "error"].includes(
    document.getElementById(`cell-${id}`).dataset.state), id, { timeout: RUN_MS, polling: 100 });
}

/** The notice under cell `id`'s Run button says its data are the 2 uploaded images, and its
 * embed link notes `data=local`. */
async function expectLocalNotes(page, id) {
  const notice = await text(page, `#${id}-backend`);
  assert(/ · data: patches of 2 of your own images$/.test(notice), `${id} notice: ${notice}`);
  await page.click(`#${id}-embed`);
  await linkReady(page);
  const link = await page.locator(`#${id}-share-url`).inputValue();
  assert(new URL(link).searchParams.get("data") === "local", `${id} embed link: ${link}`);
}

/** Runs cell 7 while the visitor's images are in use: its patches come from them too (the
 * same Γ as cell 1's run `local`), it says so, and its embed link notes `data=local`. */
async function appgOnLocal(page, local) {
  await runCell(page, "appg");
  const r = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("appg", "json")));
  assert(r.local_images === 2, `App. G result records local_images = ${r.local_images}`);
  const gap = Math.abs(r.gamma_1 - local.gamma_top[0]);
  assert(gap <= 1e-6 * local.gamma_top[0], `App. G γ₁ ${r.gamma_1} is not cell 1's ${local.gamma_top[0]}`);
  await expectLocalNotes(page, "appg");
  return `γ₁ ${r.gamma_1.toFixed(4)}, ${r.rows.length} rows`;
}

/** Runs the hidden-representation (MLP) cell on the uploaded images. */
async function hiddenOnLocal(page) {
  await runCell(page, "hidden");
  const r = JSON.parse(await page.evaluate(() => window.stepwise.exportOf("hidden", "json")));
  assert(r.local_images === 2, `the MLP result records local_images = ${r.local_images}`);
  assert(r.records.length > 1 && r.records.every((q) => Number.isFinite(q.loss)),
    "the MLP run on local images has no finite records");
  await expectLocalNotes(page, "hidden");
  return `MLP ${r.records.length} records`;
}

/** Picks `files` with the image picker and waits until the upload was used or rejected. */
async function upload(page, files) {
  await page.evaluate(() => delete document.body.dataset.upload);
  await page.setInputFiles("#local-files", files);
  await page.waitForFunction(() => ["used", "rejected"].includes(document.body.dataset.upload),
    null, { timeout: 30_000 });
  return page.evaluate(() => document.body.dataset.upload);
}

/** Drops `file` on the first cell, as a drag from the desktop would. */
async function drop(page, file) {
  await page.evaluate(() => delete document.body.dataset.upload);
  await page.evaluate(({ name, mimeType, bytes }) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType }));
    const zone = document.getElementById("cell-stepwise");
    for (const type of ["dragover", "drop"]) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, { name: file.name, mimeType: file.mimeType, bytes: [...file.buffer] });
  await page.waitForFunction(() => ["used", "rejected"].includes(document.body.dataset.upload),
    null, { timeout: 30_000 });
  return page.evaluate(() => document.body.dataset.upload);
}

/** Sets the configuration's base patch side (no form field) and presses Run. */
async function runWithBase(page, side) {
  await page.evaluate((side) => {
    window.stepwise.cell.config.dataset.base = side;
    window.stepwise.cell.dirty = true;
  }, side);
  await page.click("#run");
}

function text(page, selector) {
  return page.locator(selector).textContent().then((t) => t ?? "");
}

function finiteResult(r) {
  const numbers = [...r.gamma_top, ...r.theory.tau,
    ...r.records.flatMap((rec) => [rec.loss, ...rec.eigenvalues])];
  return numbers.length > 0 && numbers.every(Number.isFinite);
}

function sameNumbers(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The text file alone: a message, and the dataset and result as they were. */
async function rejectText(page, before) {
  const outcome = await upload(page, [TEXT]);
  assert(outcome === "rejected", `the text file was ${outcome}`);
  const error = await text(page, "#error");
  assert(/Your images were not used: none of the 1 files is a usable image \(notes\.txt: not an image/
    .test(error) && /built-in photos/.test(error), `message for the text file: ${error}`);
  assert(IDLE.test(await text(page, "#local-status")), "the status claims images in use");
  assert(!(await page.locator("#local-clear").isVisible()), "the back button shows");
  const again = JSON.parse(await page.evaluate(() => window.stepwise.resultJson()));
  assert(JSON.stringify(again) === JSON.stringify(before), "the result changed");
  assert(await page.evaluate(() => document.body.dataset.state) === "finished",
    "the run did not stay finished");
}

/** Opens `link` in a new page: a notice, and the default data. */
async function openLink(browser, link, builtIn) {
  const other = await browser.newPage("upload: opened link");
  try {
    await other.goto(link);
    const result = await waitRun(other, 0);
    const notices = await other.locator("#notice-list li").allTextContents();
    assert(notices.length === 1 && /ran it on their own images, which cannot travel in a link/
      .test(notices[0]), `notices of the opened link: ${JSON.stringify(notices)}`);
    assert(result.local_images === undefined && result.data_digest === builtIn.data_digest,
      "the opened link does not run on the built-in photos");
    assert(IDLE.test(await text(other, "#local-status")), "the opened link claims local images");
    return other;
  } catch (e) {
    other.problems().forEach((p) => console.error(`     upload (opened link): ${p}`));
    await other.close();
    throw e;
  }
}

export const uploadChecks = {
  async upload({ page, mode, base, outDir, browser, root }) {
    await page.goto(`${base}/${QUERY}&${APPG_QUERY}`);
    const builtIn = await waitRun(page, 0);
    assert(builtIn.local_images === undefined, "the built-in run records local images");
    assert(IDLE.test(await text(page, "#local-status")), "no idle status next to the picker");
    await rejectText(page, builtIn);

    const outcome = await upload(page, [...PNGS, TEXT]);
    assert(outcome === "used", `the PNGs were ${outcome}: ${await text(page, "#error")}`);
    const local = await waitRun(page, 2);
    const status = await text(page, "#local-status");
    assert(status === "Using 2 of your images (stays on this machine)", `status: ${status}`);
    const skipped = await text(page, "#local-skipped");
    assert(/^Skipped: notes\.txt: not an image/.test(skipped), `skipped: ${skipped}`);
    assert(local.local_images === 2, `the result records local_images = ${local.local_images}`);
    assert(finiteResult(local), "the run on local images has non-finite numbers");
    assert(local.data_digest !== builtIn.data_digest, "the data did not change");
    assert(!sameNumbers(local.gamma_top, builtIn.gamma_top)
      && !sameNumbers(local.theory.tau, builtIn.theory.tau),
    "Γ's eigenvalues and the step times are those of the built-in photos");
    await expectDrawn(page);
    await page.screenshot({ path: join(outDir, `upload-${mode}-local.png`), fullPage: true });
    const cliGap = await sameAsCli(root, local);

    await page.click("#copy-link");
    await linkReady(page);
    const link = await page.locator("#share-url").inputValue();
    assert(new URL(link).searchParams.getAll("data").join() === "local", `link: ${link}`);
    const other = await openLink(browser, link, builtIn);
    await other.locator("#notices").screenshot({ path: join(outDir, `upload-${mode}-link.png`) });
    other.problems().forEach((p) => console.error(`     upload (opened link): ${p}`));
    await other.close();
    const appg = await appgOnLocal(page, local);
    await page.locator("#cell-appg").screenshot({ path: join(outDir, `upload-${mode}-appg.png`) });
    const hidden = await hiddenOnLocal(page);

    await page.click("#local-clear");
    const back = await waitRun(page, 0);
    assert(back.data_digest === builtIn.data_digest && sameNumbers(back.gamma_top, builtIn.gamma_top),
      "Back to the built-in photos did not give the built-in data");
    assert(!(await page.locator("#local-clear").isVisible()), "the back button stays");
    await page.click("#copy-link");
    await linkReady(page);
    const plain = await page.locator("#share-url").inputValue();
    assert(!plain.includes("data="), `the link still notes local images: ${plain}`);
    return {
      summary: `γ₁ ${builtIn.gamma_top[0].toFixed(4)} built-in vs ${local.gamma_top[0].toFixed(4)} `
        + `on 2 uploaded PNGs (CLI --images: same data, max |Δλ| ${cliGap.toExponential(2)}); `
        + `link notes data=local; App. G on them: ${appg}; ${hidden}`,
    };
  },

  async "upload-hostile"({ page, mode, base, outDir }) {
    const bad = encodeURIComponent("<img src=x onerror=window.__pwned=1>");
    await page.goto(`${base}/${QUERY}&data=${bad}&data=local`);
    const builtIn = await waitRun(page, 0);
    const notices = await page.locator("#notice-list li").allTextContents();
    assert(notices.length === 2 && notices[0].startsWith("ignored data = <img src=x")
      && /own images/.test(notices[1]), `notices: ${JSON.stringify(notices)}`);
    const injected = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll("#notices img").length,
    }));
    assert(injected.pwned === null && injected.elements === 0, "markup from the URL ran");
    // an image smaller than the base patch (12 px for the small preset): rejected
    const tiny = { name: "tiny.png", mimeType: "image/png", buffer: texture(8, 30, 1) };
    assert((await upload(page, [tiny])) === "rejected", "the tiny image was used");
    const error = await text(page, "#error");
    assert(/tiny\.png: 8x30 px is smaller than the base patch \(12 px a side\)/.test(error),
      `message for the tiny image: ${error}`);
    // both PNGs, then a base patch of 50 px: the 80x48 one is left out of the run
    assert((await upload(page, PNGS)) === "used", "the PNGs were not used");
    assert((await waitRun(page, 2)).local_images === 2, "the run does not use both PNGs");
    await runWithBase(page, 50);
    const one = await waitRun(page, 1);
    assert(one.local_images === 1 && one.data_digest !== builtIn.data_digest,
      "the run on one image is wrong");
    const status = await text(page, "#local-status");
    assert(status === "Using 1 of your 2 images (stays on this machine)", `status: ${status}`);
    const left = await text(page, "#local-skipped");
    assert(/smaller than the base patch \(50 px a side\): gradient-b\.png$/.test(left),
      `left out: ${left}`);
    // at base 50, the 80x48 image alone is rejected on upload; the two stay in use
    assert((await upload(page, [PNGS[1]])) === "rejected", "the 80x48 image was used at base 50");
    assert(/80x48 px is smaller than the base patch \(50 px a side\)[^]*your previous images/
      .test(await text(page, "#error")), `error: ${await text(page, "#error")}`);
    assert(await page.evaluate(() => window.stepwise.localImages()) === 1, "the run changed");
    // the 80x48 image alone at base 12, then base 50: no usable image, an error
    await runWithBase(page, 12);
    await waitRun(page, 2);
    assert((await upload(page, [PNGS[1]])) === "used", "the 80x48 image was not used");
    await waitRun(page, 1);
    await runWithBase(page, 50);
    await page.waitForFunction(() => document.body.dataset.state === "error", null,
      { timeout: 30_000 });
    const tooSmall = await text(page, "#error");
    assert(/none of your 1 images is at least 50 px a side/.test(tooSmall), `error: ${tooSmall}`);
    await page.screenshot({ path: join(outDir, `upload-${mode}-hostile.png`), fullPage: true });
    assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
    return { summary: `${notices.length} notices; tiny image and base 50 rejected with messages` };
  },

  async "upload-drop"({ page, mode, base, outDir }) {
    await page.goto(`${base}/${QUERY}`);
    const builtIn = await waitRun(page, 0);
    assert((await drop(page, PNGS[0])) === "used", `the dropped PNG: ${await text(page, "#error")}`);
    const dropped = await waitRun(page, 1);
    assert(dropped.data_digest !== builtIn.data_digest, "the dropped image gave the built-in data");
    // a folder: its two images are used, its text file skipped (named with its path)
    const dir = mkdtempSync(join(tmpdir(), "stepwise-upload-"));
    try {
      for (const f of [...PNGS, TEXT]) writeFileSync(join(dir, f.name), f.buffer);
      await page.evaluate(() => delete document.body.dataset.upload);
      await page.setInputFiles("#local-folder", dir);
      await page.waitForFunction(() => document.body.dataset.upload === "used", null,
        { timeout: 30_000 });
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
    const two = await waitRun(page, 2);
    assert(two.data_digest !== dropped.data_digest && two.data_digest !== builtIn.data_digest,
      "the folder's images gave old data");
    const skipped = await text(page, "#local-skipped");
    assert(/^Skipped: stepwise-upload-\w+\/notes\.txt: not an image/.test(skipped),
      `skipped: ${skipped}`);
    await page.locator("#local-images").screenshot({ path: join(outDir, `upload-${mode}-folder.png`) });
    return { summary: "a dropped image, then a folder of two images and a text file" };
  },
};
