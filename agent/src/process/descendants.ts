// A process's descendants, found in /proc: walked down from the root through
// /proc/<pid>/task/<tid>/children when the kernel lists children (cheap), or
// from every /proc/<pid>/stat's ppid when it does not. Used by the responses
// that act on a tree (kill, suspend, isolate).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseStat } from './proc-parse';

/** Children of pid, or undefined when this /proc has no children files. */
function childrenOf(pid: number, procRoot: string): number[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    // Gone, or a /proc without task dirs (then: scan instead).
    return existsSync(`${procRoot}/${pid}`) ? undefined : [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`${procRoot}/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(`${procRoot}/${pid}/task/${tid}`)) return undefined;
    }
  }
  return out;
}

function byScan(root: number, procRoot: string): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = parseStat(readFileSync(`${procRoot}/${name}/stat`, 'utf8'))?.ppid;
      if (ppid === undefined) continue;
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) for (const c of children.get(queue.shift()!) ?? []) { out.push(c); queue.push(c); }
  return out;
}

/** Every descendant of root, breadth first (root itself not included). */
export function descendantsOf(root: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const kids = childrenOf(queue.shift()!, procRoot);
    if (kids === undefined) return byScan(root, procRoot);
    for (const k of kids) { out.push(k); queue.push(k); }
  }
  return out;
}
