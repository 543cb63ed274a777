// Browser checks of the page's content security policy (README "Content security policy"):
// csp (the dev server's header and the page's <meta>: the whole notebook runs cell 1 with no
// violation, and injected inline script, handlers, styles and javascript: URLs are refused)
// and csp-meta (the <meta> alone, as on a static host that sets no headers, in the embed
// view). Same contract as checks.mjs. `watchPage` is shared with hostile.mjs.

import { assert, gpuKey } from "./helpers.mjs";
import { pagePolicy, serve } from "./server.mjs";

const RUN_MS = 120_000;

/**
 * Before the page's own scripts run: records `securitypolicyviolation` events
 * (window.__csp) and the state of Object.prototype (to tell a polluted one), and collects
 * the console's CSP reports (page.cspConsole). Call once per page, before the first goto.
 */
export async function watchPage(page) {
  page.cspConsole = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspConsole.push(m.text());
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`.trim());
    });
    const names = (o) => Object.getOwnPropertyNames(o).sort().join(",");
    const { toString, hasOwnProperty } = Object.prototype;
    window.__pristine = () => names(Object.prototype) === window.__protoNames
      && names(Array.prototype) === window.__arrayNames
      && Object.prototype.toString === toString
      && Object.prototype.hasOwnProperty === hasOwnProperty
      && ({}).polluted === undefined && [].polluted === undefined
      && Object.getPrototypeOf({}) === Object.prototype;
    window.__protoNames = names(Object.prototype);
    window.__arrayNames = names(Array.prototype);
  });
}

/** The violations the page reported so far (events and console lines). */
export async function violations(page) {
  const events = await page.evaluate(() => window.__csp);
  return [...events, ...page.cspConsole];
}

/** Waits until cell 1 has finished its run (throws with its error otherwise). */
async function cellOneFinished(page) {
  await page.waitForFunction(
    () => ["finished", "error", "unavailable"].includes(document.body.dataset.state),
    null, { timeout: RUN_MS, polling: 100 },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  assert(state === "finished", `cell 1 ended in state ${state}: `
    + `${await page.locator("#error").textContent()}`);
}

/** A same-origin script (allowed) that evaluates strings: eval and Function must throw. */
const EVAL_PROBE = `for (const [name, run] of [["eval", () => window.eval("1 + 1")],
  ["Function", () => new Function("return 2")()]]) {
  try { run(); window.__evals[name] = "ran"; } catch (e) { window.__evals[name] = e.name; }
}`;

/**
 * Injects, the way a hole in the page would: an inline <script>, an <img onerror> handler,
 * an inline <style>, a javascript: link clicked, and a string evaluated (eval and Function,
 * from a script of the page's own origin: the devtools' evaluate is exempt); returns what
 * ran and the violations reported for it.
 */
async function inject(page) {
  await page.route("**/csp-eval-probe.js", (route) => route.fulfill({
    contentType: "text/javascript", body: EVAL_PROBE }));
  const before = (await page.evaluate(() => window.__csp.length));
  await page.evaluate(() => {
    window.__evals = {};
    const mark = (what) => `window.__injected = (window.__injected ?? '') + '${what} '`;
    const add = (tag, props, attrs = {}, parent = document.body) => {
      const el = Object.assign(document.createElement(tag), props);
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      parent.append(el);
      return el;
    };
    add("script", { src: "csp-eval-probe.js" });
    add("script", { textContent: mark("script") });
    add("img", { src: "data:," }, { onerror: mark("img") });
    add("style", { textContent: "body { visibility: hidden !important }" }, {}, document.head);
    add("a", { href: `javascript:void(${mark("url")})` }).click();
  });
  // five refusals: the eval probe's, script, handler, style and URL
  await page.waitForFunction((n) => window.__csp.length >= n && "Function" in window.__evals,
    before + 5, { timeout: 10_000, polling: 50 }).catch(() => {});
  const after = await page.evaluate(() => ({
    injected: window.__injected ?? null,
    hidden: getComputedStyle(document.body).visibility === "hidden",
    reports: window.__csp,
    evals: window.__evals,
  }));
  return { ...after, reported: after.reports.slice(before) };
}

/** Asserts that every injection of `inject` was refused and reported. */
function assertRefused(result) {
  assert(result.injected === null, `injected code ran: ${result.injected}`);
  assert(!result.hidden, "an injected inline <style> applied");
  const { evals } = result;
  assert(evals.eval === "EvalError" && evals.Function === "EvalError",
    `a string was evaluated: ${JSON.stringify(evals)}`);
  const directives = result.reported.map((r) => r.split(" ")[0]);
  for (const want of ["script-src-elem", "script-src-attr", "style-src-elem", "script-src"]) {
    assert(directives.includes(want), `no ${want} violation reported: ${result.reported}`);
  }
  assert(result.reported.length >= 5, `only ${result.reported.length} violations reported: `
    + `${JSON.stringify(result.reported)}`);
}

/** Loads `url`, runs cell 1 and checks the policy held with no violation, then injects. */
async function underPolicy(page, url) {
  await watchPage(page);
  const workers = [];
  page.on("response", (r) => {
    if (r.url().endsWith("/www/worker.js")) workers.push(r.headers()["content-security-policy"]);
  });
  const response = await page.goto(url);
  await cellOneFinished(page);
  const clean = await violations(page);
  assert(clean.length === 0, `the page broke its own policy: ${JSON.stringify(clean)}`);
  assert(await page.evaluate(() => window.__pristine()), "Object.prototype changed");
  const meta = await page.evaluate(() => document.querySelector(
    "meta[http-equiv='Content-Security-Policy']")?.content ?? null);
  const result = await inject(page);
  // the refusals just provoked are expected console errors, not the page's problems
  const problems = page.problems();
  const kept = problems.filter((p) => !/Content Security Policy/i.test(p));
  problems.splice(0, problems.length, ...kept);
  assertRefused(result);
  return { response, meta, result, workers };
}

export const securityChecks = {
  async csp({ page, mode, base, root }) {
    const { response, meta, result, workers } = await underPolicy(page,
      `${base}/?preset=planted${gpuKey(mode)}`);
    const policy = await pagePolicy(root);
    assert(meta && meta === policy, `the page's <meta> policy is ${meta}`);
    for (const directive of ["script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'",
      "base-uri 'none'", "default-src 'self'"]) {
      assert(meta.includes(directive), `the policy lacks ${directive}: ${meta}`);
    }
    assert(!meta.includes("unsafe-inline"), `the policy allows inline code: ${meta}`);
    const header = response.headers()["content-security-policy"];
    assert(header === meta, `the server's header ${header} differs from the <meta> ${meta}`);
    // the <meta> does not reach the compute worker; the header does
    assert(workers.length === 1 && workers[0] === meta,
      `the worker's script came with the policies ${JSON.stringify(workers)}`);
    const backend = (await page.locator("#backend").textContent()) ?? "";
    const want = mode === "webgpu" ? /^WebGPU: / : /^CPU \(/;
    assert(want.test(backend), `backend notice "${backend}" does not match ${want}`);
    return { summary: `cell 1 ran (${backend.split(":")[0].split(" (")[0]}) with 0 violations; `
      + `${result.reported.length} violation reports for the injections` };
  },

  async "csp-meta"({ page, mode, root }) {
    // a static host that sends no header: the <meta> alone, in the embed view
    const bare = await serve(root, { header: false });
    try {
      const { response, result } = await underPolicy(page,
        `${bare.url}/?preset=planted&embed=stepwise${gpuKey(mode)}`);
      assert(!response.headers()["content-security-policy"], "the bare server sent a header");
      return { summary: `embed under the <meta> alone: 0 violations, `
        + `${result.reported.length} violation reports for the injections` };
    } finally {
      await bare.close();
    }
  },
};
