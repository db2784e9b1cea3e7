// Normalized event -> process model (context, retry queue) -> rules ->
// deduped alerts. Outputs go to the sinks in order: every event first, then
// the alerts it raised, so a reader always sees an alert's cause before it.
import type { Logger } from 'pino';
import { AlertDeduper, buildAlert, dropAlert, loaderGapAlert, type AlertEvent, type DropStats, type LoaderGapInfo } from '../alerts';
import type { EcsEvent, EventCategory } from '../model/ecs-event';
import type { ProcessModel } from '../process';
import type { RuleEngine, RuleMatch } from '../rules';
import type { ResponseRecord } from '../response/responder';
import type { ResponseService } from '../response/response-service';
import type { ResponseAction } from '../rules/types';
import { LEVELS, type Level } from '../baseline/config';
import { ANOMALY_RULE_ID, anomalyAlert } from '../alerts/anomaly-alert';
import type { BaselineEngine } from '../baseline';

export interface PipelineSinks {
  event(ev: EcsEvent): void;
  alert(alert: AlertEvent): void;
}

export interface DetectionPipelineOptions {
  model: ProcessModel;
  engine?: RuleEngine;
  sinks: PipelineSinks;
  logger: Logger;
  host: string;
  dedupWindowMs?: number;
  /** Acts on a matching rule's `response:` (kill, kill-tree, suspend-tree, isolate-tree). */
  responder?: ResponseService;
  /** An anomaly at or above `floor` triggers `action` on its process. */
  anomalyResponse?: { action: ResponseAction; floor: Level };
  /** Behavioural baselines: scores each event before the rules see it (they can use the score). */
  baseline?: BaselineEngine;
}

const CATEGORY_OF: Record<string, EventCategory> = { exec: 'process', fork: 'process', exit: 'process' };
const ANOMALY_RULE = { id: ANOMALY_RULE_ID, title: ANOMALY_RULE_ID };
/** Flush timer period when no event waits in the process model's retry queue. */
const IDLE_FLUSH_MS = 500;

export class DetectionPipeline {
  private readonly deduper: AlertDeduper;
  private flushTimer?: NodeJS.Timeout;
  private prevDrops?: DropStats;
  private ruleErrors = 0;
  private baselineErrors = 0;
  private idle = false;
  readonly counters = { events: 0, alerts: 0, ruleErrors: 0, responses: 0, anomalies: 0, baselineErrors: 0 };

  constructor(private readonly opts: DetectionPipelineOptions) {
    this.deduper = new AlertDeduper({ windowMs: opts.dedupWindowMs });
  }

  start(): void {
    this.opts.model.seed();
    this.deduper.start((a) => this.emitAlert(a));
    this.scheduleFlush();
  }

  /** Called for every normalized event, in kernel order. */
  ingest(ev: EcsEvent): void {
    for (const ready of this.opts.model.ingest(ev)) this.process(ready);
    if (this.idle && this.flushTimer && this.opts.model.nextDueInMs() !== undefined) {
      clearTimeout(this.flushTimer); // an event now waits for its process: release it on time
      this.scheduleFlush();
    }
  }

  /** Loader STATS: growing drop or abandon counters become an alert. */
  onLoaderStats(stats: DropStats): void {
    const alert = dropAlert(stats, this.prevDrops, { host: this.opts.host });
    this.prevDrops = { drops: stats.drops, events: stats.events, abandoned: stats.abandoned && { ...stats.abandoned } };
    if (alert) this.emitAlert(alert);
  }

  /** The loader died and was replaced: the blind interval is a loss, alerted like drops. */
  onLoaderGap(gap: LoaderGapInfo): void {
    this.prevDrops = undefined; // the new loader's counters start from zero
    this.emitAlert(loaderGapAlert(gap, { host: this.opts.host }));
  }

  /** Releases everything still queued: retry queue, then dedup windows. */
  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const ev of this.opts.model.flushDue(Number.MAX_SAFE_INTEGER)) this.process(ev);
    this.deduper.stop();
    for (const a of this.deduper.drain()) this.emitAlert(a);
  }

  private process(ev: EcsEvent): void {
    this.counters.events++;
    const finding = this.score(ev);
    this.opts.sinks.event(ev);
    if (ev.event.action === 'exec') {
      const q = this.opts.responder?.onExec(ev);
      if (q) this.emitAlert(q);
    }
    if (finding && !this.opts.engine?.excepted(ANOMALY_RULE, finding.event)) {
      this.counters.anomalies++;
      const alert = anomalyAlert(finding, { host: this.opts.host });
      const ar = this.opts.anomalyResponse;
      if (ar && this.opts.responder && LEVELS.indexOf(finding.level) >= LEVELS.indexOf(ar.floor)) {
        this.counters.responses++;
        this.withResponses(alert, [this.opts.responder.act(ar.action, finding.event, 'anomaly', finding.explanation)], (a) => this.emitAlert(a));
      } else this.emitAlert(alert);
    }
    const engine = this.opts.engine;
    if (!engine) return;
    let matches;
    try {
      matches = engine.evaluate(ev);
    } catch (err) {
      // A rule bug must never stop capture: count it, log the first.
      if (this.ruleErrors++ === 0) this.opts.logger.error({ err }, 'rule evaluation threw (further errors only counted)');
      this.counters.ruleErrors = this.ruleErrors;
      return;
    }
    for (const m of matches) {
      // Act first, every time: deduplication quiets alerts, not responses.
      const responses = this.respond(m);
      const alert = buildAlert(m, (id) => this.recentActivity(id));
      this.withResponses(alert, responses, (a) => {
        for (const out of this.deduper.offer(a)) this.emitAlert(out);
      });
    }
  }

  private score(ev: EcsEvent) {
    const b = this.opts.baseline;
    if (!b) return undefined;
    try {
      return b.process(ev);
    } catch (err) {
      if (this.baselineErrors++ === 0) this.opts.logger.error({ err }, 'baseline scoring threw (further errors only counted)');
      this.counters.baselineErrors = this.baselineErrors;
      return undefined;
    }
  }

  private respond(m: RuleMatch): (ResponseRecord | Promise<ResponseRecord>)[] {
    const actions = m.rule.response;
    const target = m.events[m.events.length - 1];
    if (!actions?.length || !this.opts.responder || !target) return [];
    this.counters.responses += actions.length;
    return actions.map((a) => this.opts.responder!.act(a, target, `rule:${m.rule.id}`, m.rule.title));
  }

  /** The alert carries the outcome of its responses: one that needs the loader is awaited (confirmed or failed). */
  private withResponses(alert: AlertEvent, responses: (ResponseRecord | Promise<ResponseRecord>)[], emit: (a: AlertEvent) => void): void {
    if (!responses.length) return emit(alert);
    if (responses.every((r) => !(r instanceof Promise))) {
      alert.vigil.response = responses as ResponseRecord[];
      return emit(alert);
    }
    void Promise.all(responses).then((done) => {
      alert.vigil.response = done;
      emit(alert);
    });
  }

  private emitAlert(alert: AlertEvent): void {
    this.counters.alerts++;
    this.opts.sinks.alert(alert);
  }

  /** The process model keeps compact summaries; present them as slim events. */
  private recentActivity(entityId: string): EcsEvent[] {
    return this.opts.model.recentActivity(entityId).map((item) => ({
      '@timestamp': item['@timestamp'],
      event: { kind: 'event', action: item.action, category: [CATEGORY_OF[item.action] ?? categoryFromSummary(item.summary)] },
      vigil: { summary: item.summary },
    }) as unknown as EcsEvent);
  }

  private scheduleFlush(): void {
    const due = this.opts.model.nextDueInMs();
    // Nothing waiting: wake rarely (sweeps only); ingest() re-arms when something queues.
    this.idle = due === undefined;
    const delay = due === undefined ? IDLE_FLUSH_MS : Math.max(5, Math.min(due, 50));
    this.flushTimer = setTimeout(() => {
      for (const ev of this.opts.model.flushDue()) this.process(ev);
      this.scheduleFlush();
    }, delay);
    this.flushTimer.unref();
  }
}

function categoryFromSummary(summary: string): EventCategory {
  return /^(connect|accept|bind|listen|socket|tcp-state)\b/.test(summary) ? 'network' : 'file';
}
