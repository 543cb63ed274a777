// A text alternative to cell 1's figure: when each mode was learned, against the theory's
// step times, from the run's result JSON (the CLI's schema). Plain text only.

import { num } from "./format.js";

/** An eigenvalue of C counts as learned once it passes this (half way to 1). */
const LEARNED = 0.5;
/** Modes listed before "and N more". */
const MAX_MODES = 12;

const fmt = (x) => num(x, 3);

/** The session's crossing times of LEARNED (interpolated between records, in Rust). */
export function learnedTimes(session) {
  return session.extra("crossing_times", { threshold: LEARNED });
}

/** "Mode 1 learned at t ≈ 2.1, theory τ1 = 2.0; mode 2 not learned yet, theory τ2 = 5.0; …"
 * (at most MAX_MODES modes), with the last loss; `learned[j]` is when mode j reached
 * LEARNED (interpolated between records), or null. */
export function stepTimesText(result, learned) {
  const records = Array.isArray(result?.records) ? result.records : [];
  const tau = Array.isArray(result?.theory?.tau) ? result.theory.tau : [];
  const d = Math.max(tau.length, records.at(-1)?.eigenvalues?.length ?? 0);
  if (d === 0 || records.length === 0) return "No records yet.";
  const parts = [];
  for (let j = 0; j < Math.min(d, MAX_MODES); j += 1) {
    const t = learned?.[j] ?? null;
    const theory = typeof tau[j] === "number"
      ? `theory τ${j + 1} = ${fmt(tau[j])}`
      : "no theory step";
    parts.push(t === null
      ? `mode ${j + 1} not learned yet, ${theory}`
      : `mode ${j + 1} learned at t ≈ ${fmt(t)}, ${theory}`);
  }
  if (d > MAX_MODES) parts.push(`and ${d - MAX_MODES} more modes`);
  const last = records.at(-1);
  const text = parts.join("; ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (eigenvalue of C past ${LEARNED}, `
    + "interpolated between records; "
    + `loss ${fmt(last.loss)} at t = ${fmt(last.t)}).`;
}
