// Before each measured run, let the tracer finish the backlog of the last
// one (a collector still parsing 2 s of events steals a core), so runs do
// not bleed into each other. Bounded: a tracer that never idles is noted.
import { sleep } from './exec.mjs';
import { cpuPercent, sample } from './proc.mjs';

export async function settle(pids, { idlePct = 15, maxMs = 8000, windowMs = 250 } = {}) {
  const end = performance.now() + maxMs;
  for (;;) {
    const a = sample(pids);
    await sleep(windowMs);
    const pct = cpuPercent(a, sample(pids));
    if (pct === null || pct < idlePct) return true;
    if (performance.now() > end) return false;
  }
}
