// When each path was last written, and by which program, so an exec can say
// how fresh its executable is ("downloaded then run" is a classic dropper
// move) and whether a linker made it (a build running what it built).
// Bounded LRU: the oldest writes are forgotten first.
import type { EcsEvent } from '../model/ecs-event';
import { writtenPath } from './event-fields';
import { LruMap } from './lru';

export class FileWriteTracker {
  private readonly lastWrite: LruMap<string, { atMs: number; by?: string }>;

  constructor(capacity = 8192) {
    this.lastWrite = new LruMap(capacity);
  }

  get size(): number {
    return this.lastWrite.size;
  }

  /** Records the event if it wrote a file (`by`: the writer's executable); returns the path it wrote. */
  record(ev: EcsEvent, atMs: number, by = ev.process?.executable): string | undefined {
    const path = writtenPath(ev);
    if (path) this.lastWrite.set(path, { atMs, by });
    return path;
  }

  /** ms between the last write of `path` and `atMs`, if it was written. */
  writtenAgo(path: string, atMs: number): number | undefined {
    const w = this.lastWrite.peek(path);
    return w === undefined ? undefined : Math.max(0, atMs - w.atMs);
  }

  /** The executable of the process that last wrote `path`, if known. */
  writtenBy(path: string): string | undefined {
    return this.lastWrite.peek(path)?.by;
  }
}
