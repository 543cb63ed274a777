// Replay of a finished or paused run in cell 1: a scrubber over the run's record times
// moves a cursor across both panels and shows the state at that time (loss and eigenvalues
// of C, experiment and theory) and, in cell 2, the directions of the nearest W snapshot.
// Play animates it with requestAnimationFrame; with prefers-reduced-motion it jumps in
// tenths of the run instead, and it never starts by itself. The states come from the
// session's extras in the compute worker (record_times, replay_state, replay_directions).

import { $, setText, count } from "./ui.js";
import { fmt } from "./readout.js";
import { renderDirections } from "./directions.js";

/** A whole replay at 1x takes this long. */
const REPLAY_MS = 8000;
/** With reduced motion: a jump every this many ms (at 1x), a tenth of the run each. */
const JUMP_MS = 1000;

const replay = {
  session: () => null,
  redraw: () => {},
  /** Whether cell 2 follows the replay (not in an embed of another cell). */
  directions: false,
  times: [],
  /** Record index of the cursor, or null (no cursor: the live figure). */
  index: null,
  playing: false,
  pos: 0,
  last: 0,
  timer: 0,
  shownStep: null,
  /** Counts cursor moves: an answer for an older one is dropped. */
  moves: 0,
};

/** The cursor's time, or undefined (no cursor). */
export function cursorTime() {
  return replay.index === null ? undefined : replay.times[replay.index];
}

function reducedMotion() {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

function speed() {
  const s = Number($("replay-speed").value);
  return Number.isFinite(s) && s > 0 ? s : 1;
}

function stateText(s) {
  const theory = s.theory_eigenvalues ? `; λ (theory): ${s.theory_eigenvalues.map((v) => fmt(v)).join(", ")}` : "";
  return `t = ${fmt(s.t)} (step ${s.step}) · loss ${fmt(s.loss)}`
    + `${s.theory_loss == null ? "" : ` (theory ${fmt(s.theory_loss)})`}`
    + ` · λ (experiment): ${s.eigenvalues.map((v) => fmt(v)).join(", ")}${theory}`;
}

async function showDirectionsAt(session, t, move) {
  if (!replay.directions) return;
  const snap = await session.extra("replay_directions", { t });
  if (!snap || move !== replay.moves || snap.step === replay.shownStep) return;
  replay.shownStep = snap.step;
  const summary = renderDirections($("directions"), snap);
  setText("directions-status", `Replay, W at step ${count(snap.step)} `
    + `(t = ${fmt(snap.t)}, the snapshot nearest the cursor): ${summary}.`);
}

/** Moves the cursor to record `index` and shows the state there. */
async function moveTo(index) {
  const session = replay.session();
  if (!session || replay.times.length === 0) return;
  replay.moves += 1;
  const move = replay.moves;
  replay.index = Math.max(0, Math.min(replay.times.length - 1, index));
  $("replay-time").value = String(replay.index);
  const out = $("replay-state");
  delete out.dataset.index;
  const t = replay.times[replay.index];
  let s;
  try {
    [s] = await Promise.all([session.extra("replay_state", { t }), replay.redraw()]);
  } catch {
    return; // the session is gone
  }
  if (!s || move !== replay.moves) return;
  setText("replay-label", `t = ${fmt(s.t)}`);
  out.textContent = stateText(s);
  out.dataset.step = String(s.step);
  out.dataset.t = String(s.t);
  await showDirectionsAt(session, t, move).catch(() => {});
  // the figure, the state and cell 2 show this record (the tests wait for it)
  if (move === replay.moves) out.dataset.index = String(replay.index);
}

function stop() {
  replay.playing = false;
  clearTimeout(replay.timer);
  const button = $("replay-play");
  button.textContent = "Play replay";
  button.setAttribute("aria-pressed", "false");
  $("replay-state").setAttribute("aria-live", "polite");
}

function frame(now) {
  if (!replay.playing) return;
  const n = replay.times.length - 1;
  replay.pos += ((now - replay.last) * speed() * n) / REPLAY_MS;
  replay.last = now;
  const index = Math.min(n, Math.floor(replay.pos));
  if (index !== replay.index) moveTo(index);
  if (index >= n) stop();
  else requestAnimationFrame(frame);
}

function jump() {
  if (!replay.playing) return;
  const n = replay.times.length - 1;
  const index = Math.min(n, (replay.index ?? 0) + Math.max(1, Math.ceil(n / 10)));
  moveTo(index);
  if (index >= n) stop();
  else replay.timer = setTimeout(jump, JUMP_MS / speed());
}

function play() {
  if (replay.playing) {
    stop();
    return;
  }
  const n = replay.times.length - 1;
  if (n < 1) return;
  if (replay.index === null || replay.index >= n) moveTo(0);
  replay.playing = true;
  const button = $("replay-play");
  button.textContent = "Pause replay";
  button.setAttribute("aria-pressed", "true");
  $("replay-state").setAttribute("aria-live", "off");
  if (reducedMotion()) {
    replay.timer = setTimeout(jump, JUMP_MS / speed());
  } else {
    replay.pos = replay.index;
    replay.last = performance.now();
    requestAnimationFrame(frame);
  }
}

/**
 * Follows the cell's state: the scrubber is shown once a run is finished or paused with
 * records to replay, and hidden (cursor and readout cleared) while it runs or is prepared.
 */
export async function syncReplay(state) {
  const session = replay.session();
  replay.syncs = (replay.syncs ?? 0) + 1;
  const mine = replay.syncs;
  let times = [];
  if (session && (state === "finished" || state === "paused")) {
    times = await session.extra("record_times").catch(() => []) ?? [];
  }
  if (mine !== replay.syncs) return;
  const box = $("replay");
  if (times.length < 2) {
    if (replay.playing) stop();
    replay.index = null;
    replay.times = [];
    replay.shownStep = null;
    box.hidden = true;
    $("replay-time").disabled = true;
    setText("replay-label", "");
    $("replay-state").textContent = "";
    return;
  }
  replay.times = times;
  const input = $("replay-time");
  input.max = String(times.length - 1);
  input.value = String(replay.index ?? times.length - 1);
  input.disabled = false;
  box.hidden = false;
}

/** Wires the controls; `session()` gives the cell's session, `redraw()` redraws it. */
export function setupReplay({ session, redraw, directions }) {
  replay.session = session;
  replay.redraw = redraw;
  replay.directions = directions;
  $("replay-time").addEventListener("input", (e) => {
    if (replay.playing) stop();
    moveTo(Number(e.target.value));
  });
  $("replay-play").addEventListener("click", play);
}
