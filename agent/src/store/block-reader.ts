// Query side of `blocks`: a block is inflated once per query and its bodies
// kept while the query runs (a page of events mostly shares a few blocks).
import type Database from 'better-sqlite3';
import { unpack } from './compress';
import { prepared } from './prepared';

const MAX_CACHED = 256;

export class BlockReader {
  private readonly cache = new Map<number, string[] | null>();
  private readonly get: Database.Statement;

  constructor(db: Database.Database) {
    this.get = prepared(db, 'SELECT data FROM blocks WHERE id = ?');
  }

  /** The body at `slot` of block `id`, or undefined when missing or damaged. */
  body(id: number, slot: number): string | undefined {
    let bodies = this.cache.get(id);
    if (bodies === undefined) {
      bodies = this.load(id);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(id, bodies);
    }
    return bodies?.[slot];
  }

  private load(id: number): string[] | null {
    const row = this.get.get(id) as { data: Buffer } | undefined;
    if (!row) return null;
    try {
      return unpack(row.data).split('\n');
    } catch {
      return null; // a damaged block loses its events, not the query
    }
  }
}
