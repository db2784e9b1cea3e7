// --nats: one agent session's batches, published to JetStream one batch at
// a time in arrival order per stream (alerts, events), each acked to the
// agent only after JetStream acked all of it. Acks are cumulative, so after one failure nothing later
// may be acked: the session closes with 4503 and the agent, which still
// holds everything unacked in its outbox, reconnects and resends (msgIDs
// make the resend land once).
import type { Logger } from 'pino';
import { CLOSE } from '../../../proto/src/close-codes';
import { validateAlertBatch, type BatchEnvelope, type SessionIo } from '../agents/agent-batches';
import type { Metrics } from '../metrics';
import type { Fleet } from './fleet';

export interface ClosableSession extends SessionIo { close(code: number, reason: string): void }

export class FleetBatchQueue {
  // One chain per stream: acks are cumulative per stream, so alerts need not wait behind forwarded events.
  private alertChain: Promise<void> = Promise.resolve();
  private eventChain: Promise<void> = Promise.resolve();
  private failed = false;
  private ackedAlerts = 0;

  constructor(private readonly session: ClosableSession, private readonly hostId: string, private readonly fleet: Fleet,
    private readonly metrics: Metrics, private readonly log: Logger) {}

  /** Validates now (a bad batch throws PROTOCOL_VIOLATION to the caller), publishes in order. */
  push(env: BatchEnvelope, raw?: Uint8Array): void {
    const run = (step: () => Promise<void>) => () => (this.failed ? undefined : step().catch((err: Error) => this.fail(err)));
    if (env.payload === 'alert_batch') this.alertChain = this.alertChain.then(run(this.alertStep(env.alert_batch)));
    else this.eventChain = this.eventChain.then(run(this.eventStep(env.event_batch, raw)));
  }

  private alertStep(batch: Extract<BatchEnvelope, { payload: 'alert_batch' }>['alert_batch']): () => Promise<void> {
    const items = validateAlertBatch(this.hostId, batch);
    return async () => {
      if (items.length === 0) return;
      await this.fleet.publishAlerts(this.hostId, items);
      this.ackedAlerts = Math.max(this.ackedAlerts, ...items.map((it) => it.seq));
      this.session.send({ ack: { stream: 'ACK_STREAM_ALERTS', seq: this.ackedAlerts } });
    };
  }

  /** `raw`: the verified Envelope bytes the agent sent, published as they are (no re-encode of every event). */
  private eventStep(batch: Extract<BatchEnvelope, { payload: 'event_batch' }>['event_batch'], raw?: Uint8Array): () => Promise<void> {
    return async () => {
      const n = batch.events.length;
      if (n === 0) return;
      this.metrics.eventsReceived.inc(n);
      await this.fleet.publishEvents(this.hostId, batch, raw);
      this.session.send({ ack: { stream: 'ACK_STREAM_EVENTS', seq: batch.first_seq + n - 1 } });
    };
  }

  private fail(err: Error): void {
    this.failed = true;
    this.log.warn({ err: err.message }, 'batch not stored in JetStream; closing the session so the agent resends');
    this.session.close(CLOSE.BACKBONE_UNAVAILABLE, 'fleet backbone unavailable; batch not stored, reconnect and resend');
  }
}
