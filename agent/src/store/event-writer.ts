// Writes event rows on the writer connection: bodies go into compressed
// blocks of up to BLOCK_EVENTS (one deflate per block, not per event), the
// indexed columns into `events`, the process into its image row.
import type Database from 'better-sqlite3';
import { pack } from './compress';
import type { EventRow } from './event-row';
import { ProcessImageWriter } from './process-images';

export const BLOCK_EVENTS = 64;

export class EventRowWriter {
  private readonly images: ProcessImageWriter;
  private readonly insBlock: Database.Statement;
  private readonly insEvent: Database.Statement;

  constructor(db: Database.Database) {
    this.images = new ProcessImageWriter(db);
    this.insBlock = db.prepare('INSERT INTO blocks (data) VALUES (?)');
    this.insEvent = db.prepare(`INSERT INTO events (ts, action, proc, block, slot, file_path, target_path, remote_ip, remote_port)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Call inside the caller's transaction. */
  write(rows: EventRow[]): void {
    for (let i = 0; i < rows.length; i += BLOCK_EVENTS) {
      const chunk = rows.slice(i, i + BLOCK_EVENTS);
      // Bodies are JSON.stringify output: a newline inside one is always escaped.
      const block = Number(this.insBlock.run(pack(chunk.map((r) => r.body).join('\n'))).lastInsertRowid);
      for (let slot = 0; slot < chunk.length; slot++) {
        const r = chunk[slot];
        const proc = this.images.resolve(r.entity_id, r.image, r.ancestors, r.ts);
        this.insEvent.run(r.ts, r.action, proc, block, slot, r.file_path, r.target_path, r.remote_ip, r.remote_port);
      }
    }
  }

  /** After retention or a failed transaction: cached image pks may be gone. */
  forgetImages(): void {
    this.images.forgetAll();
  }
}
