// A controls form <-> a run configuration object (dotted keys in data-key attributes).
// The first cell's form is #controls; other cells pass theirs.

import { $ } from "./ui.js";

/** Keys whose blank field means null (chosen automatically), also nested (`run.lr`). */
const AUTO_KEYS = ["lr", "steps"];

function isAuto(key) {
  return AUTO_KEYS.includes(key.split(".").pop());
}

function getKey(obj, key) {
  return key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setKey(obj, key, value) {
  const parts = key.split(".");
  const last = parts.pop();
  const node = parts.reduce((o, k) => (o[k] ??= {}), obj);
  node[last] = value;
}

function fields(form) {
  return (form ?? $("controls")).querySelectorAll("[data-key]");
}

/** 1e-7 rather than 1e-7's decimal expansion; other values as JavaScript prints them. */
function formatNumber(v) {
  return typeof v === "number" && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** Shows `config` in the form (#controls unless given). */
export function fillForm(config, form = null) {
  for (const el of fields(form)) {
    const v = getKey(config, el.dataset.key);
    if (el.type === "checkbox") el.checked = Boolean(v);
    else el.value = v == null ? "" : formatNumber(v);
  }
}

/**
 * A copy of `base` with the form's values; throws an Error naming the field when a number
 * does not parse (the wasm side checks ranges). The form is #controls unless given.
 */
export function readForm(base, form = null) {
  const cfg = structuredClone(base);
  for (const el of fields(form)) {
    const key = el.dataset.key;
    let v;
    if (el.type === "checkbox") v = el.checked;
    else if (el.tagName === "SELECT") v = el.value;
    else {
      const text = el.value.trim();
      if (text === "" && isAuto(key)) v = null;
      else {
        v = Number(text);
        if (text === "" || !Number.isFinite(v)) {
          throw new Error(`\`${key}\`: "${text.slice(0, 40)}" is not a finite number`
            + (isAuto(key) ? " (leave it blank for auto)" : ""));
        }
      }
    }
    setKey(cfg, key, v);
  }
  // each crop is cut from a base patch at least as large
  const data = cfg.dataset ?? cfg.run?.dataset;
  if (data && data.crop > data.base) data.base = Math.min(data.crop, 64);
  return cfg;
}

/** Fills `select` with "(custom)" and every preset; `pick(preset)` runs when one is chosen. */
export function presetOptions(select, presets, pick) {
  select.replaceChildren(new Option("(custom)", ""));
  for (const p of presets) select.append(new Option(`${p.name}: ${p.description}`, p.name));
  select.addEventListener("change", () => {
    const p = presets.find((q) => q.name === select.value);
    if (p) pick(p);
  });
}

/** Shows in `select` the preset that the form's configuration equals, if any. */
export function matchPreset(select, presets, base, form = null) {
  let json = null;
  try {
    json = JSON.stringify(readForm(base, form));
  } catch {
    // an unfinished number: no preset matches
  }
  const same = presets.find((p) => JSON.stringify(p.config) === json);
  select.value = same ? same.name : "";
}
