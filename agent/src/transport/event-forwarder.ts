// Optional raw event stream (EventBatch). Best effort by design: events
// live in the agent's own history, so this queue is in memory, bounded, and
// drops (counted) rather than ever slowing the capture path.
import type { Logger } from 'pino';
import type { DeepPartial, EnvelopeInit, Event } from '../../../proto/src';
import { encodeEnvelope } from '../../../proto/src';
import { eventToProto } from '../../../proto/src';

export interface EventForwarderOptions {
  maxQueue: number;       // default 10000
  batchSize: number;      // events per EventBatch, default 512
  maxBatchBytes: number;
  log: Logger;
}

export interface EventForwarderStats { queued: number; sent: number; dropped: number; acked: number }

export class EventForwarder {
  private queue: object[] = [];
  private nextSeq = 1;
  sent = 0;
  dropped = 0;
  acked = 0;

  constructor(private readonly opts: EventForwarderOptions) {}

  push(docs: readonly object[]): void {
    const room = this.opts.maxQueue - this.queue.length;
    if (docs.length > room) this.dropped += docs.length - Math.max(0, room);
    for (let i = 0; i < Math.min(room, docs.length); i++) this.queue.push(docs[i]);
  }

  get queued(): number {
    return this.queue.length;
  }

  onAck(seq: number): void {
    this.acked = Math.max(this.acked, seq);
  }

  /** Sends everything queued, splitting batches that exceed the frame budget. */
  flush(send: (env: EnvelopeInit) => boolean): void {
    while (this.queue.length > 0) {
      const docs = this.queue.splice(0, this.opts.batchSize);
      if (!this.sendBatch(docs.map(eventToProto), send)) {
        this.dropped += docs.length + this.queue.length;
        this.queue = [];
        return;
      }
    }
  }

  private sendBatch(events: DeepPartial<Event>[], send: (env: EnvelopeInit) => boolean): boolean {
    const env: EnvelopeInit = { event_batch: { first_seq: this.nextSeq, events } };
    let size: number;
    try {
      size = encodeEnvelope(env, Number.MAX_SAFE_INTEGER).length;
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, events: events.length }, 'event batch cannot be encoded; dropped');
      this.dropped += events.length;
      return true;
    }
    if (size > this.opts.maxBatchBytes) {
      if (events.length === 1) {
        this.dropped++;
        return true;
      }
      const half = Math.ceil(events.length / 2);
      return this.sendBatch(events.slice(0, half), send) && this.sendBatch(events.slice(half), send);
    }
    if (!send(env)) return false;
    this.nextSeq += events.length;
    this.sent += events.length;
    return true;
  }

  stats(): EventForwarderStats {
    return { queued: this.queue.length, sent: this.sent, dropped: this.dropped, acked: this.acked };
  }
}
