// Small numeric helpers for the bench driver: medians and ratios that turn
// missing data into null instead of NaN, so reports show "n/a" honestly.

/** Median of the finite numbers in `xs`, or null when there are none. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** baseline / traced: 1.00 means no slowdown, 2.00 means half the rate. */
export function slowdown(baseline, traced) {
  if (!(baseline > 0) || !(traced > 0)) return null;
  return baseline / traced;
}

/** Largest finite number in `xs`, or null. */
export function max(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return v.length ? Math.max(...v) : null;
}

/** Sum that keeps null when any part is unknown. */
export function sumOrNull(xs) {
  return xs.some((x) => x === null || x === undefined) ? null : xs.reduce((a, b) => a + b, 0);
}
