// The behavioural engine: every event's observations are scored against what
// this host has learned (after the learning period), then learned. Scored
// observations join the process's storyline; a storyline that reaches an
// anomaly level is a finding, which the pipeline turns into an alert.
import type { EcsEvent } from '../model/ecs-event';
import type { BaselineDb } from './baseline-db';
import { parseBaselineFile, toBaselineFile, type BaselineFile } from './baseline-file';
import { levelOf, LEVELS, type BaselineConfig, type Level } from './config';
import { explain } from './explain';
import { evidenceFor, type ObservationEvidence as Evidence } from './evidence';
import { FrequencyTable } from './frequency-table';
import { FAMILY, HOST, observe, type Observation, type ProfileName } from './observations';
import { isPackageManager, priorWeight } from './priors';
import { LruMap } from '../process/lru';
import { combineScores, rarityScore } from './scoring';
import { Storylines, type ChainRisk, type Contribution } from './storyline';

export interface BaselineFinding {
  event: EcsEvent;
  risk: number;
  level: Level;
  chain: ChainRisk;
  explanation: string;
}

export interface BaselineEngineOptions {
  config: BaselineConfig;
  db?: BaselineDb;
  host?: string;
  clock?: () => number;
  /** The systemd unit or container an event's process runs under. */
  serviceOf?: (ev: EcsEvent) => string | undefined;
}

export interface BaselineStatus {
  learning: boolean;
  learning_since: number;
  learning_ends: number;
  entries: number;
  max_entries: number;
  allowed: number;
  profiles: Record<string, { contexts: number; entries: number; observations: number; oldest: string | null }>;
  counters: BaselineEngine['counters'];
  top_storylines: ReturnType<Storylines['top']>;
}

const allowKey = (p: string, c: string, v: string): string => `${p}\u0000${c}\u0000${v}`;
/** Explanations below this score are not worth a reader's time. */
const EXPLAIN_MIN = 10;
const SAVE_EVERY_MS = 60_000;
const INBOX_EVERY_MS = 2_000;
/** Processes whose observations are remembered, so each counts once per run. */
const RUNS_TRACKED = 8192;

/** The process or one of its ancestors is a package manager: its subtree learns, unscored. */
function underPackageManager(ev: EcsEvent): boolean {
  if (isPackageManager(ev.process.executable)) return true;
  for (const a of ev.process.ancestors ?? []) if (isPackageManager(a.executable)) return true;
  return false;
}

export class BaselineEngine {
  readonly table: FrequencyTable;
  readonly storylines: Storylines;
  private readonly allowed = new Set<string>();
  private readonly clock: () => number;
  learningSince: number;
  private timers: NodeJS.Timeout[] = [];
  /**
   * What each live process has already shown. A profile counts runs, not
   * calls: dpkg writing 800 files into 4 directories is one run that met 4
   * directories, so a context's rate of novelty is per run.
   */
  private readonly seenByRun = new LruMap<string, Set<string>>(RUNS_TRACKED);
  readonly counters = { observations: 0, scored: 0, findings: 0, evicted: 0, saved: 0, inbox: 0, saveErrors: 0 };

  constructor(private readonly opts: BaselineEngineOptions) {
    this.clock = opts.clock ?? Date.now;
    this.table = new FrequencyTable(opts.config.halfLifeMs);
    this.storylines = new Storylines(opts.config.storylineHalfLifeMs);
    const db = opts.db;
    let since = this.clock();
    if (db) {
      db.load(this.table);
      for (const a of db.allowed()) this.allowed.add(allowKey(a.profile, a.context, a.value));
      const stored = Number(db.meta('learning_since'));
      if (Number.isFinite(stored) && stored > 0) since = stored;
      else db.setMeta('learning_since', String(since));
    }
    this.learningSince = since;
  }

  get config(): BaselineConfig {
    return this.opts.config;
  }

  learning(at = this.clock()): boolean {
    return at < this.learningSince + this.opts.config.learningMs;
  }

  /** Takes ownership of the stored baseline: periodic saves and the CLI inbox. */
  start(): void {
    const db = this.opts.db;
    if (!db) return;
    db.setMeta('owner_pid', String(process.pid));
    db.setMeta('learning_ms', String(this.opts.config.learningMs));
    this.drainInbox();
    this.timers.push(setInterval(() => this.save(), SAVE_EVERY_MS).unref());
    this.timers.push(setInterval(() => this.drainInbox(), INBOX_EVERY_MS).unref());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.save();
    if (this.opts.db && this.opts.db.meta('owner_pid') === String(process.pid)) this.opts.db.setMeta('owner_pid', '0');
  }

  /** Hot path: learn the event, score it when past learning; a finding when a storyline reaches a level. */
  process(ev: EcsEvent, at = this.clock()): BaselineFinding | undefined {
    const obs = this.firstInRun(ev, observe(ev, this.opts.serviceOf?.(ev)));
    if (obs.length === 0) return undefined;
    this.counters.observations += obs.length;
    if (this.learning(at) || underPackageManager(ev)) {
      for (const o of obs) this.table.add(o.profile, o.context, o.value, at);
      return undefined;
    }
    const scored: { o: Observation; e: Evidence; s: number }[] = [];
    const firstSeen: Record<string, boolean> = {};
    for (const o of obs) {
      const e = evidenceFor(this.table, o, at);
      const isAllowed = this.allowed.size > 0 && this.allowed.has(allowKey(o.profile, o.context, o.value));
      // The flags say what this program did for the first time; host-wide twins only add evidence.
      if (o.context !== HOST || o.profile === 'exe') firstSeen[o.profile.replace('-', '_')] = e.count < 0.5 && !isAllowed;
      const s = isAllowed ? 0 : Math.min(100, rarityScore(e) * priorWeight(o));
      if (s > 0) scored.push({ o, e, s });
      this.table.add(o.profile, o.context, o.value, at);
    }
    // Only news is written: absent means nothing here was first seen (or still learning).
    if (Object.values(firstSeen).includes(true)) ev.vigil.first_seen = firstSeen;
    if (scored.length === 0) return undefined;
    this.counters.scored++;
    // The strongest of each family: a new exe is also new for its user, that is one finding.
    const best = new Map<string, (typeof scored)[number]>();
    for (const x of scored) {
      const f = FAMILY[x.o.profile];
      if ((best.get(f)?.s ?? -1) < x.s) best.set(f, x);
    }
    const score = combineScores([...best.values()].map((x) => x.s));
    const reasons = [...best.values()].filter((x) => x.s >= EXPLAIN_MIN).sort((a, b) => b.s - a.s);
    const explanations = reasons.map((x) => explain(x.o, x.e, at));
    ev.vigil.anomaly = { score: Math.round(score), reasons: explanations };
    let added = false;
    const all = scored.map((x) => x.o);
    for (const [i, x] of reasons.entries()) {
      if (x.s < this.opts.config.minContribution) continue;
      const c: Contribution = { ...x.o, scored: all, score: x.s, explanation: explanations[i], at, entityId: ev.process.entity_id, event: ev };
      this.storylines.add(c, ev.process.parent?.entity_id);
      added = true;
    }
    if (!added) return undefined;
    const chain = this.storylines.chain(ev, at);
    if (!chain) return undefined;
    // One kind of news alone (a first program, however rare) is at most medium: high needs corroboration.
    const t = this.opts.config.thresholds;
    if (chain.families < 2 && chain.risk >= t.high) chain.risk = Math.max(t.medium, t.high - 1);
    const level = levelOf(chain.risk, t);
    const summary = chain.contributions.map((c) => c.explanation).join('; ');
    this.storylines.noteRoot(chain, at, summary);
    if (!level || !this.storylines.shouldAlert(chain.rootEntityId, LEVELS.indexOf(level))) return undefined;
    this.counters.findings++;
    return { event: ev, risk: chain.risk, level, chain, explanation: summary };
  }

  /** The observations this process has not shown before (exec observations always: an exec is a new run). */
  private firstInRun(ev: EcsEvent, obs: Observation[]): Observation[] {
    if (obs.length === 0 || ev.event.action === 'exec') return obs;
    const id = ev.process.entity_id;
    let seen = this.seenByRun.get(id);
    if (!seen) this.seenByRun.set(id, (seen = new Set()));
    const out: Observation[] = [];
    for (const o of obs) {
      const k = `${o.profile}\u0000${o.context}\u0000${o.value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(o);
    }
    return out;
  }

  /** The analyst's verdict: these observations never score again. */
  allow(keys: { profile: ProfileName; context: string; value: string }[], alertId: string | null): void {
    for (const k of keys) this.allowed.add(allowKey(k.profile, k.context, k.value));
    this.opts.db?.addAllowed(keys, alertId);
  }

  /** Folds another baseline in (history learning, an imported golden baseline). */
  merge(file: BaselineFile): void {
    for (const [profile, context, value, n, first, last] of file.entries) {
      this.table.add(profile, context, value, last, n);
      const c = this.table.get(profile, context)!;
      const v = c.values.get(value)!;
      v.first = Math.min(v.first, first);
      c.first = Math.min(c.first, first);
    }
    if (file.allowed.length) this.allow(file.allowed.map(([profile, context, value]) => ({ profile, context, value })), null);
    if (file.learning_since !== undefined && file.learning_since < this.learningSince) {
      this.learningSince = file.learning_since;
      this.opts.db?.setMeta('learning_since', String(this.learningSince));
    }
  }

  exportFile(): BaselineFile {
    const allowed = [...this.allowed].map((k) => {
      const [profile, context, value] = k.split('\u0000');
      return { profile: profile as ProfileName, context, value };
    });
    return toBaselineFile(this.table, allowed, { host: this.opts.host, learningSince: this.learningSince });
  }

  /** Applies what CLI commands posted; a bad item is dropped with its error kept in the meta table. */
  drainInbox(): void {
    const db = this.opts.db;
    if (!db) return;
    let items;
    try {
      items = db.inbox();
    } catch {
      return; // busy: next round
    }
    for (const it of items) {
      try {
        if (it.op === 'merge') this.merge(parseBaselineFile(it.payload, `inbox item ${it.id}`));
        else if (it.op === 'allow') {
          const p = JSON.parse(it.payload) as { alert_id: string | null; keys: { profile: ProfileName; context: string; value: string }[] };
          this.allow(p.keys, p.alert_id);
        }
        this.counters.inbox++;
      } catch (err) {
        db.setMeta('inbox_error', `${it.id}: ${(err as Error).message}`);
      }
      db.done(it.id);
    }
    if (items.length) this.save();
  }

  save(): void {
    const db = this.opts.db;
    const at = this.clock();
    this.counters.evicted += this.table.evict(this.opts.config.maxEntries, at);
    if (!db) return;
    try {
      this.counters.saved += db.save(this.table);
    } catch {
      this.counters.saveErrors++; // busy or full disk: the dirty set is kept for the next save
    }
  }

  status(at = this.clock()): BaselineStatus {
    const profiles: BaselineStatus['profiles'] = {};
    for (const [p, s] of this.table.summary()) {
      profiles[p] = { contexts: s.contexts, entries: s.entries, observations: Math.round(s.observations), oldest: Number.isFinite(s.oldest) ? new Date(s.oldest).toISOString() : null };
    }
    return {
      learning: this.learning(at), learning_since: this.learningSince, learning_ends: this.learningSince + this.opts.config.learningMs,
      entries: this.table.size, max_entries: this.opts.config.maxEntries, allowed: this.allowed.size, profiles,
      counters: { ...this.counters }, top_storylines: this.storylines.top(5, at),
    };
  }
}
