// JetStream publishes without waiting for each ack before the next (the
// throughput of async publish), but with a cap on acks outstanding so a
// burst or a slow server cannot queue without bound. Refuses at once while
// the connection is down instead of filling the client's reconnect buffer.
import type { JetStreamPublishOptions, PubAck } from 'nats';
import { VigilError } from '../errors';
import type { NatsLink } from './nats-link';

export class BoundedPublisher {
  private inflight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly link: NatsLink, private readonly maxPending: number) {}

  async publish(subject: string, data: Uint8Array, opts: Partial<JetStreamPublishOptions> = {}): Promise<PubAck> {
    while (this.inflight >= this.maxPending) await new Promise<void>((r) => this.waiting.push(r));
    if (!this.link.healthy) throw new VigilError('NATS_UNAVAILABLE', 'not connected to NATS now');
    this.inflight++;
    try {
      return await this.link.js.publish(subject, data, opts);
    } catch (err) {
      throw new VigilError('NATS_UNAVAILABLE', `publish to ${subject}: ${(err as Error).message}`, { cause: err });
    } finally {
      this.inflight--;
      this.waiting.shift()?.();
    }
  }

  get pending(): number {
    return this.inflight;
  }
}
