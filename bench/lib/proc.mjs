// /proc readers: CPU ticks and RSS of a set of processes, their children,
// and the anonymous BPF fds they hold. All readers return null for a process
// that is gone instead of throwing: tracers exit while we sample them.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch { /* 100 is the Linux default */ }

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * CPU time of a process in seconds. Prefers the per-thread schedstat run
 * time (ns precision: a loader using 0.5% of a core over 1.5 s is below one
 * 10 ms tick of utime+stime); falls back to /proc/<pid>/stat utime+stime.
 */
export function cpuSeconds(pid) {
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tids) {
    const line = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (line === null) continue; // thread exited while we listed them
    const v = Number(line.split(' ')[0]);
    if (!Number.isFinite(v)) return statCpuSeconds(pid);
    ns += v;
  }
  return ns / 1e9;
}

/** utime + stime of a process (all its threads, live and exited), in seconds. */
export function statCpuSeconds(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // comm may hold spaces or parens: fields start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clkTck;
}

/** Resident set size in MiB (VmRSS), null for a gone or kernel process. */
export function rssMiB(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) / 1024 : null;
}

export function comm(pid) {
  return (read(`/proc/${pid}/comm`) ?? '').trim();
}

/** Direct children of `pid`, from every thread's children list. */
export function childPids(pid) {
  const out = new Set();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const tid of tids) {
    for (const c of (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ')) if (c.trim()) out.add(Number(c));
  }
  return [...out];
}

/** Kernel threads named exactly `name` (e.g. kauditd), by their pid. */
export function kernelThreads(name) {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d) && comm(d) === name && read(`/proc/${d}/cmdline`) === '').map(Number);
}

/** Count of fds by link target (anon_inode:bpf_link, anon_inode:[perf_event]...). */
export function fdKinds(pid) {
  const counts = {};
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return counts;
  }
  for (const fd of fds) {
    try {
      const t = readlinkSync(`/proc/${pid}/fd/${fd}`);
      counts[t] = (counts[t] ?? 0) + 1;
    } catch { /* closed meanwhile */ }
  }
  return counts;
}

/** fdinfo of every fd, for finding a BPF map by its shape. */
export function fdInfos(pid) {
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fdinfo`);
  } catch {
    return [];
  }
  return fds.map((fd) => read(`/proc/${pid}/fdinfo/${fd}`)).filter(Boolean);
}

/** Snapshot of CPU seconds and RSS summed over `pids`. */
export function sample(pids) {
  let cpu = 0;
  let rss = 0;
  for (const pid of pids) {
    cpu += cpuSeconds(pid) ?? 0;
    rss += rssMiB(pid) ?? 0;
  }
  return { at: performance.now(), cpu, rss };
}

/** CPU% of one core used between two samples. */
export function cpuPercent(a, b) {
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? ((b.cpu - a.cpu) / wall) * 100 : null;
}
