// The controls form <-> the run configuration object (dotted keys in data-key attributes).

import { $ } from "./ui.js";

/** Keys whose blank field means null (chosen automatically). */
const AUTO_KEYS = ["lr", "steps"];

function getKey(obj, key) {
  return key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setKey(obj, key, value) {
  const parts = key.split(".");
  const last = parts.pop();
  const node = parts.reduce((o, k) => (o[k] ??= {}), obj);
  node[last] = value;
}

function fields() {
  return $("controls").querySelectorAll("[data-key]");
}

/** 1e-7 rather than 1e-7's decimal expansion; other values as JavaScript prints them. */
function formatNumber(v) {
  return typeof v === "number" && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** Shows `config` in the form. */
export function fillForm(config) {
  for (const el of fields()) {
    const v = getKey(config, el.dataset.key);
    if (el.type === "checkbox") el.checked = Boolean(v);
    else el.value = v == null ? "" : formatNumber(v);
  }
}

/**
 * A copy of `base` with the form's values; throws an Error naming the field when a number
 * does not parse (the wasm side checks ranges).
 */
export function readForm(base) {
  const cfg = structuredClone(base);
  for (const el of fields()) {
    const key = el.dataset.key;
    let v;
    if (el.type === "checkbox") v = el.checked;
    else if (el.tagName === "SELECT") v = el.value;
    else {
      const text = el.value.trim();
      if (text === "" && AUTO_KEYS.includes(key)) v = null;
      else {
        v = Number(text);
        if (text === "" || !Number.isFinite(v)) {
          throw new Error(`\`${key}\`: "${text.slice(0, 40)}" is not a finite number`
            + (AUTO_KEYS.includes(key) ? " (leave it blank for auto)" : ""));
        }
      }
    }
    setKey(cfg, key, v);
  }
  // each crop is cut from a base patch at least as large
  if (cfg.dataset.crop > cfg.dataset.base) cfg.dataset.base = Math.min(cfg.dataset.crop, 64);
  return cfg;
}
