// Every replica reads all of VIGIL_ALERTS, in order, into its own SQLite
// alert store under the stream sequence. So REST, feeds and resume-by-
// cursor on any replica share one sequence space: the stream's. An ordered
// consumer is ephemeral and recreates itself after a server restart; it
// starts after the highest seq this replica already stored. Messages are
// stored in batches, one SQLite transaction each, published after commit.
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import type { Logger } from 'pino';
import { decodeAlert } from '../../../proto/src';
import type { AlertIngest, StreamAlert } from '../alerts/alert-ingest';
import type { AlertStore } from '../store/alert-store';
import { CHANGE_SOURCE, SOURCE_HEADER } from './alert-stream';
import { parseChange } from '../changes/change';
import type { NatsLink } from './nats-link';
import { ALERTS_STREAM } from './streams';

/** Wait before re-reading the stream after this replica failed to store an alert. */
const RETRY_MS = 1000;
/**
 * Most messages stored in one transaction. A pull delivers hundreds at once
 * and for-await only yields microtasks, so a full batch is stored and the
 * event loop gets a turn (agent frames, acks) before the next is read.
 */
const BATCH_MAX = 128;
/** Reads of one message that fails to store before it is skipped (about MAX_TRIES * RETRY_MS). */
const MAX_TRIES = 10;

/** A message taken from the stream: its alert, or null when it was unreadable (skipped). */
interface Taken { streamSeq: number; item: StreamAlert | null }

export class AlertConsumer {
  private messages: ConsumerMessages | undefined;
  private lastSeq = 0;
  /** Highest seq taken into the buffer (or applied). */
  private seen = 0;
  private buffer: Taken[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private broken = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Failed attempts to store a message (each is read again; skipped only after MAX_TRIES). */
  storeFailures = 0;
  private failingSeq = 0;
  private failingTries = 0;

  constructor(private readonly link: NatsLink, private readonly ingest: AlertIngest, private readonly store: AlertStore,
    private readonly maxBytes: number, private readonly log: Logger) {}

  async start(): Promise<void> {
    this.lastSeq = this.store.maxSeq();
    await this.subscribe();
  }

  /** Reads the stream from the message after the last one applied here. */
  private async subscribe(): Promise<void> {
    this.broken = false;
    this.seen = this.lastSeq;
    this.buffer = [];
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
        if (this.broken || messages !== this.messages) return;
        this.take(m);
        if (this.buffer.length >= BATCH_MAX) {
          this.flush();
          await new Promise((r) => setImmediate(r));
        } else {
          this.flushTimer ??= setImmediate(() => this.flush());
        }
      }
    } catch (err) {
      this.log.error({ err }, 'alert stream consumer stopped');
      this.retryLater();
    }
  }

  private take(m: JsMsg): void {
    // An ordered consumer may redeliver after a reset.
    if (m.seq <= this.seen) return;
    this.seen = m.seq;
    try {
      if (m.headers?.get(SOURCE_HEADER) === CHANGE_SOURCE) {
        this.buffer.push({ streamSeq: m.seq, item: { streamSeq: m.seq, source: 'change', change: parseChange(m.data) } });
        return;
      }
      const alert = decodeAlert(m.data, this.maxBytes);
      const source = m.headers?.get(SOURCE_HEADER) === 'control-plane' ? 'control-plane' : 'agent';
      this.buffer.push({ streamSeq: m.seq, item: { streamSeq: m.seq, source, alert } });
    } catch (err) {
      // Every replica skips the same message, so the sequence spaces stay equal.
      this.log.error({ err, stream_seq: m.seq, subject: m.subject }, 'unreadable message in VIGIL_ALERTS skipped');
      this.buffer.push({ streamSeq: m.seq, item: null });
    }
  }

  /**
   * Stores the buffer in one transaction. If it rolls back, stores one by
   * one to find the message that fails; what precedes it is kept and the
   * stream is read again from it. A message that still fails after
   * MAX_TRIES reads is skipped, so one poison message cannot stall the
   * replica for ever (a transient failure, such as a full disk, is retried).
   */
  private flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0 || this.broken) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.ingest.fromStream(batch.flatMap((t) => (t.item ? [t.item] : [])));
      this.lastSeq = batch[batch.length - 1].streamSeq;
      return;
    } catch {
      // Find the culprit below.
    }
    for (const t of batch) {
      try {
        if (t.item) this.ingest.fromStream([t.item]);
      } catch (err) {
        return this.failedAt(t.streamSeq, err);
      }
      this.lastSeq = t.streamSeq;
    }
  }

  private failedAt(seq: number, err: unknown): void {
    this.storeFailures++;
    this.failingTries = seq === this.failingSeq ? this.failingTries + 1 : 1;
    this.failingSeq = seq;
    if (this.failingTries >= MAX_TRIES) {
      this.log.error({ err, stream_seq: seq, tries: this.failingTries }, 'cannot store this alert from VIGIL_ALERTS; skipped it');
      this.lastSeq = seq;
    } else {
      this.log.error({ err, stream_seq: seq }, `cannot store an alert; reading VIGIL_ALERTS again from it in ${RETRY_MS} ms`);
    }
    this.broken = true;
    this.messages?.stop();
    this.retryLater();
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
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.messages?.stop();
  }
}
