// Folds repeats of the same rule on the same process into one alert.
// Policy: the first alert of a (rule.id, process.entity_id) pair is emitted
// at once and opens a window (default 60 s, wall clock). Repeats inside the
// window are counted, not emitted. When the window closes with repeats, one
// update is emitted: the first alert with the SAME event.id (stores upsert),
// vigil.alert.count, last_seen and the latest triggering events.
import type { AlertEvent } from './types';

export interface AlertDeduperOptions {
  windowMs?: number;
  /** Most open windows; the oldest is closed early beyond this. */
  maxKeys?: number;
  now?: () => number;
}

interface Window {
  opened: number;
  first: AlertEvent;
  latest: AlertEvent;
  count: number;
}

export const DEFAULT_DEDUP_WINDOW_MS = 60_000;

export const dedupKey = (a: AlertEvent): string =>
  `${a.rule.id}\u0000${a.process?.entity_id ?? `host:${a.host?.name ?? ''}`}`;

export class AlertDeduper {
  private readonly open = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(opts: AlertDeduperOptions = {}) {
    this.windowMs = opts.windowMs ?? DEFAULT_DEDUP_WINDOW_MS;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Offer a fresh alert. Returns what to emit now: the alert itself when it
   * opens a window (plus any update forced out), nothing for a repeat.
   */
  offer(alert: AlertEvent): AlertEvent[] {
    const out = this.flush();
    const key = dedupKey(alert);
    const w = this.open.get(key);
    if (w) {
      w.count += alert.vigil.alert.count;
      w.latest = alert;
      return out;
    }
    this.open.set(key, { opened: this.now(), first: alert, latest: alert, count: alert.vigil.alert.count });
    if (this.open.size > this.maxKeys) {
      const [oldKey, oldW] = this.open.entries().next().value as [string, Window];
      this.open.delete(oldKey);
      const u = update(oldW);
      if (u) out.push(u);
    }
    out.push(alert);
    return out;
  }

  /** Close windows older than windowMs; returns the updates to emit. */
  flush(): AlertEvent[] {
    const out: AlertEvent[] = [];
    const cutoff = this.now() - this.windowMs;
    for (const [k, w] of this.open) {
      if (w.opened > cutoff) break; // Map order = opening order
      this.open.delete(k);
      const u = update(w);
      if (u) out.push(u);
    }
    return out;
  }

  /** Close every window (shutdown). */
  drain(): AlertEvent[] {
    const out = [...this.open.values()].map(update).filter((u): u is AlertEvent => u !== undefined);
    this.open.clear();
    return out;
  }

  /** Flush on a timer, handing updates to `emit`. The timer is unref'd. */
  start(emit: (a: AlertEvent) => void, everyMs = 1000): void {
    this.stop();
    this.timer = setInterval(() => this.flush().forEach(emit), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get openWindows(): number {
    return this.open.size;
  }
}

function update(w: Window): AlertEvent | undefined {
  if (w.count <= w.first.vigil.alert.count) return undefined;
  const a = w.first;
  return {
    ...a,
    '@timestamp': w.latest['@timestamp'],
    vigil: {
      alert: {
        ...a.vigil.alert,
        events: w.latest.vigil.alert.events,
        related: w.latest.vigil.alert.related,
        count: w.count,
        last_seen: w.latest.vigil.alert.last_seen,
      },
    },
  };
}
