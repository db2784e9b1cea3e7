// The workloads the driver runs (bench/workloads/*.c, built by `make helpers`
// into build/bench/). Storms run flat out with a time cap, so every run takes
// about `seconds` whatever the tracer does to the rate. `paired` workloads get
// a baseline run before every traced run; the paced exec one is measured for
// tracer CPU at a fixed rate, so its baseline runs once.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCount, parseRate, run } from './exec.mjs';

export const EXEC_RATE = 1600;

export function workloads(binDir, seconds) {
  const s = String(seconds);
  const w = (id, bin, args, unit, paired, what) => ({ id, bin: join(binDir, bin), args, unit, paired, what });
  return [
    w('open_storm', 'open_storm', ['1000000000', s], 'opens/s', true, 'open+read+close /etc/hostname'),
    w('exec_storm', 'exec_storm', ['1000000', s], 'execs/s', true, 'fork+exec /bin/true'),
    { ...w('connect_storm', 'connect_storm', ['1000000000', s], 'connects/s', true, 'TCP connect+close to 127.0.0.1'), action: 'connect' },
    w(`exec_rate_${EXEC_RATE}`, 'exec_storm', ['--rate', String(EXEC_RATE), String(Math.max(2, seconds))], 'execs/s', false, `vfork+exec paced at ${EXEC_RATE}/s`),
  ];
}

export function missingBinaries(list) {
  return [...new Set(list.map((w) => w.bin))].filter((b) => !existsSync(b));
}

/** Run one workload; { rate, ms, pid, count } or { error }. count: calls the workload says it made. */
export async function runWorkload(w) {
  const r = await run(w.bin, w.args, { timeoutMs: 120_000 });
  const rate = parseRate(r.stdout);
  if (r.code !== 0 || rate === null) return { rate: null, ms: r.ms, error: `${w.id} exited ${r.code ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}` };
  return { rate, ms: r.ms, pid: r.pid, count: parseCount(r.stdout) };
}
