// Cell 2, SSL as kernel PCA: reads the learned directions from cell 1's session and shows
// them (directions.js draws them).

import { $, setText, count, messageOf } from "./ui.js";
import { renderDirections } from "./directions.js";

/** Shows the directions W of `cell`'s session has learned (cell 2). */
export async function showDirections(cell) {
  const session = cell.session;
  if (!session) {
    setText("directions-status", "Run the first cell first.");
    return;
  }
  setText("directions-status", "Reading W…");
  try {
    const data = await session.extra("directions");
    if (session !== cell.session) return;
    const summary = renderDirections($("directions"), data);
    const p = session.progress;
    const when = p.finished ? "end of the run" : `step ${count(p.step)}`;
    setText("directions-status", `At the ${when}: ${summary}.`);
  } catch (e) {
    setText("directions-status", `Could not read the directions: ${messageOf(e)}`);
  }
}

