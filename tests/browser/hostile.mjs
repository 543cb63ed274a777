// The hostile-URL corpus (issue 17 §4): share links built to break the page, across every
// cell's keys (cell 1's plain keys; init., symmetry., mlp., hidden., appg., deep., probes.;
// the page keys backend, embed, data; unknown prefixes). Each case loads the page once, on
// the CPU with small presets, and asserts: cell 1 runs, another cell's Run works, the bad
// keys are named in notices, no script ran (no sentinel, no dialog, no policy violation),
// no prototype changed, and no element came from the URL. Same contract as checks.mjs.
// HOSTILE_NOTICES=1 prints every case's notices.

import { assert } from "./helpers.mjs";
import { watchPage, violations } from "./security.mjs";

const CELL_MS = 60_000;
/** The longest notice accepted: a 20k-character value is quoted in part, never whole. */
const NOTICE_MAX = 400;
const LONG = 20_000;

/** Pairs -> a query string (values percent-encoded); a string is taken as it is. */
function query(parts) {
  return parts.map((p) => (typeof p === "string" ? p
    : `${p[0]}=${encodeURIComponent(p[1])}`)).join("&");
}

const XSS_IMG = "<img src=x id=pwn onerror=window.__pwned=1>";
const XSS_SCRIPT = "\"><script id=pwn>window.__pwned=1</script>";
const XSS_SVG = "<svg id=pwn onload=window.__pwned=1>";
const JS_URL = "javascript:window.__pwned=1";

/**
 * The corpus: {name, parts (after the base keys), notice (regexes: each must match a notice),
 * other (the cell whose Run is pressed after cell 1: init unless the case is about init)}.
 */
const CASES = [
  // markup, in every cell
  { name: "markup in cell 1", parts: [["d", XSS_IMG]], notice: /^d = “<img src=x id=pwn/ },
  { name: "markup in init", parts: [["init.d", XSS_SCRIPT]], notice: /^Init comparison: d = “"><script id=pwn>/, other: "appg" },
  { name: "markup in symmetry", parts: [["symmetry.gammas", XSS_SVG]], notice: /^Symmetry breaking: ignored symmetry.gammas = <svg id=pwn/ },
  { name: "markup in mlp", parts: [["mlp.loss", "<iframe id=pwn src=javascript:alert(1)>"]], notice: /^Wide network: loss = “<iframe id=pwn/ },
  { name: "markup in hidden", parts: [["hidden.hidden_top", "<b id=pwn>bold</b>"]], notice: /^Hidden representations: hidden_top = “<b id=pwn>/ },
  { name: "markup in appg", parts: [["appg.panels", XSS_IMG]], notice: /^Can SSL learn faster\?: ignored `panels` = `<img src=x/ },
  { name: "markup in deep", parts: [["deep.lr", XSS_SCRIPT]], notice: /^Deep networks: lr = “"><script id=pwn>/ },
  { name: "markup in probes", parts: [["probes.steps", "<math id=pwn><mtext><img src=x onerror=alert(1)>"]], notice: /^Hidden representations and probes: steps = “<math id=pwn>/ },
  { name: "markup in embed", parts: [["embed", XSS_IMG]], notice: /^embed = “<img src=x id=pwn/ },
  { name: "markup in a key", parts: [[XSS_IMG, "1"]], notice: /^“<img src” is not a setting of this cell/ },
  // script URLs
  { name: "javascript: in cell 1", parts: [["dataset.kind", JS_URL]], notice: /^dataset\.kind = “javascript:/ },
  { name: "javascript: in deep and appg presets", parts: [["deep.preset", JS_URL], ["appg.preset", JS_URL]], notice: [/^Deep networks: preset = “javascript:/, /^Can SSL learn faster\?: preset = “javascript:/] },
  { name: "javascript: in data", parts: [["data", JS_URL]], notice: /^ignored data = javascript:/ },
  { name: "javascript: in embed", parts: [["embed", "javascript:alert(1)"]], notice: /^embed = “javascript:/ },
  // prototype keys
  { name: "__proto__ in cell 1", parts: [["__proto__.polluted", "1"]], notice: /^“__proto__\.polluted” is not a setting/ },
  { name: "constructor.prototype in cell 1", parts: [["constructor.prototype.polluted", "1"]], notice: /^“constructor\.prototype\.polluted” is not a setting/ },
  { name: "__proto__ in init", parts: [["init.__proto__.polluted", "1"], ["init.__proto__", "x"]], notice: /^Init comparison: .*__proto__/, other: "appg" },
  { name: "__proto__ in symmetry", parts: [["symmetry.__proto__", "polluted"], ["symmetry.constructor", "1"]], notice: [/^Symmetry breaking: ignored `symmetry\.__proto__`/, /^Symmetry breaking: ignored `symmetry\.constructor`/] },
  { name: "prototype in mlp and hidden", parts: [["mlp.__proto__.polluted", "1"], ["hidden.prototype.polluted", "1"]], notice: [/^Wide network: “__proto__\.polluted”/, /^Hidden representations: “prototype\.polluted”/] },
  { name: "__proto__ in appg variants", parts: [["appg.variants.__proto__.polluted", "1"]], notice: /^Can SSL learn faster\?: “variants\.__proto__\.polluted”/ },
  { name: "constructor in deep and probes", parts: [["deep.constructor.prototype.polluted", "1"], ["probes.__proto__", "1"]], notice: [/^Deep networks: “constructor\.prototype\.polluted”/, /^Hidden representations and probes: “__proto__”/] },
  { name: "Object's own names as keys", parts: [["toString", "1"], ["hasOwnProperty", "1"], ["valueOf", "x"]], notice: [/^“toString” is not/, /^“hasOwnProperty” is not/, /^“valueOf” is not/] },
  // repeated keys
  { name: "repeated key in cell 1", parts: [["d", "3"], ["d", "5"], ["d", "<b id=pwn>"]], notice: [/^“d” is given 3 times; read only the last \(“<b id=pwn>”\)/, /^d = “<b id=pwn>” is not a number/] },
  { name: "repeated keys in appg, mlp, symmetry", parts: [["appg.a", "0.5"], ["appg.a", "0.7"], ["mlp.width", "64"], ["mlp.width", "65"], ["symmetry.init", "1e-3"], ["symmetry.init", "<b id=pwn>"]], notice: [/^Can SSL learn faster\?: “a” is given 2 times/, /^Wide network: “width” is given 2 times/, /^Symmetry breaking: “symmetry.init” is given 2 times/] },
  { name: "repeated page keys", parts: [["backend", "gpu"], ["embed", "nope"], ["embed", "init"], ["hidden.preset", "<b id=pwn>"]], notice: [/^“backend” is given 2 times; read only the first \(“cpu”\)/, /^“embed” is given 2 times/, /^embed = “nope”/, /^Hidden representations: “preset” is given 2 times; read only the first \(“mlp-small-bt”\)/] },
  // 20k-character values
  { name: "20k digits in cell 1", parts: [["seed", "9".repeat(LONG)]], notice: /^seed = “9{40}…” is not a number/ },
  { name: "20k letters in mlp", parts: [["mlp.loss", "A".repeat(LONG)]], notice: /^Wide network: loss = “A{40}…”/ },
  { name: "20k markup in probes", parts: [["probes.preset", "<".repeat(LONG)]], notice: /^Hidden representations and probes: preset = “<{40}…”/ },
  { name: "20k-character key", parts: [[`init.${"k".repeat(LONG)}`, "1"]], notice: /^Init comparison: “k{40}…” is not a setting/, other: "appg" },
  // unicode controls
  { name: "RTL override in init", parts: ["init.preset=%E2%80%AEplanted"], notice: /^Init comparison: unknown preset `\u202eplanted`/, other: "appg" },
  { name: "NUL in symmetry", parts: ["symmetry.gammas=1%00,0.5"], notice: /^Symmetry breaking: ignored symmetry\.gammas = 1\u0000,0\.5/ },
  { name: "lone surrogate in appg", parts: ["appg.eta=%ED%A0%80"], notice: /^Can SSL learn faster\?: eta = “\ufffd+” is not one of/ },
  { name: "BOM and zero-width joiner in hidden", parts: ["hidden.seed=%EF%BB%BF1%E2%80%8D"], notice: /^Hidden representations: seed = “\ufeff1\u200d” is not a number/ },
  // numbers out of range, in every spelling
  { name: "1e309 and -0", parts: [["steps", "1e309"], ["d", "-0"]], notice: [/^steps = “1e309” is not a number/, /^d = “-0” is not a whole number/] },
  { name: "NaN and Infinity", parts: [["init_scale", "NaN"], ["lr", "Infinity"], ["init.lr", "-Infinity"]], notice: [/^init_scale = “NaN” is not a number/, /^lr = “Infinity” is not a number/, /^Init comparison: lr = “-Infinity”/] },
  { name: "hex, underscores, spaces", parts: [["mlp.width", "0x10"], ["appg.run.d", "1_000"], ["seed", " 5"]], notice: [/^Wide network: width = “0x10” is not a number/, /^Can SSL learn faster\?: run\.d = “1_000” is not a number/] },
  { name: "empty and overflowing", parts: [["deep.steps", ""], ["init.d", "18446744073709551616"], ["hidden.lr", "1e-400"]], notice: [/^Deep networks: steps = “” is not a number/, /^Init comparison: d = “18446744073709551616”/, /^Hidden representations: lr = “1e-400” is out of range/] },
  // unknown prefixes and malformed pairs
  { name: "unknown prefixes", parts: [["kernel.x", "1"], ["linear.d", "3"], ["MLP.width", "64"], ["stepwise.d", "2"]], notice: [/^“kernel\.x” is not a setting/, /^“linear\.d” is not/, /^“MLP\.width” is not/, /^“stepwise\.d” is not/] },
  { name: "malformed pairs", parts: ["=1", "&", "==", ".=2", "a%", "%zz=1"], notice: [/^“%zz” is not a setting/, /^“a%” is not a setting/, /^“\.” is not a setting/] },
];

/** Every query gets these first: cell 1's and the MLP cells' small presets, the CPU. */
const BASE = "preset=planted&mlp.preset=mlp-small-bt&hidden.preset=mlp-small-bt&backend=cpu";

async function waitState(page, id, states) {
  await page.waitForFunction(([id, states]) => states.includes(
    document.getElementById(`cell-${id}`).dataset.state), [id, states],
  { timeout: CELL_MS, polling: 50 });
  return page.evaluate((id) => document.getElementById(`cell-${id}`).dataset.state, id);
}

/** What the page holds that a URL must never put there. */
function injected(page) {
  return page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    pristine: window.__pristine(),
    scripts: document.querySelectorAll("script").length,
    elements: [...document.querySelectorAll("#pwn, [onerror], [onload], [onclick], "
      + "[onmouseover], [onfocus], [srcdoc], iframe, object, embed, base, math, marquee, "
      + "a[href^='javascript' i]")].map((e) => e.outerHTML.slice(0, 80)),
  }));
}

/** One case: load, cell 1's run, another cell's Run, then the assertions. */
async function hostileCase(page, base, c) {
  const url = `${base}/?${BASE}&${query(c.parts)}`;
  await page.goto(url);
  const first = await waitState(page, "stepwise", ["finished", "error"]);
  assert(first === "finished", `cell 1 ended in state ${first}: `
    + `${await page.locator("#error").textContent()}`);
  const other = c.other ?? "init";
  await page.locator(`#${other}-run`).scrollIntoViewIfNeeded();
  await waitState(page, other, ["idle", "done", "finished"]);
  await page.click(`#${other}-run`);
  const done = await waitState(page, other, ["done", "finished", "error"]);
  assert(done !== "error", `${other}'s Run ended in an error: `
    + `${await page.locator(`#${other}-error`).textContent()}`);
  const notices = await page.locator("#notice-list li").allTextContents();
  if (process.env.HOSTILE_NOTICES) console.log(c.name, JSON.stringify(notices.map((n) => n.slice(0, 160))));
  for (const want of [c.notice].flat()) {
    assert(notices.some((n) => want.test(n)), `no notice matches ${want}: `
      + `${JSON.stringify(notices.map((n) => n.slice(0, 120)))}`);
  }
  const long = notices.find((n) => n.length > NOTICE_MAX);
  assert(!long, `a notice of ${long?.length} characters`);
  const found = await injected(page);
  assert(found.pwned === null, "a script from the URL ran");
  assert(found.pristine, "a prototype changed");
  assert(found.scripts === 1 && found.elements.length === 0,
    `elements from the URL: ${found.scripts} scripts, ${JSON.stringify(found.elements)}`);
  assert(page.dialogs.length === 0, `dialogs opened: ${page.dialogs.join("; ")}`);
  const refused = await violations(page);
  assert(refused.length === 0, `policy violations: ${JSON.stringify(refused)}`);
  return notices.length;
}

export const hostileChecks = {
  async "hostile-urls"({ page, base }) {
    await watchPage(page);
    let notices = 0;
    const failures = [];
    for (const c of CASES) {
      try {
        notices += await hostileCase(page, base, c);
      } catch (e) {
        failures.push(`case "${c.name}": ${e.message.slice(0, 400)}`);
        await page.goto("about:blank").catch(() => {});
      }
    }
    assert(failures.length === 0, `${failures.length} of ${CASES.length} cases failed:\n`
      + failures.join("\n"));
    return { summary: `${CASES.length} hostile links: ${notices} notices, no script, `
      + "no pollution, every page usable" };
  },
};
