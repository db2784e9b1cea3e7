// Builds the collector behind the loader from validated options: process
// model -> rules -> alerts, with the local store and the control-plane
// client as outputs. The one place these components meet.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AlertEvent } from '../alerts';
import type { EcsEvent } from '../model/ecs-event';
import { ProcessModel } from '../process';
import { formatRuleError, RuleEngine } from '../rules';
import { EventStore, type RetentionPolicy } from '../store';
import { ControlPlaneClient, storeQueryHandler } from '../transport';
import { DetectionPipeline } from './detection-pipeline';
import type { LoaderStats } from './loader-stats';
import type { AgentPipeline, EventSink } from './run-agent';

export interface AgentRuntimeConfig {
  ruleDirs: string[];
  /** Event history DB; undefined keeps no history. */
  dbPath?: string;
  retention?: RetentionPolicy;
  controlPlane?: { url: string; token: string; caPath?: string; forwardEvents: boolean };
}

export class AgentRuntime implements AgentPipeline {
  private readonly pipeline: DetectionPipeline;
  private readonly engine?: RuleEngine;
  private readonly store?: EventStore;
  private readonly client?: ControlPlaneClient;
  private emit: EventSink = () => undefined;
  private stats?: LoaderStats;

  constructor(cfg: AgentRuntimeConfig, private readonly logger: Logger) {
    if (cfg.ruleDirs.length) {
      const log = logger.child({ module: 'rules' });
      this.engine = new RuleEngine({ dirs: cfg.ruleDirs, logger: log });
      for (const e of this.engine.lastErrors) log.warn(`rule skipped: ${formatRuleError(e)}`);
      log.info({ rules: this.engine.ruleSet.rules.length, dirs: cfg.ruleDirs }, 'rules loaded');
    }
    if (cfg.dbPath) {
      this.store = new EventStore({ path: cfg.dbPath, retention: cfg.retention, logger: logger.child({ module: 'store' }) });
    }
    if (cfg.controlPlane) {
      const cp = cfg.controlPlane;
      this.client = new ControlPlaneClient({
        url: cp.url,
        token: cp.token,
        caPath: cp.caPath,
        forwardEvents: cp.forwardEvents,
        outboxPath: cfg.dbPath ? `${cfg.dbPath}.outbox` : '/var/lib/vigil/outbox.db',
        logger: logger.child({ module: 'transport' }),
        statsProvider: () => this.heartbeatStats(),
        queryHandler: this.store ? storeQueryHandler(this.store) : undefined,
      });
    }
    this.pipeline = new DetectionPipeline({
      model: new ProcessModel(),
      engine: this.engine,
      logger: logger.child({ module: 'pipeline' }),
      host: hostname(),
      sinks: { event: (ev) => this.onEvent(ev), alert: (a) => this.onAlert(a) },
    });
  }

  start(emit: EventSink): void {
    this.emit = emit;
    this.engine?.start();
    this.client?.start();
    this.pipeline.start();
  }

  ingest(ev: EcsEvent): void {
    this.pipeline.ingest(ev);
  }

  onLoaderStats(stats: LoaderStats): void {
    this.stats = stats;
    this.pipeline.onLoaderStats(stats);
  }

  async stop(): Promise<void> {
    this.pipeline.stop();
    this.engine?.close();
    await this.client?.stop();
    const s = this.store?.close();
    this.logger.info({ pipeline: this.pipeline.counters, store: s, transport: this.client?.stats() }, 'collector stopped');
  }

  private onEvent(ev: EcsEvent): void {
    this.emit(ev);
    this.store?.append(ev);
    if (this.client) this.client.enqueueEvents([ev]);
  }

  private onAlert(alert: AlertEvent): void {
    const doc = alert as unknown as EcsEvent;
    this.emit(doc);
    this.store?.append(doc);
    this.client?.enqueueAlert(alert);
  }

  private heartbeatStats() {
    const s = this.stats;
    const attached = s?.probes.filter((p) => p.attached).length ?? 0;
    return {
      events: s?.events ?? 0,
      drops: s?.drops ?? 0,
      truncated: s?.truncated ?? 0,
      filtered: s?.filtered ?? 0,
      probes_attached: attached,
      probes_failed: (s?.probes.length ?? 0) - attached,
    };
  }
}
