// Browser checks of the deep cell forced onto WebGPU (`deep.backend=gpu`: the deep cell
// alone, cell 1 keeps the page's automatic choice). In the webgpu mode (SwiftShader) each
// loss's small preset runs STEPS steps on the GPU and every tracked number is compared with
// the native CLI's CPU run of the same preset (`stepwise run PRESET --set steps=STEPS`);
// `deep-gpu-loss` destroys the device mid-run and checks that the run finishes on the CPU at
// the same step (the engine's one GPU-loss policy). In the fallback mode there is no adapter:
// the forced cell runs on the CPU and says why.

import { assert, linkReady } from "./helpers.mjs";
import { nativeResult } from "./native.mjs";
import { waitCell, runToEnd } from "./mlp.mjs";
import { withinTolerance, TOLERANCE } from "./deep.mjs";

const STEPS = 10;
/** Largest |Δ| / max(1, |CLI value|) between the page's WebGPU run and the CLI's CPU run
 * over every record of STEPS steps (loss, embedding and hidden eigenvalues, probes, RankMe).
 * WebGPU sums in another order than the CPU (register tiles, chunked weight gradients,
 * two-pass batch statistics); measured on SwiftShader: 2.0e-5 (Barlow Twins), 1.9e-4
 * (SimCLR), 2.8e-5 (VICReg). The CPU fallback compares at deep.mjs's TOLERANCE.cpu. */
const GPU_TOLERANCE = { loss: 2e-3, readout: 2e-3 };
/** Each loss's CPU-sized preset (its own small projector layer, docs/deep.md §1). */
const PRESETS = ["resnet-bt-small", "resnet-simclr-small", "resnet-vicreg-small"];
const RUN_MS = 90_000;

/** The deep cell's result JSON. */
async function result(page) {
  const text = await page.evaluate(() => window.stepwise.exportOf("deep", "json"));
  assert(text, "the deep cell has no result");
  return JSON.parse(text);
}

/** Opens the page with the deep cell on `preset` for `steps` steps, forced onto WebGPU. */
async function open(page, base, preset, steps) {
  await page.goto(`${base}/?preset=planted&deep.preset=${preset}&deep.steps=${steps}`
    + "&deep.backend=gpu");
  assert((await waitCell(page, "deep", ["idle"])) === "idle", "the deep cell did not wait");
}

async function backendNotice(page) {
  return (await page.locator("#deep-backend").textContent()) ?? "";
}

/** Runs `preset` on the forced backend; returns what the page and the CLI differ by. */
async function compare(ctx, preset) {
  const { page, base, mode, root } = ctx;
  await open(page, base, preset, STEPS);
  const started = Date.now();
  await runToEnd(page, "deep");
  const seconds = (Date.now() - started) / 1000;
  const notice = await backendNotice(page);
  const want = mode === "webgpu" ? /^WebGPU: / : /^CPU \(.*(no adapter|WebGPU)/i;
  assert(want.test(notice), `${preset}: the backend notice "${notice}" does not match ${want}`);
  const [web, cli] = [await result(page), await nativeResult(root, preset, [`steps=${STEPS}`])];
  assert(web.records.at(-1).step === STEPS, `${preset}: stopped at ${web.records.at(-1).step}`);
  assert(web.data_digest === cli.data_digest, `${preset}: the page drew other data`);
  const limits = mode === "webgpu" ? GPU_TOLERANCE : TOLERANCE.cpu;
  const gaps = withinTolerance(web, cli, limits, preset);
  return `${preset} ${web.backend} ${seconds.toFixed(1)} s, max rel |Δ| loss `
    + `${gaps.loss.gap.toExponential(1)}, read-outs ${gaps.readout.gap.toExponential(1)}`;
}

export const deepGpuChecks = {
  async "deep-gpu"(ctx) {
    const rows = [];
    for (const preset of PRESETS) rows.push(await compare(ctx, preset));
    // the cell's link keeps its own backend key, and only for the cell
    const { page } = ctx;
    await page.click("#deep-copy-link");
    await linkReady(page);
    const link = await page.locator("#deep-share-url").inputValue();
    assert(/[?&]deep\.backend=gpu(&|$)/.test(link) && !/[?&]backend=/.test(link),
      `the link: ${link}`);
    return { summary: rows.join("; ") };
  },

  async "deep-gpu-loss"({ page, base, mode, root }) {
    const steps = 30;
    await open(page, base, "resnet-bt-small", steps);
    await page.click("#deep-run");
    await page.waitForFunction(() => {
      const p = window.stepwise.deepCell.session?.progress;
      return p && p.step >= 5 && !p.finished;
    }, null, { timeout: RUN_MS, polling: 20 });
    const lost = await page.evaluate(() => window.stepwise.call("deep", "simulate_gpu_loss"));
    assert(lost === (mode === "webgpu"), `simulate_gpu_loss() says ${lost} in ${mode} mode`);
    assert((await waitCell(page, "deep", ["finished", "error"], RUN_MS)) === "finished",
      `the run did not finish: ${await page.locator("#deep-error").textContent()}`);
    const web = await result(page);
    const cli = await nativeResult(root, "resnet-bt-small", [`steps=${steps}`]);
    assert(web.backend === "cpu-f32" && web.records.at(-1).step === steps,
      `the run ended on ${web.backend} at step ${web.records.at(-1).step}`);
    const notice = await backendNotice(page);
    if (lost) {
      const why = web.backend_choice.why;
      assert(why.kind === "gpu_lost" && why.step >= 5 && why.step < steps,
        `backend_choice.why: ${JSON.stringify(why)}`);
      assert(/^CPU \(the GPU stopped at step \d+: .*on the CPU/.test(notice),
        `after the device loss the notice is "${notice}"`);
    }
    // every record is the CPU's (it replayed the GPU's steps): the wasm CPU's tolerance
    const gaps = withinTolerance(web, cli, TOLERANCE.cpu, "after the loss");
    return { summary: `${notice.slice(0, 70)}…; page vs CLI loss ${gaps.loss.gap.toExponential(1)}` };
  },
};
