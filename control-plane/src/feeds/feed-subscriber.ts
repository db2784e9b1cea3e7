// One /v1/alerts/stream subscriber. With ?after=<seq> it replays stored
// alerts after the cursor page by page (waiting for each page to flush),
// while live alerts queue; then it drains the queue and goes live. Every
// alert is sent at most once and in seq order: anything <= the last sent
// seq is skipped, which closes the replay/live seam without gap or
// duplicate. A subscriber whose socket backlog or queue passes its bound
// is closed with 4408; nothing here waits on a slow client.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import { encodeAlert } from '../../../proto/src';
import type { AlertStore, StoredAlert } from '../store/alert-store';
import { toRecord } from '../store/alert-store';
import { feedMessage } from '../alerts/alert-doc';
import { CLOSE } from '../../../proto/src/close-codes';
import type { AlertBus } from './alert-bus';
import { type FeedParams, matches } from './feed-filter';

export type FeedEncoding = 'json' | 'protobuf';
export const SLOW_REASON = 'subscriber too slow; reconnect with ?after=<last seq>';
const ENCODE_CAP = 256 * 1024 * 1024;

export interface FeedDeps { config: Config; store: AlertStore; bus: AlertBus; metrics: Metrics; log: Logger }

export class FeedSubscriber {
  private lastSent: number;
  private replaying: boolean;
  private queue: StoredAlert[] = [];
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly ws: WebSocket, private readonly params: FeedParams,
    private readonly encoding: FeedEncoding, private readonly deps: FeedDeps) {
    this.replaying = params.after !== undefined;
    this.lastSent = params.after ?? deps.store.maxSeq();
    this.unsubscribe = deps.bus.subscribe((a) => this.onLive(a));
    deps.metrics.feedSubscribers.inc({ encoding });
    ws.on('close', () => this.stop());
    ws.on('error', (err) => deps.log.debug({ err: err.message }, 'feed socket error'));
    if (this.replaying) void this.replay();
  }

  private onLive(a: StoredAlert): void {
    if (this.closed || a.seq <= this.lastSent || !matches(a, this.params.filter)) return;
    if (!this.replaying) return void this.send(a);
    this.queue.push(a);
    if (this.queue.length > this.deps.config.feedMaxQueued) this.tooSlow('queue');
  }

  private async replay(): Promise<void> {
    const { store, config } = this.deps;
    try {
      for (;;) {
        const page = store.page(this.params.filter, { cursor: this.lastSent, order: 'asc', limit: config.replayPageSize });
        let flushed: Promise<void> | undefined;
        page.forEach((a, i) => {
          if (i < page.length - 1) return void this.send(a);
          flushed = this.sendAndWait(a);
        });
        if (this.closed || page.length < config.replayPageSize) break;
        await flushed;
        if (this.closed) return;
      }
      // No await between the last read and here: nothing can slip between.
      const queued = this.queue;
      this.queue = [];
      this.replaying = false;
      for (const a of queued) if (a.seq > this.lastSent) this.send(a);
    } catch (err) {
      this.deps.log.error({ err }, 'feed replay failed');
      this.close(CLOSE.INTERNAL, 'replay failed; reconnect with ?after=<last seq>');
    }
  }

  /** Sends `a`; resolves once it has left the process (or the socket closed). */
  private sendAndWait(a: StoredAlert): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.ws.off('close', done);
        resolve();
      };
      this.ws.on('close', done);
      if (!this.send(a, done)) done();
    });
  }

  private send(a: StoredAlert, cb?: (err?: Error) => void): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount > this.deps.config.feedMaxBufferedBytes) {
      this.tooSlow('buffer');
      return false;
    }
    const frame = this.encoding === 'json'
      ? JSON.stringify(toRecord(a))
      : encodeAlert(feedMessage(a.alert, a.doc, a.seq), ENCODE_CAP);
    this.lastSent = a.seq;
    this.ws.send(frame, cb);
    return true;
  }

  private tooSlow(why: string): void {
    this.deps.metrics.feedDisconnects.inc({ reason: 'slow' });
    this.deps.log.warn({ why, last_sent: this.lastSent, buffered: this.ws.bufferedAmount }, 'feed subscriber too slow; disconnecting');
    this.close(CLOSE.SLOW_SUBSCRIBER, SLOW_REASON);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.stop();
    this.ws.close(code, reason);
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.unsubscribe();
    this.deps.metrics.feedSubscribers.dec({ encoding: this.encoding });
  }
}
