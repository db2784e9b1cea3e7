// Every replica reads all of VIGIL_ALERTS, in order, into its own SQLite
// alert store under the stream sequence. So REST, feeds and resume-by-
// cursor on any replica share one sequence space: the stream's. An ordered
// consumer is ephemeral and recreates itself after a server restart; it
// starts after the highest seq this replica already stored.
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import type { Logger } from 'pino';
import { decodeAlert } from '../../../proto/src';
import type { AlertIngest } from '../alerts/alert-ingest';
import type { AlertStore } from '../store/alert-store';
import { SOURCE_HEADER } from './alert-stream';
import type { NatsLink } from './nats-link';
import { ALERTS_STREAM } from './streams';

/** Wait before re-reading the stream after this replica failed to store an alert. */
const RETRY_MS = 1000;

export class AlertConsumer {
  private messages: ConsumerMessages | undefined;
  private lastSeq = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Alerts this replica could not store (each is read again, never skipped). */
  storeFailures = 0;

  constructor(private readonly link: NatsLink, private readonly ingest: AlertIngest, private readonly store: AlertStore,
    private readonly maxBytes: number, private readonly log: Logger) {}

  async start(): Promise<void> {
    this.lastSeq = this.store.maxSeq();
    await this.subscribe();
  }

  /** Reads the stream from the message after the last one applied here. */
  private async subscribe(): Promise<void> {
    // No filterSubjects: the stream holds only alerts, and Debian's nats-server 2.9 would hang on it (2.10+).
    const consumer = await this.link.js.consumers.get(ALERTS_STREAM, {
      deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSeq + 1,
    });
    // Pulls expire after 5 s (default 30 s): a restarted server is noticed, and the consumer recreated, within seconds.
    this.messages = await consumer.consume({ max_messages: 1000, expires: 5000 });
    void this.loop(this.messages);
  }

  /** Highest stream seq applied here (stored, or skipped as unreadable). */
  get applied(): number {
    return this.lastSeq;
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        if (this.apply(m)) continue;
        messages.stop();
        return this.retryLater();
      }
    } catch (err) {
      this.log.error({ err }, 'alert stream consumer stopped');
      this.retryLater();
    }
  }

  /** False when the alert could not be stored: it must be read again, not skipped. */
  private apply(m: JsMsg): boolean {
    // An ordered consumer may redeliver after a reset.
    if (m.seq <= this.lastSeq) return true;
    let alert;
    try {
      alert = decodeAlert(m.data, this.maxBytes);
    } catch (err) {
      // Every replica skips the same message, so the sequence spaces stay equal.
      this.log.error({ err, stream_seq: m.seq, subject: m.subject }, 'unreadable message in VIGIL_ALERTS skipped');
      this.lastSeq = m.seq;
      return true;
    }
    try {
      this.ingest.fromStream(m.seq, m.headers?.get(SOURCE_HEADER) === 'control-plane' ? 'control-plane' : 'agent', alert);
    } catch (err) {
      this.storeFailures++;
      this.log.error({ err, stream_seq: m.seq }, `cannot store the alert; reading VIGIL_ALERTS again from it in ${RETRY_MS} ms`);
      return false;
    }
    this.lastSeq = m.seq;
    return true;
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.subscribe().catch((err: Error) => {
        this.log.error({ err: err.message }, 'cannot resubscribe to VIGIL_ALERTS');
        this.retryLater();
      });
    }, RETRY_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.messages?.stop();
  }
}
