// `vigil query`: search the local event history. Thin layer: options ->
// QueryFilters -> runQuery / buildProcessTree -> format. The lead wires
// registerQueryCommand() into agent/src/cli.ts (mounted by cli/vigil.ts).
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { openReadOnlyDb, openWritableDb, DEFAULT_DB_PATH } from '../store/open-db';
import { StoreError, StoreOpenError } from '../store/errors';
import { SCHEMA_VERSION } from '../store/schema';
import { parseDuration } from '../store/units';
import { QueryError } from './errors';
import type { QueryFilters } from './filters';
import { formatJsonLines, formatTable, formatTree, formatTreeJsonLines } from './format';
import type Database from 'better-sqlite3';
import type { EcsEvent } from '../model/ecs-event';
import { QueryFilterError, QueryNotFoundError } from './errors';
import { runQuery } from './run-query';
import { buildProcessTree } from './tree';
import { ControlPlaneRequestError, runIncidentQuery } from './incident-query';

export interface QueryIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: QueryIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

export interface QueryCliOptions {
  db: string;
  since?: string; until?: string; pid?: string; entityId?: string; exe?: string; path?: string;
  dst?: string; action?: string; rule?: string; severity?: string; kind?: string;
  limit?: string; timeout?: string; json?: boolean; tree?: string; convert?: boolean;
  alert?: string; depth?: string; hideFailed?: boolean;
  incident?: string; controlPlane?: string; tokenFile?: string;
}

/** The alert with this event.id, or a QueryNotFoundError. */
function alertById(db: Database.Database, id: string): { doc: EcsEvent; entityId?: string } {
  const row = db.prepare("SELECT doc FROM alerts WHERE json_extract(doc, '$.event.id') = ? LIMIT 1").get(id) as { doc: string } | undefined;
  if (!row) throw new QueryNotFoundError(`alert ${id}`, 'check the id (the ALERT rows show id=..., feeds carry event.id) or the retention window');
  const doc = JSON.parse(row.doc) as EcsEvent;
  return { doc, entityId: doc.process?.entity_id };
}

/** `--convert`: open for writing (which migrates), report, close. */
function convertDb(path: string, io: QueryIo): number {
  if (!existsSync(path)) throw new StoreOpenError(path, 'no such file', 'pass --db with the history to convert');
  const before = bytesOf(path);
  const t0 = Date.now();
  const db = openWritableDb(path);
  try {
    const n = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    io.out(`converted ${path} to schema v${SCHEMA_VERSION}: ${n} events, ${before} -> ${bytesOf(path)} bytes in ${Date.now() - t0} ms`);
  } finally {
    db.close();
  }
  return 0;
}

const bytesOf = (p: string): number => ['', '-wal'].reduce((n, s) => n + (existsSync(p + s) ? statSync(p + s).size : 0), 0);

function toFilters(o: QueryCliOptions): QueryFilters {
  const timeout = o.timeout === undefined ? undefined : (parseDuration(o.timeout) ?? o.timeout);
  const f: QueryFilters = {
    since: o.since, until: o.until, pid: o.pid, entityId: o.entityId, exe: o.exe, path: o.path,
    dst: o.dst, action: o.action, rule: o.rule, severity: o.severity,
    kind: o.kind as QueryFilters['kind'], limit: o.limit, timeoutMs: timeout,
  };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as QueryFilters;
}

/** Runs one query; returns the exit code (0 ok, 2 bad input or unusable database). */
export function runQueryCommand(o: QueryCliOptions, io: QueryIo = stdio): number {
  let db;
  try {
    if (o.convert) return convertDb(o.db, io);
    db = openReadOnlyDb(o.db);
    const filters = toFilters(o);
    // --alert ID: what the process behind that alert did (or, with --tree, its subtree).
    let treeRoot = o.tree;
    if (o.alert !== undefined) {
      const a = alertById(db, o.alert);
      if (!a.entityId) throw new QueryFilterError('alert', `alert ${o.alert} names no process`);
      if (!o.json) io.out(formatTable([{ kind: 'alert', rowid: 0, ts: Date.parse(a.doc['@timestamp']), doc: a.doc }]));
      if (o.tree !== undefined) treeRoot = a.entityId;
      else filters.entityId = a.entityId;
    }
    if (treeRoot !== undefined) {
      const depth = o.depth === undefined ? undefined : Number(o.depth);
      const tree = buildProcessTree(db, treeRoot, filters, { maxDepth: depth, hideFailed: o.hideFailed === true });
      io.out(o.json ? formatTreeJsonLines(tree) : formatTree(tree));
      return 0;
    }
    const r = runQuery(db, filters);
    if (!o.json || r.rows.length) io.out(o.json ? formatJsonLines(r.rows) : formatTable(r.rows));
    if (r.limited) io.err(`showing the newest ${r.rows.length}; more matched (narrow the filters or raise --limit)`);
    if (r.timedOut) io.err('query timed out; results are partial (narrow --since/--until or raise --timeout)');
    return 0;
  } catch (err) {
    if (err instanceof QueryError || err instanceof StoreError) {
      io.err(`vigil query: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    db?.close();
  }
}

async function runIncidentCommand(o: QueryCliOptions, io: QueryIo): Promise<number> {
  try {
    return await runIncidentQuery({ incident: o.incident!, controlPlane: o.controlPlane, tokenFile: o.tokenFile, json: o.json, limit: o.limit }, io);
  } catch (err) {
    if (err instanceof QueryError || err instanceof ControlPlaneRequestError) {
      io.err(`vigil query: ${err.message}`);
      return err instanceof QueryError ? 2 : 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`vigil query: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

export function registerQueryCommand(program: Command, io: QueryIo = stdio): Command {
  return program
    .command('query')
    .description('search the local event history (newest first)')
    .option('--db <path>', 'event database', DEFAULT_DB_PATH)
    .option('--since <when>', 'from this long ago (15m, 2h, 7d) or an ISO time')
    .option('--until <when>', 'up to this long ago or an ISO time')
    .option('--pid <pid>', 'process id')
    .option('--entity-id <id>', 'process.entity_id')
    .option('--exe <path>', 'executable, exact or glob (e.g. "*/curl")')
    .option('--path <path>', 'file path prefix or glob (matches rename/link targets too)')
    .option('--dst <addr>', 'remote address: IP or IP:PORT ([v6]:PORT)')
    .option('--action <action>', 'event.action, e.g. exec, connect, open')
    .option('--rule <rule>', 'alert rule id or name, exact or glob (alerts only)')
    .option('--severity <n>', 'minimum alert severity (alerts only)')
    .option('--kind <kind>', 'event, alert or any', 'any')
    .option('--limit <n>', 'maximum rows (default 100, at most 10000)')
    .option('--timeout <ms>', 'give up after this long (ms, or 5s)')
    .option('--json', 'print the stored documents as JSON lines')
    .option('--tree [entity_id]', 'print the process subtree rooted at this entity (or at --alert\'s process) with its activity')
    .option('--alert <id>', 'the alert (event.id) and what its process did; with --tree, its process subtree')
    .option('--depth <n>', 'with --tree: levels of descendants to show (0-32)')
    .option('--hide-failed', 'with --tree: leave out events that failed (ENOENT lookups and the like)')
    .option('--incident <id>', 'an incident from the control plane: its alerts and what each alerting process did (needs --control-plane)')
    .option('--control-plane <url>', 'with --incident: the control plane (http://HOST:PORT); token from VIGIL_TOKEN or --token-file')
    .option('--token-file <path>', 'with --incident: a file holding the API token')
    .option('--convert', 'convert an older history database to the current layout in place, then exit')
    .action(async (opts: QueryCliOptions) => {
      process.exitCode = opts.incident !== undefined ? await runIncidentCommand(opts, io) : runQueryCommand(opts, io);
    });
}
