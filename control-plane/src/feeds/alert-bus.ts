// In-process fan-out of newly stored alerts to feed subscribers. Publish
// is synchronous and never throws: a failing listener is logged and kept
// away from ingest and from the other listeners.
import type { Logger } from 'pino';
import type { StoredAlert } from '../store/alert-store';

export type AlertListener = (alert: StoredAlert) => void;

export class AlertBus {
  private readonly listeners = new Set<AlertListener>();

  constructor(private readonly log: Logger) {}

  subscribe(fn: AlertListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(alert: StoredAlert): void {
    for (const fn of this.listeners) {
      try {
        fn(alert);
      } catch (err) {
        this.log.error({ err, seq: alert.seq }, 'feed listener failed');
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
