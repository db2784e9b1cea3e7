// What no response may touch, whoever asks: pid 1, the kernel's threads,
// the agent and its loader. Checked before every action.
import { readFileSync } from 'node:fs';
import { parseStat } from '../process/proc-parse';

export class ProtectedTargetError extends Error {
  constructor(readonly pid: number, why: string) {
    super(`pid ${pid} is protected (${why}); no response acts on it`);
    this.name = 'ProtectedTargetError';
  }
}

/** Why `pid` is protected, or undefined. `extra`: the agent's own helpers (its loader). */
export function protectedReason(pid: number, extra: readonly number[] = [], procRoot = '/proc'): string | undefined {
  if (!Number.isInteger(pid) || pid <= 1) return 'init or no process';
  if (pid === process.pid) return 'the agent itself';
  if (extra.includes(pid)) return 'the agent\'s loader';
  try {
    const st = parseStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
    // Kernel threads: children of kthreadd (pid 2), or PF_KTHREAD in flags.
    if (pid === 2 || st?.ppid === 2 || ((st?.flags ?? 0) & 0x00200000) !== 0) return 'a kernel thread';
  } catch {
    return undefined; // gone: the caller reports that
  }
  return undefined;
}

/** The agent's ancestors (parent first, pid 1 excluded): a tree action on one of them would take the agent with it. */
export function agentAncestors(procRoot = '/proc'): number[] {
  const out: number[] = [];
  for (let pid = process.ppid; pid > 1 && out.length < 64;) {
    out.push(pid);
    let ppid: number | undefined;
    try {
      ppid = parseStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'))?.ppid;
    } catch {
      // gone
    }
    if (ppid === undefined) break;
    pid = ppid;
  }
  return out;
}
