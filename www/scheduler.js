// Being kind to the machine: which cell may compute now. A cell's run loop asks for its
// turn before every chunk of work (`await turn(id, stillWanted)`) and gives it back when the
// loop ends (`release(id)`). Rules:
//  - nothing computes while the tab is hidden (document.visibilityState), and runs resume
//    when it shows again;
//  - one cell computes at a time unless the page's "Let several cells compute at once" box
//    is ticked; a run the reader asked for (Run pressed, Enter in the form) goes before one
//    the page started by itself, which then waits and resumes afterwards;
//  - a cell the page starts by itself (autostart) waits until it is scrolled into view.
// Each waiting cell shows why in a notice (text only) and data-waiting on its root.

/** How often a waiting cell looks again even without an event (ms). */
const POLL_MS = 200;

const NOTICE = {
  busy: "waiting: another cell is computing",
  hidden: "paused while the tab is hidden",
  offscreen: "waiting until this cell is scrolled into view",
};

/** id -> { root, notice, visible, user } */
const cells = new Map();
/** Ids waiting for a turn, in the order they asked. */
const queue = [];
/** Ids computing now. */
const holders = new Set();
let parallel = false;
let wake = () => {};
let woken = new Promise((resolve) => { wake = resolve; });

/** Wakes every waiting cell to look again. */
function changed() {
  const done = wake;
  woken = new Promise((resolve) => { wake = resolve; });
  done();
}

function sleep() {
  return Promise.race([woken, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
}

const tabHidden = () => document.visibilityState === "hidden";

const observer = typeof IntersectionObserver === "function"
  ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      const c = [...cells.values()].find((x) => x.root === e.target);
      if (c) c.visible = e.isIntersecting;
    }
    changed();
  })
  : null;

function showWaiting(c, why) {
  if (why) {
    c.root.dataset.waiting = why;
    c.notice.textContent = NOTICE[why];
  } else {
    delete c.root.dataset.waiting;
    c.notice.textContent = "";
  }
  c.notice.hidden = !why;
}

/**
 * Registers cell `id` (its section `root`): the notice goes after the cell's first toolbar.
 * A click on a run button (`runSelector`) or a form submit inside the cell marks its next
 * run as asked for by the reader.
 */
export function register(id, root, runSelector) {
  const notice = document.createElement("p");
  notice.className = "wait-notice";
  notice.setAttribute("role", "status");
  notice.dataset.testid = `${id}-waiting`;
  notice.hidden = true;
  const toolbar = root.querySelector(".toolbar");
  if (toolbar) toolbar.after(notice);
  else root.append(notice);
  const c = { root, notice, visible: observer === null, user: false };
  cells.set(id, c);
  observer?.observe(root);
  const mark = () => { c.user = true; };
  root.addEventListener("submit", mark, true);
  root.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest(runSelector)) mark();
  }, true);
}

/** Whether `id` may compute now, else why not ("hidden" or "busy"). */
function blocker(id) {
  if (tabHidden()) return "hidden";
  if (parallel || holders.has(id) && !outranked(id)) return null;
  if (holders.size > 0 && !holders.has(id)) return "busy";
  // free (or `id` yields): the reader's runs first, then in the order they asked
  const first = queue.find((q) => cells.get(q)?.user) ?? queue[0];
  return first === undefined || first === id ? null : "busy";
}

/** A run the page started gives way to one the reader asked for. */
function outranked(id) {
  return !cells.get(id)?.user && queue.some((q) => q !== id && cells.get(q)?.user);
}

/**
 * Resolves true once cell `id` may do its next chunk of work (at once, in the common case),
 * or false as soon as `stillWanted()` turns false while it waits.
 */
export async function turn(id, stillWanted = () => true) {
  const c = cells.get(id);
  if (!c) return true;
  for (;;) {
    if (!stillWanted()) {
      leaveQueue(id);
      showWaiting(c, null);
      return false;
    }
    const why = blocker(id);
    if (why === null) {
      leaveQueue(id);
      if (!holders.has(id)) holders.add(id);
      showWaiting(c, null);
      return true;
    }
    // a run the page started yields to the reader's (the tab hiding keeps the turn)
    if (why === "busy" && holders.delete(id)) changed();
    if (!queue.includes(id)) queue.push(id);
    showWaiting(c, why);
    await sleep();
  }
}

function leaveQueue(id) {
  const i = queue.indexOf(id);
  if (i >= 0) queue.splice(i, 1);
}

/** Cell `id` stopped computing (paused, finished, failed): the next one may go. */
export function release(id) {
  leaveQueue(id);
  holders.delete(id);
  const c = cells.get(id);
  if (c) {
    c.user = false;
    showWaiting(c, null);
  }
  changed();
}

/** Resolves once cell `id` is in view (shows the notice meanwhile). */
async function whenVisible(id) {
  const c = cells.get(id);
  while (c && !c.visible) {
    showWaiting(c, "offscreen");
    await sleep();
  }
  if (c) showWaiting(c, null);
}

/** Starts cell `id` by itself (`start` runs it) once it is in view. */
export async function autostart(id, start) {
  await whenVisible(id);
  return start();
}

/** Wires the page's "Let several cells compute at once" box and the tab's visibility. */
export function setupScheduler(box) {
  parallel = box.checked;
  box.addEventListener("change", () => {
    parallel = box.checked;
    changed();
  });
  document.addEventListener("visibilitychange", changed);
}

/** Test hook: the scheduler's state. */
export function schedulerState() {
  return { holders: [...holders], queue: [...queue], parallel, hidden: tabHidden() };
}
