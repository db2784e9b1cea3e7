// What the table knows about one observation, with one addition: an exe
// that never did this kind of thing at all (no connection, no privileged
// call) is judged by how often it ran without doing it.
import type { Evidence, FrequencyTable } from './frequency-table';
import { EXE_CONTEXT_FALLBACK, HOST, OUTSIDE, type Observation } from './observations';

export interface ObservationEvidence extends Evidence {
  /** The evidence is the exe's runs, not this context's own history. */
  fromRuns?: boolean;
}

export function evidenceFor(table: FrequencyTable, o: Observation, at: number): ObservationEvidence {
  if (o.profile === 'net-first') {
    // "Never outside loopback" is measured against all its connections, or its runs.
    const own = table.evidence('net-first', o.context, OUTSIDE, at);
    const all = table.evidence('net-dest', o.context, '', at);
    if (all.total >= 1) return { total: all.total, distinct: all.distinct, novel: 1, count: own.count, since: all.since };
  } else {
    const e = table.evidence(o.profile, o.context, o.value, at);
    if (e.total >= 1 || !EXE_CONTEXT_FALLBACK.has(o.profile)) return e;
  }
  const runs = table.evidence('exe', HOST, o.context, at);
  if (runs.count < 1) return { total: 0, distinct: 0, novel: 0, count: 0 };
  return { total: runs.count, distinct: 0, novel: 1, count: 0, since: table.get('exe', HOST)?.values.get(o.context)?.first, fromRuns: true };
}
