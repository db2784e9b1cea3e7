// Moves outbox rows to the control plane in seq order. Backlog and live
// alerts take the same path (read the outbox after the last seq sent), so
// there is no separate resend logic that could skip or reorder a seq. The
// number of sent-but-unacked rows is bounded, which bounds socket memory.
import type { Logger } from 'pino';
import type { Alert, DeepPartial, EnvelopeInit } from '../../../proto/src';
import { toAlertMessage } from './alert-message';
import type { Outbox } from './outbox';

export interface AlertSenderOptions {
  batchSize: number;      // alerts per AlertBatch
  maxBatchBytes: number;  // encoded alerts per AlertBatch
  maxInflight: number;    // sent-but-unacked alerts
  log: Logger;
}

interface Inflight { lastSeq: number; count: number; at: number }

export class AlertSender {
  /** Highest seq sent on the current connection. */
  private sentUpTo = 0;
  /** Highest seq the control plane may legitimately know: issued before this process, or sent by it. */
  private knownUpTo: number;
  private inflight: Inflight[] = [];
  sent = 0;
  slimmed = 0;

  constructor(private readonly outbox: Outbox, private readonly opts: AlertSenderOptions) {
    this.knownUpTo = outbox.lastSeq();
  }

  /** ServerHello: everything up to `storedSeq` is stored; resume after it. */
  onServerHello(storedSeq: number): void {
    this.inflight = [];
    if (storedSeq > this.knownUpTo) {
      // The control plane holds seqs this outbox never issued (outbox file
      // replaced, or an OS crash lost its tail): our numbers would be
      // deduplicated away, so renumber what is queued to follow its history.
      const moved = this.outbox.reseat(storedSeq);
      this.opts.log.warn({ server_seq: storedSeq, outbox_seq: this.knownUpTo, renumbered: moved },
        'control plane knows alert seqs this agent never issued; renumbered queued alerts after them');
      this.knownUpTo = storedSeq;
    } else {
      this.outbox.ack(storedSeq);
    }
    this.sentUpTo = storedSeq;
  }

  /** Ack for the alert stream: drop rows up to it (never beyond what this connection sent). */
  onAck(seq: number): number {
    const upTo = Math.min(seq, this.sentUpTo);
    this.inflight = this.inflight.filter((b) => b.lastSeq > upTo);
    return this.outbox.ack(upTo);
  }

  onDisconnect(): void {
    this.inflight = [];
  }

  get inflightCount(): number {
    return this.inflight.reduce((n, b) => n + b.count, 0);
  }

  /** When the oldest unacked batch was sent, if any. */
  get oldestInflightAt(): number | undefined {
    return this.inflight[0]?.at;
  }

  /** Sends as many batches as the inflight bound allows. Returns alerts sent. */
  pump(send: (env: EnvelopeInit) => boolean): number {
    let total = 0;
    for (;;) {
      const room = this.opts.maxInflight - this.inflightCount;
      if (room <= 0) return total;
      const rows = this.outbox.readAfter(this.sentUpTo, Math.min(room, this.opts.batchSize));
      if (rows.length === 0) return total;
      const alerts: DeepPartial<Alert>[] = [];
      let bytes = 0;
      for (const row of rows) {
        const msg = toAlertMessage(row.seq, row.doc, this.opts.maxBatchBytes);
        if (alerts.length > 0 && bytes + msg.bytes + 8 > this.opts.maxBatchBytes) break;
        if (msg.slimmed) {
          this.slimmed++;
          this.opts.log.warn({ seq: row.seq, steps: msg.slimmed }, 'alert too large for one frame; sent with its event lists trimmed');
        }
        alerts.push(msg.alert);
        bytes += msg.bytes + 8;
      }
      const first = alerts[0].seq as number;
      const last = alerts[alerts.length - 1].seq as number;
      if (!send({ alert_batch: { first_seq: first, alerts } })) return total;
      this.sentUpTo = last;
      this.knownUpTo = Math.max(this.knownUpTo, last);
      this.inflight.push({ lastSeq: last, count: alerts.length, at: Date.now() });
      this.sent += alerts.length;
      total += alerts.length;
    }
  }
}
