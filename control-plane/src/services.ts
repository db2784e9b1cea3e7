// The control plane's domain services, built once per app from Config.
// Routes and sockets receive this object; nothing reaches for globals.
import type { Logger } from 'pino';
import { AgentRegistry } from './agents/agent-registry';
import { HealthMonitor } from './agents/health-monitor';
import { AlertIngest } from './alerts/alert-ingest';
import type { Config } from './config';
import { AlertBus } from './feeds/alert-bus';
import { createMetrics, type Metrics } from './metrics';
import { AgentStore } from './store/agent-store';
import { AlertStore } from './store/alert-store';
import { AuditStore } from './store/audit-store';
import { openDb, type Db } from './store/db';
import { TokenStore } from './store/token-store';
import { IncidentStore } from './store/incident-store';
import { ExceptionStore } from './store/exception-store';
import { GroupCommit } from './alerts/group-commit';
import { ChangeApplier } from './changes/change-applier';
import { AlertTriageStore } from './store/alert-triage-store';
import { ExecIndex } from './store/exec-index';
import { FleetChangeLog, LocalChangeLog, type ChangeLog } from './changes/change-log';
import { Fleet } from './fleet/fleet';
import type { NatsLink } from './fleet/nats-link';

export interface Services {
  config: Config; log: Logger; db: Db; metrics: Metrics;
  agents: AgentStore; alerts: AlertStore; tokens: TokenStore; audit: AuditStore;
  bus: AlertBus; ingest: AlertIngest; registry: AgentRegistry; monitor: HealthMonitor; incidents: IncidentStore;
  exceptions: ExceptionStore;
  commits: GroupCommit;
  /** Triage and exception changes: applied here, or through the fleet stream on every replica. */
  changes: ChangeLog;
  alertTriage: AlertTriageStore;
  /** Which host ran which executable, from forwarded events. */
  execIndex: ExecIndex;
  /** --nats only: the JetStream backbone. */
  fleet?: Fleet;
}

export function createServices(config: Config, log: Logger, opts: { defaultMetrics?: boolean; nats?: NatsLink } = {}): Services {
  const db = openDb(config.dbPath);
  const metrics = createMetrics(opts);
  const audit = new AuditStore(db);
  const agents = new AgentStore(db);
  const alerts = new AlertStore(db);
  const tokens = new TokenStore(db, audit);
  const bus = new AlertBus(log.child({ module: 'feeds' }));
  const incidents = new IncidentStore(db);
  const ingest = new AlertIngest(alerts, bus, metrics, log.child({ module: 'ingest' }), incidents);
  const registry = new AgentRegistry(metrics);
  const fleet = opts.nats && new Fleet(opts.nats, ingest, alerts, agents, registry, tokens, config, log.child({ module: 'fleet' }));
  // With --nats the control plane's own alerts go through the stream too: one seq space.
  const monitor = new HealthMonitor(config.heartbeatIntervalMs, agents, registry, fleet ?? ingest, log.child({ module: 'health' }));
  const exceptions = new ExceptionStore(db);
  const commits = new GroupCommit(ingest);
  const alertTriage = new AlertTriageStore(db);
  const execIndex = new ExecIndex(db);
  fleet?.useExecIndex(execIndex);
  const applier = new ChangeApplier(db, incidents, exceptions, audit, registry, alertTriage);
  ingest.useChanges(applier);
  const changes: ChangeLog = fleet
    ? new FleetChangeLog({ publishChange: (c) => fleet.publishChange(c), takeResult: (seq) => applier.takeResult(seq) })
    : new LocalChangeLog(db, applier);
  return { config, log, db, metrics, agents, alerts, tokens, audit, bus, ingest, registry, monitor, incidents, exceptions, commits, changes, alertTriage, execIndex, fleet };
}
