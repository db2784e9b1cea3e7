// Writer side of the `processes` table: one row per process image, reused by
// every event of that image. Runs where the writer connection lives (the
// store worker). Ancestors the table has never seen (processes that started
// before the agent and did nothing since) become image rows of their own,
// linked by parent_pk, so history can always walk a chain to pid 1.
import type Database from 'better-sqlite3';
import type { EcsAncestor } from '../model/ecs-event';
import { createHash } from 'node:crypto';
import { LruMap } from '../process/lru';
import { pack, unpack } from './compress';
import { imageOfAncestor, type ProcessImage } from './event-split';

/** What is kept per process: a digest of its latest image, not the image (65k of them). */
interface Latest {
  digest: string;
  pk: number;
  executable: string | null;
}

const digestOf = (json: string): string => createHash('sha1').update(json).digest('base64');

export class ProcessImageWriter {
  private readonly latest = new LruMap<string, Latest>(65_536);
  private readonly insert: Database.Statement;
  private readonly newest: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO processes (entity_id, parent_pk, pid, executable, ts, doc) VALUES (?, ?, ?, ?, ?, ?)');
    this.newest = db.prepare('SELECT pk, doc AS json, executable FROM processes WHERE entity_id = ? ORDER BY pk DESC LIMIT 1');
  }

  /**
   * The pk of this event's process image: the cached one when `imageJson`
   * is null (unchanged) or equal, else a new row linked to its parent.
   */
  resolve(entityId: string, imageJson: string | null, ancestorsJson: string | null, ts: number): number {
    const cur = this.current(entityId);
    if (imageJson === null || (cur && cur.digest === digestOf(imageJson))) {
      if (cur) return cur.pk;
      // The collector thought the writer knew this image; the row was pruned. Keep the link, lose the detail.
      return this.add(entityId, null, { process: { pid: 0, entity_id: entityId, parent: { pid: 0 } } as ProcessImage['process'] }, ts);
    }
    const image = JSON.parse(imageJson) as ProcessImage;
    const ancestors = ancestorsJson ? (JSON.parse(ancestorsJson) as EcsAncestor[]) : [];
    return this.add(entityId, this.chain(ancestors, 0, image.host, ts), image, ts, imageJson);
  }

  /** After retention deleted rows: cached pks may be gone. */
  forgetAll(): void {
    this.latest.clear();
  }

  private current(entityId: string): Latest | undefined {
    const hit = this.latest.get(entityId);
    if (hit) return hit;
    const row = this.newest.get(entityId) as { pk: number; json: Buffer; executable: string | null } | undefined;
    if (!row) return undefined;
    const loaded = { pk: row.pk, digest: digestOf(unpack(row.json)), executable: row.executable };
    this.latest.set(entityId, loaded);
    return loaded;
  }

  /** pk of ancestors[i], creating rows for it and its own unknown ancestors. */
  private chain(ancestors: EcsAncestor[], i: number, host: ProcessImage['host'], ts: number): number | null {
    if (i >= ancestors.length) return null;
    const a = ancestors[i];
    if (!a || typeof a.entity_id !== 'string') return null;
    const cur = this.current(a.entity_id);
    // Known, unless all we knew was its pid and this child says what it runs.
    if (cur && (cur.executable !== null || !a.executable)) return cur.pk;
    return this.add(a.entity_id, this.chain(ancestors, i + 1, host, ts), imageOfAncestor(a, host), ts);
  }

  private add(entityId: string, parentPk: number | null, image: ProcessImage, ts: number, json = JSON.stringify(image)): number {
    const p = image.process;
    const pk = Number(this.insert.run(entityId, parentPk, typeof p.pid === 'number' ? p.pid : null, p.executable ?? null, ts, pack(json)).lastInsertRowid);
    this.latest.set(entityId, { digest: digestOf(json), pk, executable: p.executable ?? null });
    return pk;
  }
}
