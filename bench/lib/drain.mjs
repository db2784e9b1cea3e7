// Loader-only drain measurement: vigil-loader + the counting drain reader,
// with open_storm flat out. Reports events/s the reader drained and the
// kernel's drop counter over the run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onCleanup } from './cleanup.mjs';
import { parseRate, run, sleep, stopChild, waitFor } from './exec.mjs';
import { loaderCounters } from './loader-counters.mjs';

export async function measureDrain({ root, binDir, seconds = 3 }) {
  const child = spawn(process.execPath, [join(root, 'bench/lib/drain-reader.mjs'), join(root, 'build/vigil-loader')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const msgs = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  createInterface({ input: child.stdout }).on('line', (l) => { try { msgs.push(JSON.parse(l)); } catch { /* not ours */ } });
  const undo = onCleanup('stop drain reader', () => stopChild(child, 'SIGTERM', 8000));
  const next = async (type) => {
    const from = msgs.length;
    return waitFor(() => msgs.slice(from).find((m) => m.type === type), { timeoutMs: 10_000, everyMs: 50 });
  };
  try {
    const ready = await waitFor(() => msgs.find((m) => m.type === 'ready'), { timeoutMs: 30_000 });
    if (!ready) throw new Error(`loader behind the drain reader never sent READY: ${stderr.trim().split('\n').pop() ?? ''}`);
    await sleep(500);
    const pid = ready.loaderPid;
    child.kill('SIGUSR1');
    const a = await next('snapshot');
    const ka = loaderCounters(pid);
    const t0 = Date.now();
    const w = await run(join(binDir, 'open_storm'), ['1000000000', String(seconds)]);
    const t1 = Date.now();
    // Let the reader catch up: wait until its record count stops moving.
    let b = null;
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      child.kill('SIGUSR1');
      const s = await next('snapshot');
      if (b && s && s.records === b.records) break;
      b = s;
    }
    const kb = loaderCounters(pid);
    const drained = b.records - a.records;
    const drainSecs = Math.max(t1, b.lastEventAt) - t0;
    return {
      workload: 'open_storm flat out',
      workload_rate: parseRate(w.stdout),
      seconds: (t1 - t0) / 1000,
      records_drained: drained,
      drained_per_s: drainSecs > 0 ? drained / (drainSecs / 1000) : null,
      catch_up_s: Math.max(0, (b.lastEventAt - t1) / 1000),
      bytes_per_s: drainSecs > 0 ? (b.bytes - a.bytes) / (drainSecs / 1000) : null,
      kernel_events: ka && kb ? kb.events - ka.events : null,
      drops: ka && kb ? kb.drops - ka.drops : (b.stats?.drops ?? 0) - (a.stats?.drops ?? 0),
      bad_payloads: b.badPayloads - a.badPayloads,
    };
  } finally {
    await undo();
  }
}
