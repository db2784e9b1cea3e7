// Tracer: the bare vigil-loader, frames discarded to /dev/null. Measures the
// kernel side (probes + ring buffer + frame writing) without the collector.
// It prints nothing when attached, so "attached" = its bpf_link fd count is
// non-zero and stable, and its events counter moves.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from '../cleanup.mjs';
import { exited, stopChild, waitFor } from '../exec.mjs';
import { bpfLinkCount, loaderCounters } from '../loader-counters.mjs';
import { fdKinds } from '../proc.mjs';

/** Wait until the loader's bpf_link count is >0 and unchanged for 3 polls. */
export async function waitLoaderAttached(pid, child) {
  let last = -1;
  let stable = 0;
  const links = await waitFor(() => {
    if (child.exitCode !== null) return -1;
    const n = bpfLinkCount(fdKinds(pid));
    stable = n > 0 && n === last ? stable + 1 : 0;
    last = n;
    return stable >= 3 ? n : null;
  }, { timeoutMs: 30_000, everyMs: 200 });
  if (!links || links < 0) return null;
  const before = loaderCounters(pid)?.events ?? 0;
  const moving = await waitFor(() => {
    spawnSync('/bin/true');
    return (loaderCounters(pid)?.events ?? 0) > before;
  }, { timeoutMs: 10_000, everyMs: 200 });
  return moving ? links : null;
}

export function vigilLoaderTracer({ root }) {
  const loader = join(root, 'build/vigil-loader');
  return {
    id: 'vigil-loader',
    label: 'vigil-loader alone (frames to /dev/null)',
    kind: 'vigil',
    config: 'build/vigil-loader --no-stdin-watch > /dev/null',
    async prepare() {
      return existsSync(loader) ? { ok: true } : { ok: false, reason: 'build/vigil-loader missing: run `make loader`' };
    },
    async start() {
      const devnull = openSync('/dev/null', 'w');
      const child = spawn(loader, ['--no-stdin-watch'], { stdio: ['ignore', devnull, 'pipe'] });
      closeSync(devnull);
      let stderr = '';
      child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
      const undo = onCleanup('stop vigil-loader', () => stopChild(child, 'SIGINT', 5000));
      const links = await Promise.race([waitLoaderAttached(child.pid, child), exited(child, 30_000).then(() => null)]);
      if (!links) {
        await undo();
        throw new Error(`loader did not attach (exit ${child.exitCode}): ${stderr.trim().split('\n').pop() ?? ''}`);
      }
      return {
        pids: () => [child.pid],
        counters: () => loaderCounters(child.pid),
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: undo,
      };
    },
  };
}
