// Clean stop: SIGTERM, SIGINT and stdin closing all end with a final STATS
// frame and exit 0; a collector that stops reading stdout gets exit 9.
// Most runs load only the process family: detaching ~100 tracepoints costs
// one RCU grace period each (seconds), and that is not what is tested here.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameKind } from '../../agent/src/decode/frame-reader';
import { LoaderRun, killAll, requireLoader } from './loader-harness';

const ONLY_PROCESS = ['--disable', 'file,net,priv'];

beforeAll(requireLoader);
afterEach(killAll);

async function stopsCleanly(run: LoaderRun, stop: () => void): Promise<void> {
  await run.ready();
  const from = run.frames.length;
  stop();
  const exit = await run.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  // The final flush ends with one last STATS frame.
  const after = run.frames.slice(from);
  expect(after.length).toBeGreaterThan(0);
  expect(after[after.length - 1].kind).toBe(FrameKind.Stats);
}

describe('vigil-loader shutdown', () => {
  it('exits 0 on SIGTERM with every family loaded', async () => {
    const run = new LoaderRun([]);
    await stopsCleanly(run, () => run.child.kill('SIGTERM'));
  }, 30000);

  it('exits 0 on SIGINT', async () => {
    const run = new LoaderRun(ONLY_PROCESS);
    await stopsCleanly(run, () => run.child.kill('SIGINT'));
  }, 30000);

  it('exits 0 when stdin closes', async () => {
    const run = new LoaderRun(ONLY_PROCESS);
    await stopsCleanly(run, () => run.child.stdin!.end());
  }, 30000);

  it('keeps running with --no-stdin-watch after stdin closes', async () => {
    const run = new LoaderRun([...ONLY_PROCESS, '--no-stdin-watch', '--stats-interval-ms', '100']);
    await run.ready();
    run.child.stdin!.end();
    const from = run.frames.length;
    await run.waitFor((f) => f.kind === FrameKind.Stats, 3000, from);
    await run.waitFor((f) => f.kind === FrameKind.Stats, 3000, run.frames.length);
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 30000);

  it('exits 9 when the collector closes stdout', async () => {
    const run = new LoaderRun([...ONLY_PROCESS, '--stats-interval-ms', '100']);
    await run.ready();
    run.child.stdout!.destroy();
    const exit = await run.exited;
    expect(exit.code).toBe(9);
    expect(run.stderr).toContain('failed to stream events');
  }, 30000);
});
