// Builds the collector behind the loader from validated options: process
// model -> rules -> alerts, with the local store and the control-plane
// client as outputs. The one place these components meet.
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import type { Logger } from 'pino';
import { ruleErrorAlert, storeFaultAlert, storeRecoveredAlert, type AlertEvent } from '../alerts';
import type { EcsEvent } from '../model/ecs-event';
import type { ExceptionSet } from '../../../proto/src';
import { fromExceptionSet } from '../rules/exceptions/remote-exceptions';
import { ProcessModel } from '../process';
import { DEFAULT_RESPONSES_PER_MINUTE, ResponseService } from '../response/response-service';
import { planKernelResponses } from '../response/kernel-responses';
import type { ExecBlock } from './exec-block';
import { ResponseDb } from '../response/response-db';
import type { ResponseAction } from '../rules/types';
import type { Level } from '../baseline/config';
import { formatRuleError, RuleEngine, type LiveRuleError } from '../rules';
import { BackgroundEventStore, type RetentionPolicy } from '../store';
import { ControlPlaneClient, controlPlaneUrls, storeQueryHandler } from '../transport';
import { AgentMetrics } from './agent-metrics';
import { BaselineDb, BaselineEngine, serviceOf, type BaselineConfig } from '../baseline';
import { DetectionPipeline } from './detection-pipeline';
import { startMetricsServer, type ListenAddress } from './metrics-server';
import type { Server } from 'node:http';
import type { CaptureProfile, LoaderControl } from './loader-process';
import { probeCounts, type LoaderStats } from './loader-stats';
import type { LoaderGap } from './loader-supervisor';
import type { AgentPipeline, EventSink } from './run-agent';

export interface AgentRuntimeConfig {
  ruleDirs: string[];
  /** 'default': keep the kernel's read watch in step with the rules. */
  capture?: CaptureProfile;
  /** Event history DB; undefined keeps no history. */
  dbPath?: string;
  retention?: RetentionPolicy;
  controlPlane?: { url: string; token: string; caPath?: string; forwardEvents: boolean };
  /** Serve Prometheus metrics here. */
  metrics?: ListenAddress;
  /** Behavioural baselines (kept in dbPath when there is one); undefined: off. */
  baseline?: BaselineConfig;
  /** An anomaly at or above `floor` triggers `action`. */
  anomalyResponse?: { action: ResponseAction; floor: Level };
  /** Responses are recorded, not carried out. */
  responseDryRun?: boolean;
  /** Rules decided by the executable's name respond in the kernel at exec (default true; never in dry-run). */
  kernelResponses?: boolean;
  /** Executables no response acts on (spared in trees too), resolved to inode and device. */
  responseAllow?: readonly ExecBlock[];
  /** Where quarantined files go (root-only). */
  quarantineDir?: string;
  /** Endpoints isolated trees may still reach; the control plane is added by itself. */
  isolationAllow?: { ip: string; port: number }[];
  /** With a control plane: isolations end once it has been unreachable this long. */
  isolationFailsafeMs?: number;
  /** Automatic responses per rule per minute (ResponseService.maxPerMinute). */
  responsesPerMinute?: number;
}

/** Every address (IPv4 and IPv6) and port of the control-plane URLs (comma-separated replicas), resolved; the ones that cannot be are left out. */
async function controlPlaneEndpoints(urls: string): Promise<{ ip: string; port: number }[]> {
  const out: { ip: string; port: number }[] = [];
  let list: string[];
  try {
    list = controlPlaneUrls(urls);
  } catch {
    return out; // the transport refuses them with the reason
  }
  for (const url of list) {
    try {
      const u = new URL(url);
      const port = Number(u.port) || (u.protocol === 'wss:' ? 443 : 80);
      for (const { address } of await lookup(u.hostname.replace(/^\[|\]$/g, ''), { all: true })) out.push({ ip: address, port });
    } catch {
      // unresolvable now: isolated trees just cannot reach that one
    }
  }
  return out;
}

export class AgentRuntime implements AgentPipeline {
  private readonly pipeline: DetectionPipeline;
  private readonly engine?: RuleEngine;
  private readonly store?: BackgroundEventStore;
  private readonly client?: ControlPlaneClient;
  private emit: EventSink = () => undefined;
  private stats?: LoaderStats;
  private readonly metrics: AgentMetrics;
  private metricsServer?: Server;
  readonly baseline?: BaselineEngine;
  readonly responses: ResponseService;

  constructor(private readonly cfg: AgentRuntimeConfig, private readonly logger: Logger) {
    // Process metrics (and their event-loop monitor) only when someone can scrape them.
    this.metrics = new AgentMetrics({ defaultMetrics: cfg.metrics !== undefined, suppressedByException: () => this.engine?.suppressedByException ?? 0 });
    if (cfg.ruleDirs.length) {
      const log = logger.child({ module: 'rules' });
      this.engine = new RuleEngine({ dirs: cfg.ruleDirs, logger: log });
      for (const e of this.engine.lastErrors) log.warn(`rule skipped: ${formatRuleError(e)}`);
      log.info({ rules: this.engine.ruleSet.rules.length, dirs: cfg.ruleDirs }, 'rules loaded');
      this.engine.on('rule-error', (e: LiveRuleError) => this.onAlert(ruleErrorAlert(e, { host: hostname() })));
    }
    if (cfg.dbPath) {
      const path = cfg.dbPath;
      this.store = new BackgroundEventStore({
        path, retention: cfg.retention, logger: logger.child({ module: 'store' }), logLevel: logger.level,
        onWriteFault: (f) => this.onAlert(storeFaultAlert(f, path, { host: hostname() })),
        onWriteRecovered: (r) => this.onAlert(storeRecoveredAlert(r, path, { host: hostname() })),
      });
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
        actionHandler: (req) => this.responses.remote(req),
        exceptionsHandler: (set) => this.applyRemoteExceptions(set),
      });
    }
    this.responses = new ResponseService({
      logger: logger.child({ module: 'response' }),
      db: cfg.dbPath ? new ResponseDb(cfg.dbPath) : undefined,
      dryRun: cfg.responseDryRun,
      quarantineDir: cfg.quarantineDir,
      isolationAllow: cfg.isolationAllow,
      controlPlaneUp: cfg.controlPlane ? () => this.client?.stats().connected : undefined,
      isolationFailsafeMs: cfg.isolationFailsafeMs,
      maxPerMinute: cfg.responsesPerMinute,
      allow: cfg.responseAllow,
      host: hostname(),
    });
    const model = new ProcessModel();
    if (cfg.baseline) {
      // After the store: its opener has created and migrated the file.
      const db = cfg.dbPath ? new BaselineDb(cfg.dbPath) : undefined;
      if (!db) logger.warn('behavioural baseline kept in memory only (--no-db): it relearns from scratch at every start');
      this.baseline = new BaselineEngine({
        config: cfg.baseline, db, host: hostname(),
        serviceOf: (ev) => serviceOf(model.lookup(ev.process.entity_id)?.cgroupPath, ev.container?.id),
      });
      const st = this.baseline.status();
      logger.info({ entries: st.entries, learning: st.learning, learning_ends: new Date(st.learning_ends).toISOString() }, 'behavioural baseline loaded');
    }
    this.pipeline = new DetectionPipeline({
      model,
      baseline: this.baseline,
      engine: this.engine,
      logger: logger.child({ module: 'pipeline' }),
      host: hostname(),
      responder: this.responses,
      anomalyResponse: cfg.anomalyResponse,
      sinks: { event: (ev) => this.onEvent(ev), alert: (a) => this.onAlert(a) },
    });
  }

  /** Rules are read at start: a response rule added later waits for the loader's poll (a few ms) until the agent restarts. */
  respondsToExecs(): boolean {
    return Boolean(this.cfg.anomalyResponse) || (this.engine?.ruleSet.rules.some((r) => r.kind === 'rule' && (r.meta.response?.length ?? 0) > 0) ?? false);
  }

  /** Default profile: the kernel ships the read-only opens the rules can match, re-derived on every reload. */
  attachLoader(ctl: LoaderControl, loaderPids: () => number[] = () => []): void {
    this.responses.attachLoader(ctl, loaderPids);
    if (this.cfg.responseAllow?.length) {
      ctl.setResponseAllow(this.cfg.responseAllow);
      this.logger.info({ paths: this.cfg.responseAllow.map((f) => f.path) }, 'no response acts on these executables');
    }
    // An isolated tree must never cut the way to the control plane (host isolation would be the case that matters).
    if (this.cfg.controlPlane) void controlPlaneEndpoints(this.cfg.controlPlane.url).then((eps) => eps.forEach((ep) => void this.responses.allow(ep)));
    this.pushKernelResponses(ctl);
    if (this.cfg.capture !== 'default') return;
    const log = this.logger.child({ module: 'read-watch' });
    const push = (): void => {
      const need = this.engine?.ruleSet.readNeed();
      if (need?.kind === 'all') {
        log.warn({ rule: need.rule }, `every read-only open ships: ${need.reason}`);
        ctl.setReadWatch('all');
        return;
      }
      // No rules, or none that sees a read: an empty watch.
      const watch = need?.kind === 'names' ? { files: need.files, dirs: need.dirs } : { files: [], dirs: [] };
      log.info({ files: watch.files.length, dirs: watch.dirs.length }, 'read-only opens filtered in kernel to the names the rules need');
      ctl.setReadWatch(watch);
    };
    push();
    this.engine?.on('reload', push);
  }

  /** The rules the kernel carries out at exec, re-planned on every reload and exception change. */
  private pushKernelResponses(ctl: LoaderControl): void {
    const engine = this.engine;
    if (!engine || this.cfg.kernelResponses === false || this.cfg.responseDryRun) return;
    const log = this.logger.child({ module: 'kernel-responses' });
    let last = '';
    const push = (): void => {
      const plan = planKernelResponses(engine.ruleSet.rules, engine.exceptions, this.cfg.responsesPerMinute ?? DEFAULT_RESPONSES_PER_MINUTE);
      const sig = JSON.stringify(plan.entries);
      if (sig === last) return;
      last = sig;
      for (const u of plan.userSpace) log.info({ rule: u.rule }, `responds from user space: ${u.reason}`);
      if (plan.entries.length) log.info({ rules: plan.entries.map((e) => `${e.index}:${e.rule}`) }, 'rules the kernel carries out at exec');
      ctl.setKernelResponses(plan.entries);
    };
    push();
    engine.on('reload', push);
    engine.on('exceptions', push);
  }

  start(emit: EventSink): void {
    this.emit = emit;
    this.engine?.start();
    this.client?.start();
    this.pipeline.start();
    this.baseline?.start();
    this.responses.start();
    if (this.cfg.metrics) {
      const at = this.cfg.metrics;
      startMetricsServer(this.metrics.registry, at).then(
        (srv) => {
          this.metricsServer = srv;
          this.logger.info({ url: `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/metrics` }, 'serving Prometheus metrics');
        },
        (err: Error) => this.logger.error({ err: err.message }, `cannot serve metrics on ${at.host}:${at.port}; the agent goes on without them`),
      );
    }
  }

  ingest(ev: EcsEvent): void {
    this.metrics.onEvent(ev);
    this.pipeline.ingest(ev);
  }

  onLoaderGap(gap: LoaderGap): void {
    this.metrics.onLoaderGap(gap.gapMs);
    this.pipeline.onLoaderGap(gap);
  }

  onLoaderStats(stats: LoaderStats): void {
    this.stats = stats;
    this.metrics.onLoaderStats(stats);
    this.pipeline.onLoaderStats(stats);
  }

  async stop(): Promise<void> {
    this.metricsServer?.close();
    this.pipeline.stop();
    this.baseline?.stop();
    await this.responses.stop();
    this.engine?.close();
    await this.client?.stop();
    const writer = await this.store?.close();
    this.logger.info({ pipeline: this.pipeline.counters, store: { ...this.store?.stats(), writer }, transport: this.client?.stats() }, 'collector stopped');
  }

  private onEvent(ev: EcsEvent): void {
    this.emit(ev);
    this.store?.append(ev);
    if (this.client) this.client.enqueueEvents([ev]);
  }

  private onAlert(alert: AlertEvent): void {
    this.metrics.onAlert(alert.rule?.level);
    const doc = alert as unknown as EcsEvent;
    this.emit(doc);
    this.store?.append(doc);
    this.client?.enqueueAlert(alert);
  }

  /** The control plane's exceptions for this host replace the last set it sent. */
  private applyRemoteExceptions(set: ExceptionSet): void {
    const log = this.logger.child({ module: 'rules' });
    if (!this.engine) return log.warn({}, 'control plane sent exceptions but no rules are loaded; ignored');
    this.engine.setRemoteExceptions(fromExceptionSet(set, (id, reason) => log.warn({ exception: id }, `control-plane exception refused: ${reason}`)));
  }

  private heartbeatStats() {
    const s = this.stats;
    const probes = probeCounts(s?.probes ?? []);
    return {
      events: s?.events ?? 0,
      drops: s?.drops ?? 0,
      truncated: s?.truncated ?? 0,
      filtered: s?.filtered ?? 0,
      probes_attached: probes.attached,
      // Probes off by design (a tracepoint this kernel lacks) are not failures on the dashboard.
      probes_failed: probes.failed,
      risky_trees: this.baseline?.storylines.top(5, Date.now()) ?? [],
    };
  }
}
