// Cell 1's downloads: the figure as PNG or SVG, the result as JSON or CSV, a Python script.

import { $, showError, download, messageOf } from "./ui.js";
import { wirePythonExport } from "./python-export.js";

function withSession(cell, f) {
  if (!cell.session) return;
  try {
    f(cell.session);
  } catch (e) {
    showError(messageOf(e));
  }
}

/** Wires cell 1's download buttons (`logTime()`: the figure's time axis). */
export function wireDownloads(cell, logTime) {
  $("download-png").addEventListener("click", () => {
    cell.canvas.toBlob((blob) => blob && download("stepwise.png", blob));
  });
  $("download-svg").addEventListener("click", () => withSession(cell, (s) =>
    download("stepwise.svg", new Blob([s.svg(logTime())], { type: "image/svg+xml" }))));
  $("download-json").addEventListener("click", () => withSession(cell, (s) =>
    download("stepwise.json", new Blob([s.result_json()], { type: "application/json" }))));
  $("download-csv").addEventListener("click", () => withSession(cell, (s) =>
    download("stepwise.csv", new Blob([s.records_csv()], { type: "text/csv" }))));
  wirePythonExport($("download-python"), () => cell.session);
}
