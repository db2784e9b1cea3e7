// When each path was last written, by any process, so an exec can say how
// fresh its executable is ("downloaded then run" is a classic dropper move).
// Bounded LRU: the oldest writes are forgotten first.
import type { EcsEvent } from '../model/ecs-event';
import { writtenPath } from './event-fields';
import { LruMap } from './lru';

export class FileWriteTracker {
  private readonly lastWrite: LruMap<string, number>;

  constructor(capacity = 8192) {
    this.lastWrite = new LruMap(capacity);
  }

  get size(): number {
    return this.lastWrite.size;
  }

  /** Records the event if it wrote a file; returns the path it wrote. */
  record(ev: EcsEvent, atMs: number): string | undefined {
    const path = writtenPath(ev);
    if (path) this.lastWrite.set(path, atMs);
    return path;
  }

  /** ms between the last write of `path` and `atMs`, if it was written. */
  writtenAgo(path: string, atMs: number): number | undefined {
    const t = this.lastWrite.peek(path);
    return t === undefined ? undefined : Math.max(0, atMs - t);
  }
}
