// Warms a baseline from the local event history (`vigil baseline learn
// --from-history`): the stored events, oldest first, replayed through the
// same observations the live agent learns from.
import type Database from 'better-sqlite3';
import { eventRenderer, storeReaders } from '../query/run-query';
import type { BaselineFile } from './baseline-file';
import { BaselineEngine } from './baseline-engine';
import { DEFAULT_BASELINE } from './config';

const PAGE = 5000;

export interface HistoryLearnResult {
  events: number;
  from?: number;
  to?: number;
  file: BaselineFile;
}

export function learnFromHistory(db: Database.Database, sinceMs: number, host?: string): HistoryLearnResult {
  // Learning only: the period never ends while history is read.
  const engine = new BaselineEngine({ config: { ...DEFAULT_BASELINE, learningMs: Number.POSITIVE_INFINITY }, host });
  const render = eventRenderer(storeReaders(db));
  const page = db.prepare(`SELECT rowid AS id, ts, block, slot, proc FROM events
    WHERE ts > ? OR (ts = ? AND rowid > ?) ORDER BY ts, rowid LIMIT ${PAGE}`);
  let ts = sinceMs - 1;
  let rowid = Number.MAX_SAFE_INTEGER;
  let events = 0;
  let from: number | undefined;
  let to: number | undefined;
  for (;;) {
    const rows = page.all(ts, ts, rowid) as { id: number; ts: number; block: number; slot: number; proc: number }[];
    for (const r of rows) {
      const ev = render(r);
      if (!ev) continue;
      engine.process(ev, r.ts);
      events++;
      from ??= r.ts;
      to = r.ts;
    }
    if (rows.length < PAGE) break;
    ts = rows[rows.length - 1].ts;
    rowid = rows[rows.length - 1].id;
  }
  const file = engine.exportFile();
  file.learning_since = from;
  return { events, from, to, file };
}
