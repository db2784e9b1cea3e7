// Query side of the `processes` table: images by pk and ancestor chains by
// a recursive walk of parent_pk, cached for the life of one query (a page
// of events shares few processes).
import type Database from 'better-sqlite3';
import type { EcsAncestor } from '../model/ecs-event';
import { unpack } from './compress';
import { ancestorOf, type ProcessImage } from './event-split';
import { prepared } from './prepared';

/** The deepest chain walked, as the collector's process table (maxAncestors). */
export const MAX_CHAIN = 64;

interface ImageRow {
  pk: number;
  parent_pk: number | null;
  doc: Buffer | string;
}

export class ProcessReader {
  private readonly images = new Map<number, { image?: ProcessImage; parentPk: number | null }>();
  private readonly byPk: Database.Statement;
  private readonly chain: Database.Statement;

  constructor(db: Database.Database) {
    this.byPk = prepared(db, 'SELECT pk, parent_pk, doc FROM processes WHERE pk = ?');
    this.chain = prepared(db, `WITH RECURSIVE chain(pk, parent_pk, doc, depth) AS (
        SELECT pk, parent_pk, doc, 1 FROM processes WHERE pk = ?
        UNION ALL
        SELECT p.pk, p.parent_pk, p.doc, c.depth + 1 FROM processes p JOIN chain c ON p.pk = c.parent_pk WHERE c.depth < ${MAX_CHAIN}
      ) SELECT pk, parent_pk, doc FROM chain ORDER BY depth`);
  }

  image(pk: number): ProcessImage | undefined {
    return this.entry(pk)?.image;
  }

  /** Up to `n` ancestors of image `pk`, nearest first (its parent's image, then that one's...). */
  ancestors(pk: number, n: number): EcsAncestor[] {
    const out: EcsAncestor[] = [];
    const seen = new Set<number>([pk]);
    let next = this.entry(pk)?.parentPk ?? null;
    if (next !== null && !this.images.has(next)) this.load(next);
    while (next !== null && out.length < n && !seen.has(next)) {
      seen.add(next);
      const e = this.images.get(next) ?? this.entry(next);
      if (!e?.image) break;
      out.push(ancestorOf(e.image));
      next = e.parentPk;
    }
    return out;
  }

  private entry(pk: number): { image?: ProcessImage; parentPk: number | null } | undefined {
    const hit = this.images.get(pk);
    if (hit) return hit;
    const row = this.byPk.get(pk) as ImageRow | undefined;
    return row ? this.remember(row) : undefined;
  }

  /** One recursive query for a whole chain instead of a lookup per hop. */
  private load(pk: number): void {
    for (const row of this.chain.all(pk) as ImageRow[]) if (!this.images.has(row.pk)) this.remember(row);
  }

  private remember(row: ImageRow): { image?: ProcessImage; parentPk: number | null } {
    let image: ProcessImage | undefined;
    try {
      image = JSON.parse(unpack(row.doc)) as ProcessImage;
    } catch {
      image = undefined; // a damaged image: the event still renders, without process detail
    }
    const e = { image, parentPk: row.parent_pk };
    this.images.set(row.pk, e);
    return e;
  }
}
