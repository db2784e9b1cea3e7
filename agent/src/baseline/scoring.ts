// Rarity of one observation given what its profile has seen. The chance of
// a never-seen value is the context's rate of meeting something new (first
// sightings over observations, both decayed), so a context that always
// varies (an admin's shell) stays quiet while one that never varies (a web
// server's children) scores a novelty high. A context with little evidence
// is discounted: no confidence without evidence.
import type { Evidence } from './frequency-table';

/** Observations at which confidence reaches one half. */
export const EVIDENCE_HALF = 20;
/** Score points per bit of surprise above one bit. */
const POINTS_PER_BIT = 12;

export function surpriseBits(e: Evidence): number {
  const p = e.count < 0.5
    ? Math.max(e.novel, 1) / (e.total + 1)
    : (e.count + 1) / (e.total + 2);
  return -Math.log2(Math.min(1, p));
}

/** 0..100. */
export function rarityScore(e: Evidence): number {
  if (e.total <= 0) return 0;
  const confidence = e.total / (e.total + EVIDENCE_HALF);
  // A value seen before is a repeat, not a first: weak evidence, fading fast with sightings.
  const repeat = e.count < 0.5 ? 1 : 1 / ((1 + e.count) * (1 + e.count));
  const raw = Math.max(0, (surpriseBits(e) - 1) * POINTS_PER_BIT);
  return Math.min(100, raw) * confidence * repeat;
}

/** Independent evidence combined: 1 - prod(1 - s/100), as a 0..100 score. */
export function combineScores(scores: Iterable<number>): number {
  let keep = 1;
  for (const s of scores) keep *= 1 - Math.min(100, Math.max(0, s)) / 100;
  return 100 * (1 - keep);
}
