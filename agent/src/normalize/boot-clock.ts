// Kernel timestamps are CLOCK_BOOTTIME ns; @timestamp wants wall time. The
// loader measures CLOCK_REALTIME - CLOCK_BOOTTIME and sends it as
// "realtime_offset_ns" in READY/STATS. Until then we estimate it from
// /proc/uptime (10 ms resolution), so early events still get a sane time.
import { readFileSync } from 'node:fs';

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

export function estimateRealtimeOffsetNs(): bigint {
  try {
    const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (Number.isFinite(uptimeS)) return BigInt(Date.now()) * NS_PER_MS - BigInt(Math.round(uptimeS * 1e9));
  } catch {
    // no /proc: fall through
  }
  return 0n;
}

/** ISO-8601 UTC with nanoseconds, e.g. 2025-01-02T03:04:05.123456789Z. */
export function isoFromEpochNs(ns: bigint): string {
  const ms = Number(ns / NS_PER_MS);
  const iso = new Date(ms).toISOString(); // ...T03:04:05.123Z
  if (iso.length !== 24) return iso;       // outside years 0000-9999: keep ms
  const frac = (((ns % NS_PER_S) + NS_PER_S) % NS_PER_S).toString().padStart(9, '0');
  return iso.slice(0, 20) + frac + 'Z';
}

/** Formats many timestamps fast: events cluster in the same second, so the
 *  "YYYY-MM-DDTHH:MM:SS." prefix is built once per second, not per event. */
class IsoFormatter {
  private sec = -1n;
  private prefix = '';

  format(ns: bigint): string {
    if (ns < 0n) return isoFromEpochNs(ns);
    const sec = ns / NS_PER_S;
    if (sec !== this.sec) {
      const iso = new Date(Number(sec) * 1000).toISOString();
      if (iso.length !== 24) return isoFromEpochNs(ns);
      this.sec = sec;
      this.prefix = iso.slice(0, 20);
    }
    const frac = String(Number(ns - sec * NS_PER_S));
    return this.prefix + '000000000'.slice(frac.length) + frac + 'Z';
  }
}

export class BootClock {
  private offsetNs: bigint;
  private readonly events = new IsoFormatter();
  private readonly starts = new IsoFormatter();
  /** Bumped when the offset moves by more than 1 ms, so cached start times can be redone. */
  generation = 0;

  constructor(offsetNs: bigint = estimateRealtimeOffsetNs()) {
    this.offsetNs = offsetNs;
  }

  /** Accepts the loader's decimal string; ignores anything that is not one. */
  setOffset(value: unknown): boolean {
    if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
      const next = BigInt(value);
      const delta = next > this.offsetNs ? next - this.offsetNs : this.offsetNs - next;
      if (delta > NS_PER_MS) this.generation++;
      this.offsetNs = next;
      return true;
    }
    return false;
  }

  get realtimeOffsetNs(): bigint {
    return this.offsetNs;
  }

  /** Event time (boot ns) as ISO wall time. */
  toIso(bootNs: bigint): string {
    return this.events.format(bootNs + this.offsetNs);
  }

  /** Process start time: separate prefix cache, starts rarely share a second with events. */
  startToIso(bootNs: bigint): string {
    return this.starts.format(bootNs + this.offsetNs);
  }
}
