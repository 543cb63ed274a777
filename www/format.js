// Numbers as the page shows them, one formatter for every cell: never a negative zero, the
// same significant digits for values shown side by side, exponents for magnitudes below
// 1e-3 or from 1e4 on, and durations in words.

const COUNT = new Intl.NumberFormat("en");

/** `n` with thousands separators ("14,673"); one shared formatter (toLocaleString makes a
 * new one per call, a cost in a run loop). */
export function count(n) {
  return COUNT.format(n);
}

/** "–" for a missing or non-finite value. */
export const MISSING = "–";

/** `x` with `sig` significant digits ("0.960", "1.00", "3.20e-5"); zero, and a value whose
 * text would be "-0…", is shown without a sign. */
export function num(x, sig = 3) {
  if (typeof x !== "number" || !Number.isFinite(x)) return MISSING;
  if (x === 0) return "0";
  const a = Math.abs(x);
  const s = a < 1e-3 || a >= 1e4 ? x.toExponential(sig - 1) : x.toPrecision(sig);
  return /^-0(\.0*)?(e[+-]?\d+)?$/.test(s) ? s.slice(1) : s;
}

/** Values shown side by side (experiment vs theory, a list of eigenvalues): the same
 * significant digits for each. */
export function nums(xs, sig = 3) {
  return xs.map((x) => num(x, sig));
}

/** A duration in words: "under a second", "about 5 s", "about 3 min", "about 1.5 h". */
export function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  if (seconds < 1) return "under a second";
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min`;
  return `about ${num(seconds / 3600, 2)} h`;
}

/**
 * A run's progress in words: `status` ("3,200 / 14,673 steps", or "Finished: 14,673 steps")
 * and `rate` ("2,100 steps/s · about 5 s left": the measured rate over `wallMs` of stepping,
 * and the remaining steps at that rate; empty before anything was measured).
 */
export function progressText(step, total, wallMs, finished = step >= total) {
  const status = finished
    ? `Finished: ${count(step)} steps`
    : `${count(step)} / ${count(total)} steps`;
  const perSecond = wallMs > 0 ? (step / wallMs) * 1000 : 0;
  if (!(perSecond > 0)) return { status, rate: "" };
  const left = finished ? "" : ` · ${duration((total - step) / perSecond)} left`;
  return { status, rate: `${count(Math.round(perSecond))} steps/s${left}` };
}
