// READY/STATS frame payloads (agent/loader/frames.h): one JSON object.
// Parsed defensively: a malformed frame yields a typed error, not a crash.
import { ABANDON_REASONS, abandonKey } from '../decode/kernel-stats';

export interface ProbeStatus {
  name: string;
  family: string;
  section: string;
  attached: boolean;
  error: string;
  /** Cumulative kernel run time and runs (loader --bpf-stats only). */
  run_ns?: number;
  run_cnt?: number;
}

/**
 * Attached and failed probes. A probe switched off on purpose ("off: the
 * kernel has no such tracepoint", "off: ... not needed") is neither: a
 * failure is a probe that should run here and does not.
 */
export function probeCounts(probes: readonly ProbeStatus[]): { attached: number; failed: number; off: number } {
  let attached = 0;
  let off = 0;
  for (const p of probes) {
    if (p.attached) attached++;
    else if (p.error.startsWith('off:')) off++;
  }
  return { attached, failed: probes.length - attached - off, off };
}

export interface LoaderStats {
  events: number;
  drops: number;
  truncated: number;
  filtered: number;
  /** Opens folded into a later event's repeat count (default profile). */
  deduped?: number;
  /** Records a probe started and gave up on, per reason (bpf/events.h VIGIL_STAT_ABANDONED_*). */
  abandoned: Record<string, number>;
  /** Names in the kernel's read watch; -1 while every read ships. */
  read_watch?: number;
  ringbuf_bytes: number;
  /** CLOCK_REALTIME - CLOCK_BOOTTIME, ns, decimal string (exceeds 2^53). */
  realtime_offset_ns?: string;
  probes: ProbeStatus[];
}

/** Every record the kernel lost or gave up on: ring-buffer drops plus abandoned records. */
export function lostTotal(s: Pick<LoaderStats, 'drops' | 'abandoned'>): number {
  let n = s.drops;
  for (const v of Object.values(s.abandoned ?? {})) n += v;
  return n;
}

export class LoaderStatsError extends Error {
  constructor(message: string) {
    super(`loader stats: ${message}`);
    this.name = 'LoaderStatsError';
  }
}

const num = (o: Record<string, unknown>, k: string): number => {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new LoaderStatsError(`"${k}" must be a non-negative number`);
  return v;
};

const text = (o: Record<string, unknown>, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

export function parseLoaderStats(payload: Buffer): LoaderStats | LoaderStatsError {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return new LoaderStatsError(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return new LoaderStatsError('payload is not a JSON object');
  const o = raw as Record<string, unknown>;
  try {
    const probes = Array.isArray(o.probes) ? o.probes : [];
    return {
      events: num(o, 'events'),
      drops: num(o, 'drops'),
      truncated: num(o, 'truncated'),
      filtered: num(o, 'filtered'),
      ...(typeof o.deduped === 'number' ? { deduped: o.deduped } : {}),
      // Absent from an older loader's frames: nothing was counted, not nothing lost.
      abandoned: Object.fromEntries(ABANDON_REASONS.map((r) => [r, o[abandonKey(r)] === undefined ? 0 : num(o, abandonKey(r))])),
      ...(typeof o.read_watch === 'number' ? { read_watch: o.read_watch } : {}),
      ringbuf_bytes: typeof o.ringbuf_bytes === 'number' ? o.ringbuf_bytes : 0,
      realtime_offset_ns: typeof o.realtime_offset_ns === 'string' ? o.realtime_offset_ns : undefined,
      probes: probes
        .filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
        .map((p) => ({
          name: text(p, 'name'), family: text(p, 'family'), section: text(p, 'section'), attached: p.attached === true, error: text(p, 'error'),
          ...(typeof p.run_ns === 'number' && typeof p.run_cnt === 'number' ? { run_ns: p.run_ns, run_cnt: p.run_cnt } : {}),
        })),
    };
  } catch (err) {
    return err as LoaderStatsError;
  }
}
