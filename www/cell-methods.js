// Cell 10, "Three methods, one subspace" (the paper's Table 2, docs/deep.md §5): Barlow
// Twins, SimCLR and VICReg trained in turn on the same data and evaluation views, then the
// alignment of their embedding subspaces against chance. One session in the compute worker
// (web::cells::methods), on the deep cells' chrome (cell-deep.js); it starts only when Run is
// pressed (or when embedded).

import { makeCell, setup } from "./cell-deep.js";
import { methodsSummary } from "./deep-summary.js";

const FAMILIES = [["small", "small (CPU)"], ["full", "full (GPU-sized)"],
  ["small-standard", "small, standard init"], ["standard", "full, standard init"]];
const FIELDS = [{ label: "networks", key: "family", options: FAMILIES },
  { label: "steps (blank: each preset's)", key: "steps", type: "number", min: 1, step: 1 },
  { label: "init seed", key: "seed", type: "number", min: 0, step: 1 },
  { label: "data seed", key: "data_seed", type: "number", min: 0, step: 1 }];

const methods = makeCell("methods", {
  label: "Three methods", what: "three-method comparison", summarize: methodsSummary,
  description: "Table 2: alignment of the three methods' embedding subspaces, each value "
    + "written in its cell, chance stated (A); each method's embedding eigenvalues over its "
    + "steps, one band per method (B)",
  figures: [["main", "alignment and steps"]], logTime: false,
  downloads: [["download-svg", "SVG", "svg", ".svg"]],
  fields: FIELDS, presets: { cpu: "table2-small", gpu: "table2" },
  readoutFormat: (r) => r.text,
  preparing: "Preparing the three runs (base images, evaluation views and networks)…",
});

export const methodsCell = methods.c;
export const setupMethods = (options) => setup(methods, options);
export const runMethods = () => methods.run();
export const methodsUnavailable = () => methods.unavailable();
