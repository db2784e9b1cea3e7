// Runs validated filters against the store, newest first.
//
// better-sqlite3 cannot interrupt a running statement (and this SQLite is
// built without the progress handler), so big scans are made interruptible
// by walking the ts index in windows of `windowRows` rows: each statement
// touches a bounded number of rows and the deadline is checked between
// windows. A timed-out query returns what it found with timedOut = true.
import type Database from 'better-sqlite3';
import type { EcsEvent } from '../model/ecs-event';
import { buildWhere, type Table, type TableWhere } from './build-sql';
import { validateFilters, type QueryFilters, type ValidFilters } from './filters';
import { ancestorCount, parseBody, renderEvent } from '../store/event-split';
import { BlockReader } from '../store/block-reader';
import { ProcessReader } from '../store/process-reader';
import { prepared } from '../store/prepared';

export interface QueryRow {
  kind: 'event' | 'alert';
  rowid: number;
  ts: number;
  doc: EcsEvent;
}

export interface QueryResult {
  rows: QueryRow[];
  /** More rows matched than `limit`. */
  limited: boolean;
  /** The deadline passed; `rows` holds what was found before it. */
  timedOut: boolean;
}

export type QuerySource = Database.Database | { readonly db: Database.Database };

export interface RunOptions {
  now?: number;               // for relative since/until
  clock?: () => number;       // deadline clock, default Date.now
  windowRows?: number;        // rows of the ts index per statement
  /** Decoded blocks and images kept across calls (a process tree runs one query per node). */
  readers?: StoreReaders;
}

export const DEFAULT_WINDOW_ROWS = 50_000;
const MAX_TS = Number.MAX_SAFE_INTEGER;

export const dbOf = (src: QuerySource): Database.Database => ('db' in src ? src.db : src);

/** Validates `filters` (typed QueryFilterError on bad input) and runs them. */
export function runQuery(src: QuerySource, filters: QueryFilters = {}, opts: RunOptions = {}): QueryResult {
  const clock = opts.clock ?? Date.now;
  const f = validateFilters(filters, opts.now ?? Date.now());
  return execute(dbOf(src), f, clock() + f.timeoutMs, { ...opts, clock });
}

export function execute(db: Database.Database, f: ValidFilters, deadline: number, opts: RunOptions = {}): QueryResult {
  const clock = opts.clock ?? Date.now;
  const windowRows = opts.windowRows ?? DEFAULT_WINDOW_ROWS;
  const rows: QueryRow[] = [];
  let timedOut = false;
  for (const table of ['events', 'alerts'] as Table[]) {
    const where = buildWhere(table, f);
    if (!where) continue;
    const r = scan(db, where, f, f.limit + 1, deadline, clock, windowRows, opts.readers);
    rows.push(...r.rows);
    timedOut ||= r.timedOut;
  }
  rows.sort((a, b) => b.ts - a.ts || (a.kind === b.kind ? b.rowid - a.rowid : a.kind === 'alert' ? -1 : 1));
  return { rows: rows.slice(0, f.limit), limited: rows.length > f.limit, timedOut };
}

function scan(
  db: Database.Database, w: TableWhere, f: ValidFilters, want: number,
  deadline: number, clock: () => number, windowRows: number, readers?: StoreReaders,
): { rows: QueryRow[]; timedOut: boolean } {
  const t = w.table;
  const lo = f.sinceMs ?? -MAX_TS;
  const extra = w.clauses.length ? ` AND ${w.clauses.join(' AND ')}` : '';
  const cols = t === 'alerts' ? 'doc' : 'block, slot, proc';
  const kind = t === 'alerts' ? 'alert' : 'event';
  const docOf = t === 'alerts' ? (r: StoredRow) => parseDoc(r.doc!) : eventRenderer(readers ?? storeReaders(db));
  const rows: QueryRow[] = [];
  const add = (stored: StoredRow[]): void => {
    for (const r of stored) {
      const doc = docOf(r);
      if (doc) rows.push({ kind, rowid: r.id, ts: r.ts, doc });
    }
  };
  if (w.selective) {
    // Few rows match: let SQLite pick the filter's index and sort what it finds.
    add(prepared(db, `SELECT rowid AS id, ts, ${cols} FROM ${t}
      WHERE ts >= ? AND ts <= ?${extra} ORDER BY ts DESC, rowid DESC LIMIT ?`).all(lo, f.untilMs ?? MAX_TS, ...w.params, want) as StoredRow[]);
    return { rows, timedOut: clock() > deadline };
  }
  const boundary = prepared(db, `SELECT ts, rowid AS id FROM ${t} INDEXED BY ${t}_ts
    WHERE (ts, rowid) < (?, ?) AND ts >= ? ORDER BY ts DESC, rowid DESC LIMIT 1 OFFSET ?`);
  const select = prepared(db, `SELECT rowid AS id, ts, ${cols} FROM ${t}
    WHERE (ts, rowid) < (?, ?) AND (ts, rowid) >= (?, ?) AND ts >= ?${extra}
    ORDER BY ts DESC, rowid DESC LIMIT ?`);
  // Upper bound is exclusive on (ts, rowid); MAX_TS rowid includes every row at untilMs.
  let upper: [number, number] = [f.untilMs ?? MAX_TS, MAX_TS];
  for (;;) {
    if (clock() > deadline) return { rows, timedOut: true };
    const b = boundary.get(upper[0], upper[1], lo, windowRows - 1) as { ts: number; id: number } | undefined;
    const lower: [number, number] = b ? [b.ts, b.id] : [lo, -MAX_TS];
    add(select.all(...upper, ...lower, lo, ...w.params, want - rows.length) as StoredRow[]);
    if (!b || rows.length >= want) return { rows, timedOut: false };
    upper = lower;
  }
}

interface StoredRow {
  id: number;
  ts: number;
  doc?: string;
  block?: number;
  slot?: number;
  proc?: number;
}

/** Decoded blocks and process images, cached while a query (or a whole tree) runs. */
export interface StoreReaders {
  processes: ProcessReader;
  blocks: BlockReader;
}

export const storeReaders = (db: Database.Database): StoreReaders => ({ processes: new ProcessReader(db), blocks: new BlockReader(db) });

/** Event rows: body (from its block) + process image + ancestors, put back into the ECS document. */
export function eventRenderer({ processes, blocks }: StoreReaders): (r: StoredRow) => EcsEvent | undefined {
  return ({ block, slot, proc, ts }) => {
    const text = block === undefined || slot === undefined ? undefined : blocks.body(block, slot);
    const body = text === undefined ? undefined : parseBody(text);
    if (!body) return undefined;
    const n = ancestorCount(body);
    return renderEvent(body, proc === undefined ? undefined : processes.image(proc), n === undefined || proc === undefined ? undefined : processes.ancestors(proc, n), ts);
  };
}

function parseDoc(text: string): EcsEvent | undefined {
  try {
    return JSON.parse(text) as EcsEvent;
  } catch {
    return undefined; // a damaged row must not fail the whole query
  }
}
