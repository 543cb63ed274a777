// Page-level wiring that no single cell owns: the figures' colour scheme, and cell 1's text
// alternative (#figure-summary, which its canvas names in aria-describedby), updated when a
// run stops.

import { setupTheme } from "./theme.js";
import { learnedTimes, stepTimesText } from "./figure-text.js";
import { cell } from "./cell-stepwise.js";
import { $, messageOf } from "./ui.js";

/** States of cell 1 after which the summary is brought up to date. */
const SETTLED = ["paused", "finished", "error"];

async function describeRun() {
  const box = $("figure-summary");
  const session = cell.session;
  if (!session) return;
  try {
    const result = JSON.parse(await session.export("json"));
    const text = stepTimesText(result, await learnedTimes(session));
    if (session === cell.session) box.textContent = text;
  } catch (e) {
    box.textContent = `No summary: ${messageOf(e)}`;
  }
}

export function setupPage() {
  setupTheme();
  new MutationObserver(() => {
    if (SETTLED.includes(cell.root.dataset.state)) describeRun();
  }).observe(cell.root, { attributes: true, attributeFilter: ["data-state"] });
}
