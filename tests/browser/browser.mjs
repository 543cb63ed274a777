// The system Chromium (never a downloaded one) with a fresh profile, per test mode.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const BASE_ARGS = [
  "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];

/** A browser for `mode` ("webgpu" or "fallback"); pages record their errors and dialogs. */
export async function launch(mode) {
  const profile = mkdtempSync(join(tmpdir(), "stepwise-chromium-"));
  const args = [...BASE_ARGS, ...(mode === "webgpu" ? WEBGPU_ARGS : [])];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 2,
    acceptDownloads: true,
  });
  return {
    async newPage(label) {
      const page = await context.newPage();
      const problems = [];
      page.dialogs = [];
      page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
      });
      page.on("dialog", async (d) => {
        page.dialogs.push(`${d.type()}: ${d.message()}`);
        await d.dismiss().catch(() => {});
      });
      page.problems = () => problems;
      page.label = label;
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
