// The one path by which alerts enter the store: agent batches and the
// control plane's own alerts (agent offline). Stores, assigns the global
// seq, counts, and publishes to feeds; duplicates are dropped silently.
import type { Logger } from 'pino';
import type { AlertBus } from '../feeds/alert-bus';
import type { Metrics } from '../metrics';
import type { Alert } from '../../../proto/src';
import { normalize, severityRank } from '../../../proto/src';
import type { AlertStore, StoredAlert } from '../store/alert-store';
import type { IncidentStore } from '../store/incident-store';
import { agentAlertDoc, buildDoc, severityName, summaryOf } from './alert-doc';
import type { Change } from '../changes/change';
import type { ChangeApplier } from '../changes/change-applier';

/** An alert read from VIGIL_ALERTS (--nats). */
export type StreamAlert =
  | { streamSeq: number; source: 'agent' | 'control-plane'; alert: Alert }
  | { streamSeq: number; source: 'change'; change: Change };

export type RaisedAlert = Partial<Alert> & Pick<Alert, 'rule_id' | 'host_id'>;

/** Who raises the control plane's own alerts: the ingest (embedded) or the fleet stream (--nats). */
export interface AlertRaiser { raise(partial: RaisedAlert): unknown }

/** A control-plane alert as a full message: now, count 1, defaults filled. */
export function raisedAlert(partial: RaisedAlert): Alert {
  return normalize<Alert>('Alert', { timestamp: new Date().toISOString(), count: 1, ...partial });
}

export class AlertIngest implements AlertRaiser {
  constructor(
    private readonly store: AlertStore,
    private readonly bus: AlertBus,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly incidents?: IncidentStore,
  ) {}

  /** Stores one agent alert; null when (host_id, agent_seq) was already stored. */
  fromAgent(hostId: string, agentSeq: number, alert: Alert): StoredAlert | null {
    const stored = this.storeAgentAlert(hostId, agentSeq, alert);
    if (stored) this.published(stored);
    return stored;
  }

  /**
   * --nats: stores alerts read from VIGIL_ALERTS under their stream seqs.
   * An agent alert whose (host, agent seq) is already stored (a re-send
   * after JetStream's duplicate window) is dropped, the same way on every
   * replica.
   */
  fromStream(items: ReadonlyArray<StreamAlert>): StoredAlert[] {
    if (!items.length) return [];
    const effects: Array<() => void> = [];
    // One transaction for the lot (incident grouping and changes included, in stream order), published after it commits.
    const stored = this.store.transaction(() => items.map((it) => {
      if (it.source === 'change') {
        const done = this.changes?.apply(it.change, it.streamSeq);
        if (done) effects.push(() => { this.changes?.remember(it.streamSeq, done.result); done.after(); });
        return null;
      }
      const { streamSeq, source, alert } = it;
      const x = source === 'agent' ? this.storeAgentAlert(alert.host_id, alert.seq, alert, streamSeq) : this.storeRaised(alert, streamSeq);
      if (x) this.group(x);
      return x;
    }).filter((x): x is StoredAlert => x !== null));
    for (const e of effects) e();
    for (const x of stored) this.announce(x);
    return stored;
  }

  /** --nats: triage and exception changes from the stream are applied by this. */
  useChanges(applier: ChangeApplier): void {
    this.changes = applier;
  }

  private changes: ChangeApplier | undefined;

  private storeAgentAlert(hostId: string, agentSeq: number, alert: Alert, seq?: number): StoredAlert | null {
    const full = { ...alert, host_id: hostId, seq: agentSeq, global_seq: 0 };
    const { doc, from } = agentAlertDoc(full);
    if (alert.json && from !== 'json') this.log.warn({ host_id: hostId, agent_seq: agentSeq }, 'alert json is not a JSON object; storing a document built from the message');
    // A typed document is kept once, as the document; an older message is kept whole beside its json.
    const { json: _json, ...whole } = full;
    const msg = from === 'typed' ? (summaryOf(full) as Omit<Alert, 'json'>) : whole;
    const stored = this.store.insert({ seq, host_id: hostId, agent_seq: agentSeq, source: 'agent', alert: msg, doc },
      severityName(msg), severityRank(msg.severity));
    if (!stored) {
      this.metrics.alertDuplicates.inc();
      return null;
    }
    return stored;
  }

  /**
   * Group commit: the batches of many agents (and their incident grouping)
   * in one transaction, published only after it commits, so feeds never see
   * an alert a failed transaction rolled back. One commit per agent batch is
   * what bounds a single SQLite writer at fleet rates.
   */
  fromAgentBatches(batches: Array<{ hostId: string; items: Array<{ seq: number; alert: Alert }> }>): StoredAlert[][] {
    const stored = this.store.transaction(() => batches.map((b) => {
      const list = b.items.map((it) => this.storeAgentAlert(b.hostId, it.seq, it.alert)).filter((x): x is StoredAlert => x !== null);
      for (const x of list) this.group(x);
      return list;
    }));
    for (const list of stored) for (const x of list) this.announce(x);
    return stored;
  }

  /** Raises an alert generated by the control plane itself. */
  raise(partial: RaisedAlert): StoredAlert {
    const stored = this.storeRaised(raisedAlert(partial));
    if (!stored) throw new Error('control-plane alert insert returned no row');
    this.published(stored);
    return stored;
  }

  private storeRaised(alert: Alert, seq?: number): StoredAlert | null {
    const { json: _json, ...msg } = alert;
    return this.store.insert({ seq, host_id: msg.host_id, agent_seq: null, source: 'control-plane', alert: msg, doc: buildDoc(msg) },
      severityName(msg), severityRank(msg.severity));
  }

  private published(stored: StoredAlert): void {
    this.group(stored);
    this.announce(stored);
  }

  private group(stored: StoredAlert): void {
    try {
      const inc = this.incidents?.assign(stored);
      if (inc) Object.assign(stored, { incident_id: inc.id, incident_opened: inc.opened });
    } catch (err) {
      // Grouping is a view over alerts: never lose or delay an alert over it.
      this.log.error({ err, seq: stored.seq }, 'could not assign the alert to an incident');
    }
  }

  private announce(stored: StoredAlert): void {
    this.metrics.alertsIngested.inc({ source: stored.source });
    this.bus.publish(stored);
  }
}
