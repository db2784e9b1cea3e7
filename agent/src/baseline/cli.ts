// `vigil baseline`: status, learning from history, an analyst's allow, and
// export/import of a golden baseline. Commands that change the baseline go
// through its inbox (baseline-db.ts), so a running agent applies them.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DEFAULT_DB_PATH } from '../store/open-db';
import { parseDuration, DURATION_FORMS } from '../store/units';
import { BaselineDb } from './baseline-db';
import { BaselineEngine } from './baseline-engine';
import { parseBaselineFile, BaselineFileError } from './baseline-file';
import { DEFAULT_BASELINE } from './config';
import { explainStatus } from './status-format';
import { learnFromHistory } from './history-learn';
import { PROFILES, type ProfileName } from './observations';

const out = (t: string): void => void process.stdout.write(`${t}\n`);
const WAIT_FOR_AGENT_MS = 10_000;

export class BaselineCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineCliError';
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Posts to the inbox; applies it here when no agent owns the baseline, else waits for the agent. */
async function postOrApply(db: BaselineDb, op: 'merge' | 'allow', payload: unknown): Promise<string> {
  const id = db.post(op, payload);
  const owner = db.owner();
  if (owner === undefined) {
    const engine = new BaselineEngine({ config: DEFAULT_BASELINE, db });
    engine.drainInbox();
  } else {
    for (const end = Date.now() + WAIT_FOR_AGENT_MS; Date.now() < end && db.inbox().some((i) => i.id === id); ) await sleep(100);
    if (db.inbox().some((i) => i.id === id)) return `queued for the running agent (pid ${owner}); it has not applied it yet`;
  }
  const err = db.meta('inbox_error');
  if (err?.startsWith(`${id}: `)) throw new BaselineCliError(err.slice(`${id}: `.length));
  return owner === undefined ? 'applied' : `applied by the running agent (pid ${owner})`;
}

function open(path: string, create = false): BaselineDb {
  return new BaselineDb(path, create);
}

export function registerBaselineCommands(program: Command): void {
  const cmd = program.command('baseline').description('behavioural baselines: status, learning from history, allow, export/import (docs/baseline.md)');

  cmd.command('status')
    .description('per-profile counts, the learning state, the oldest data and the riskiest storylines')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .option('--json', 'print JSON')
    .action((o: { db: string; json?: boolean }) => {
      const db = open(o.db);
      try {
        // The running agent's learning period, when it recorded one.
        const learningMs = Number(db.meta('learning_ms'));
        const config = Number.isFinite(learningMs) && db.meta('learning_ms') !== undefined ? { ...DEFAULT_BASELINE, learningMs } : DEFAULT_BASELINE;
        const engine = new BaselineEngine({ config, db });
        const st = { ...engine.status(), owner_pid: db.owner() ?? null, pending_inbox: db.inbox().length, saved_at: Number(db.meta('saved_at')) || null };
        out(o.json ? JSON.stringify(st) : explainStatus(st));
      } finally {
        db.close();
      }
    });

  cmd.command('learn')
    .description('warm the baseline from the local event history')
    .requiredOption('--from-history', 'read the history in --db (the only source today)')
    .option('--since <duration>', `how far back, ${DURATION_FORMS}`, '7d')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .action(async (o: { db: string; since: string }) => {
      const ms = parseDuration(o.since);
      if (ms === undefined) throw new BaselineCliError(`bad --since '${o.since}': give ${DURATION_FORMS}`);
      const db = open(o.db);
      try {
        const r = learnFromHistory(db.db, Date.now() - ms, hostname());
        if (r.events === 0) throw new BaselineCliError(`no events in ${o.db} since ${new Date(Date.now() - ms).toISOString()}: nothing to learn`);
        const how = await postOrApply(db, 'merge', r.file);
        out(`learned ${r.events} events (${new Date(r.from!).toISOString()} .. ${new Date(r.to!).toISOString()}) into ${r.file.entries.length} baseline entries: ${how}`);
      } finally {
        db.close();
      }
    });

  cmd.command('allow')
    .description('fold an analyst\'s verdict in: the behaviour behind this anomaly alert never alerts again')
    .argument('<alert-id>', 'event.id of a vigil-anomaly alert')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .action(async (alertId: string, o: { db: string }) => {
      const db = open(o.db);
      try {
        const row = db.db.prepare("SELECT doc FROM alerts WHERE rule_id = 'vigil-anomaly' AND json_extract(doc, '$.event.id') = ? LIMIT 1").get(alertId) as { doc: string } | undefined;
        if (!row) throw new BaselineCliError(`no anomaly alert ${alertId} in ${o.db}: list them with \`vigil query --rule vigil-anomaly\``);
        type Obs = { profile: string; context: string; value: string };
        const doc = JSON.parse(row.doc) as { vigil?: { anomaly?: { contributions?: Obs[]; observations?: Obs[] } } };
        const keys = (doc.vigil?.anomaly?.observations ?? doc.vigil?.anomaly?.contributions ?? [])
          .filter((c) => (PROFILES as readonly string[]).includes(c.profile))
          .map((c) => ({ profile: c.profile as ProfileName, context: String(c.context), value: String(c.value) }));
        if (keys.length === 0) throw new BaselineCliError(`alert ${alertId} carries no baseline observations to allow`);
        const how = await postOrApply(db, 'allow', { alert_id: alertId, keys });
        out(`allowed ${keys.length} behaviour(s) of alert ${alertId}: ${how}`);
        for (const k of keys) out(`  ${k.profile}: ${k.context} -> ${k.value}`);
      } finally {
        db.close();
      }
    });

  cmd.command('export')
    .description('write the baseline as a portable file (as of the agent\'s last save, at most a minute old)')
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .action((o: { db: string; out?: string }) => {
      const db = open(o.db);
      try {
        const engine = new BaselineEngine({ config: DEFAULT_BASELINE, db, host: hostname() });
        const text = JSON.stringify(engine.exportFile());
        if (o.out) writeFileSync(o.out, text);
        else out(text);
        if (o.out) out(`exported ${engine.table.size} entries to ${o.out}`);
      } finally {
        db.close();
      }
    });

  cmd.command('import')
    .description('merge a baseline file (from `vigil baseline export`) into this host\'s baseline')
    .argument('<file>', 'baseline file')
    .option('--db <path>', 'the agent\'s database', DEFAULT_DB_PATH)
    .action(async (file: string, o: { db: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new BaselineFileError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const parsed = parseBaselineFile(text, file); // refused here: the current baseline is untouched
      const db = open(o.db, true);
      try {
        const how = await postOrApply(db, 'merge', parsed);
        out(`imported ${parsed.entries.length} entries and ${parsed.allowed.length} allowed behaviour(s) from ${file}: ${how}`);
      } finally {
        db.close();
      }
    });
}
