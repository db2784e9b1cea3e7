// A burst bigger than the ring buffer while the collector is not reading
// must show up as drops in STATS (counted in kernel), not as silence, and
// the loader must carry on streaming once the collector reads again.
import { ChildProcess, spawn } from 'node:child_process';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { LoaderRun, json, killAll, requireLoader } from './loader-harness';

const bursts = new Set<ChildProcess>();

beforeAll(requireLoader);
afterEach(() => {
  killAll();
  for (const sh of bursts) if (sh.exitCode === null && sh.signalCode === null) sh.kill('SIGKILL');
  bursts.clear();
});

function forkBurst(n: number): Promise<number | null> {
  const sh = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done`], { stdio: 'ignore' });
  bursts.add(sh);
  return new Promise<number | null>((resolve) => sh.on('exit', (code) => resolve(code)));
}

it('reports drops > 0 after a burst larger than a tiny ring buffer', async () => {
  const run = new LoaderRun(['--disable', 'file,net,priv', '--ringbuf-size', '4096', '--stats-interval-ms', '200']);
  const ready = await run.ready();
  expect(ready.ringbuf_bytes).toBe(4096);

  run.child.stdout!.pause(); // pipe fills, loader blocks in write, ring overflows
  expect(await forkBurst(3000)).toBe(0);
  const from = run.frames.length;
  run.child.stdout!.resume();

  const withDrops = await run.waitFor((f) => f.kind === FrameKind.Stats && json(f).drops > 0, 10000, from);
  const s = json(withDrops);
  expect(s.drops).toBeGreaterThan(ready.drops);
  expect(s.events).toBeGreaterThan(0);
  // Still alive and streaming after the overflow.
  const n = run.frames.length;
  await run.waitFor((f) => f.kind === FrameKind.Stats, 3000, n);
  expect(run.child.exitCode).toBeNull();
}, 60000);
