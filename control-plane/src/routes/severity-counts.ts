// The body of GET /v1/alerts/counts and /v1/incidents/counts: every severity
// name present (zeros included), highest first, and the total.
import { SEVERITY_NAMES } from '../../../proto/src/enums';

export function severityCountsBody(found: Record<string, number>): { counts: Record<string, number>; total: number } {
  const counts: Record<string, number> = {};
  for (const name of SEVERITY_NAMES.slice(1).reverse()) counts[name] = found[name] ?? 0;
  return { counts, total: Object.values(found).reduce((a, b) => a + b, 0) };
}
