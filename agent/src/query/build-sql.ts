// ValidFilters -> WHERE clauses per table. Values are always bound
// parameters; only column names from this file reach the SQL text.
import type { Match, ValidFilters } from './filters';

export type Table = 'events' | 'alerts';

export interface TableWhere {
  table: Table;
  clauses: string[];
  params: unknown[];
  /** An indexed filter narrows the rows (who, path, address): one indexed
   *  query beats walking the time index in windows. */
  selective: boolean;
}

/** An exact match, or a GLOB with a literal prefix: SQLite can answer it from an index. */
const indexable = (m: Match | undefined): boolean => m !== undefined && (m.op === '=' || !/^[*?[]/.test(m.value));

function addMatch(w: TableWhere, cols: string[], m: Match): void {
  w.clauses.push(`(${cols.map((c) => `${c} ${m.op} ?`).join(' OR ')})`);
  for (let i = 0; i < cols.length; i++) w.params.push(m.value);
}

/**
 * The WHERE parts for `table`, or undefined when the filters cannot match
 * it (an action/path/dst filter excludes alerts; rule/severity excludes events).
 */
export function buildWhere(table: Table, f: ValidFilters): TableWhere | undefined {
  if (table === 'events' && (f.kind === 'alert' || f.rule || f.minSeverity !== undefined)) return undefined;
  if (table === 'alerts' && (f.kind === 'event' || f.action || f.path || f.dst)) return undefined;
  const w: TableWhere = { table, clauses: [], params: [], selective: f.pid !== undefined || f.entityId !== undefined || indexable(f.exe) };
  if (table === 'events') {
    // Who ran it lives in the process image (schema v2): match images, then their events.
    if (f.pid !== undefined) { w.clauses.push('proc IN (SELECT pk FROM processes WHERE pid = ?)'); w.params.push(f.pid); }
    if (f.entityId !== undefined) { w.clauses.push('proc IN (SELECT pk FROM processes WHERE entity_id = ?)'); w.params.push(f.entityId); }
    if (f.exe) { w.clauses.push(`proc IN (SELECT pk FROM processes WHERE executable ${f.exe.op} ?)`); w.params.push(f.exe.value); }
  } else {
    if (f.pid !== undefined) { w.clauses.push('pid = ?'); w.params.push(f.pid); }
    if (f.entityId !== undefined) { w.clauses.push('entity_id = ?'); w.params.push(f.entityId); }
    if (f.exe) addMatch(w, ['executable'], f.exe);
  }
  if (table === 'events') {
    if (f.action) { w.clauses.push('action = ?'); w.params.push(f.action); }
    if (f.path) { addMatch(w, ['file_path', 'target_path'], f.path); w.selective ||= indexable(f.path); }
    if (f.dst) {
      w.selective = true;
      w.clauses.push('remote_ip = ?');
      w.params.push(f.dst.ip);
      if (f.dst.port !== undefined) { w.clauses.push('remote_port = ?'); w.params.push(f.dst.port); }
    }
  } else {
    if (f.rule) addMatch(w, ['rule_id', 'rule_name'], f.rule);
    if (f.minSeverity !== undefined) { w.clauses.push('severity >= ?'); w.params.push(f.minSeverity); }
  }
  return w;
}
