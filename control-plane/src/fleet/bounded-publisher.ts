// JetStream publishes without waiting for each ack before the next (the
// throughput of async publish), but with a cap on acks outstanding so a
// burst or a slow server cannot queue without bound. Slots are handed over
// first come, first served, so publishes reach the server in call order
// (one host's alerts keep their order in the stream). Refuses at once while
// the connection is down instead of filling the client's reconnect buffer.
import type { JetStreamPublishOptions, PubAck } from 'nats';
import { VigilError } from '../errors';
import type { NatsLink } from './nats-link';

export class BoundedPublisher {
  private inflight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly link: NatsLink, private readonly maxPending: number) {}

  publish(subject: string, data: Uint8Array, opts: Partial<JetStreamPublishOptions> = {}): Promise<PubAck> {
    if (this.inflight < this.maxPending && this.waiting.length === 0) {
      this.inflight++;
      return this.send(subject, data, opts);
    }
    return new Promise<void>((r) => this.waiting.push(r)).then(() => this.send(subject, data, opts));
  }

  /** Runs with a slot held; the slot passes to the next waiter, or is freed. */
  private async send(subject: string, data: Uint8Array, opts: Partial<JetStreamPublishOptions>): Promise<PubAck> {
    try {
      if (!this.link.healthy) throw new VigilError('NATS_UNAVAILABLE', 'not connected to NATS now');
      return await this.link.js.publish(subject, data, opts);
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw new VigilError('NATS_UNAVAILABLE', `publish to ${subject}: ${(err as Error).message}`, { cause: err });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inflight--;
    }
  }

  get pending(): number {
    return this.inflight;
  }
}
