// Which process's stdout feeds which process's stdin. A shell builds
// `a | b | c` by forking each member and dup2-ing one pipe onto the writer's
// stdout and the reader's stdin; the dup-stdio events carry the pipe's inode,
// so the same inode on two processes links them. An exec event then shows its
// whole pipeline's command lines in order (vigil.pipeline.command_lines), and
// a rule can see `echo ... | base64 -d | sh` as one thing, whichever member
// ran last.
import { LruMap } from './lru';
import type { ProcessEntry, ProcessTable } from './process-table';

const MAX_MEMBERS = 8;
/** Processes remembered per pipe end: a loop reading a pipe forks a child per line, all holding it. */
const MAX_PER_END = 32;

function addBounded(set: Set<string>, id: string): void {
  set.delete(id);
  set.add(id);
  if (set.size > MAX_PER_END) set.delete(set.values().next().value as string);
}

interface PipeEnds {
  writers: Set<string>;
  readers: Set<string>;
}

export class PipeIndex {
  private readonly pipes: LruMap<number, PipeEnds>;

  constructor(capacity = 4096) {
    this.pipes = new LruMap(capacity);
  }

  /** The process put pipe `inode` on its stdin (fd 0) or stdout (fd 1); another file there unlinks it. */
  noteStdio(entry: ProcessEntry, fd: number, inode: number | undefined): void {
    if (fd !== 0 && fd !== 1) return;
    const prev = fd === 0 ? entry.pipeIn : entry.pipeOut;
    if (prev !== undefined) this.ends(prev, false)?.[fd === 0 ? 'readers' : 'writers'].delete(entry.entityId);
    if (fd === 0) entry.pipeIn = inode;
    else entry.pipeOut = inode;
    if (inode !== undefined) addBounded(this.ends(inode, true)![fd === 0 ? 'readers' : 'writers'], entry.entityId);
  }

  /** A forked child holds its parent's stdio pipes too. */
  inherit(child: ProcessEntry): void {
    if (child.pipeIn !== undefined) addBounded(this.ends(child.pipeIn, true)!.readers, child.entityId);
    if (child.pipeOut !== undefined) addBounded(this.ends(child.pipeOut, true)!.writers, child.entityId);
  }

  /** Processes remembered on one end of a pipe (tests). */
  size(inode: number, end: 'readers' | 'writers'): number {
    return this.pipes.peek(inode)?.[end].size ?? 0;
  }

  private ends(inode: number, create: boolean): PipeEnds | undefined {
    let e = this.pipes.get(inode);
    if (!e && create) this.pipes.set(inode, (e = { writers: new Set(), readers: new Set() }));
    return e;
  }

  /**
   * The live members of the entry's pipeline, first writer to last reader, the
   * entry among them; undefined when it is in none. A member with several
   * peers on one pipe (a forked subshell) counts the one that exec'd last.
   */
  members(entry: ProcessEntry, table: ProcessTable): ProcessEntry[] | undefined {
    if (entry.pipeIn === undefined && entry.pipeOut === undefined) return undefined;
    const pick = (ids: Set<string> | undefined, not: string): ProcessEntry | undefined => {
      let best: ProcessEntry | undefined;
      for (const id of ids ?? []) {
        const e = id === not ? undefined : table.peek(id);
        // Exited members stay: `base64 -d` may be done before the shell it fed has exec'd.
        if (e && (!best || e.execCount > best.execCount)) best = e;
      }
      return best;
    };
    const up: ProcessEntry[] = [];
    for (let cur = entry; cur.pipeIn !== undefined && up.length < MAX_MEMBERS;) {
      const w = pick(this.pipes.peek(cur.pipeIn)?.writers, cur.entityId);
      if (!w || up.includes(w)) break;
      up.unshift(w);
      cur = w;
    }
    const down: ProcessEntry[] = [];
    for (let cur = entry; cur.pipeOut !== undefined && down.length < MAX_MEMBERS;) {
      const r = pick(this.pipes.peek(cur.pipeOut)?.readers, cur.entityId);
      if (!r || down.includes(r) || up.includes(r)) break;
      down.push(r);
      cur = r;
    }
    return up.length || down.length ? [...up, entry, ...down] : undefined;
  }
}
