// Forwarded event batches into VIGIL_EVENTS and heartbeats into
// VIGIL_HEARTBEATS, each message one vigil.v1.Envelope. Event batches are
// acked to the agent after JetStream acked them (msgID "<host>:<first_seq>"
// drops re-sends); heartbeats are fire-and-forget, a lost one costs nothing.
import type { Logger } from 'pino';
import type { EventBatch, Heartbeat } from '../../../proto/src';
import { encodeEnvelope } from '../../../proto/src';
import type { BoundedPublisher } from './bounded-publisher';
import { eventSubject, heartbeatSubject } from './streams';

export class TelemetryStream {
  constructor(private readonly pub: BoundedPublisher, private readonly maxBytes: number, private readonly log: Logger) {}

  /** `raw`: the agent's Envelope bytes, already decoded and verified; re-encoding a batch costs more than storing it. */
  async publishEvents(hostId: string, batch: EventBatch, raw?: Uint8Array): Promise<void> {
    await this.pub.publish(eventSubject(hostId), raw ?? encodeEnvelope({ event_batch: batch }, this.maxBytes),
      { msgID: `${hostId}:${batch.first_seq}` });
  }

  publishHeartbeat(hostId: string, hb: Heartbeat): void {
    this.pub.publish(heartbeatSubject(hostId), encodeEnvelope({ heartbeat: hb }, this.maxBytes))
      .catch((err: Error) => this.log.debug({ err: err.message, host_id: hostId }, 'heartbeat not published'));
  }
}
