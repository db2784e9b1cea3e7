// --nats: "which hosts ran X" across replicas. Each replica indexes the
// batches its own agents forwarded (ExecIndex); a question is asked of every
// replica over NATS (scatter-gather on vigil.fleet.execs) and the answers
// merged. A replica that does not answer within the wait is reported, not
// waited for.
import { RequestStrategy, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { mergeExecRows, type ExecIndex, type ExecRow } from '../store/exec-index';
import type { NatsLink } from './nats-link';

export const EXEC_HISTORY_SUBJECT = 'vigil.fleet.execs';
const WAIT_MS = 1000;

interface Ask { glob: string; since_ms: number; until_ms: number; limit: number }

export class ExecHistoryRelay {
  private sub: Subscription | undefined;

  constructor(private readonly link: NatsLink, private readonly index: ExecIndex, private readonly log: Logger) {}

  start(): void {
    this.sub = this.link.nc.subscribe(EXEC_HISTORY_SUBJECT, { callback: (err, m) => {
      if (err) return;
      try {
        const a = m.json<Ask>();
        m.respond(JSON.stringify(this.index.hostsThatRan(a.glob, a.since_ms, a.until_ms, a.limit)));
      } catch (e) {
        this.log.error({ err: e }, 'fleet exec history question not answered');
      }
    } });
  }

  /** Every replica's rows, merged; `replicas` says how many answered. */
  async ask(glob: string, sinceMs: number, untilMs: number, limit: number): Promise<{ rows: ExecRow[]; replicas: number }> {
    const replies = await this.link.nc.requestMany(EXEC_HISTORY_SUBJECT, JSON.stringify({ glob, since_ms: sinceMs, until_ms: untilMs, limit }),
      { strategy: RequestStrategy.Timer, maxWait: WAIT_MS });
    const lists: ExecRow[][] = [];
    for await (const m of replies) {
      try { lists.push(m.json<ExecRow[]>()); } catch { /* a reply that is not rows: ignored */ }
    }
    return { rows: mergeExecRows(lists).slice(0, limit), replicas: lists.length };
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}
