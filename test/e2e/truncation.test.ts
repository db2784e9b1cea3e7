// Real kernel: a string that does not fit its record slot is cut AND the
// event says so (vigil.truncated), for strings read from user memory
// (bind's sun_path, bpf's prog_name) and from kernel memory (the listener
// path an accepted AF_UNIX socket inherits). A string that exactly fits is
// not flagged.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { tempDir, useCapture, waitForEvent } from './harness';
import { startProbe } from './sysprobe';

useCapture('all');
const TIMEOUT = 10_000;
const SUN_PATH = 108; // sizeof(sockaddr_un.sun_path)
const root = tempDir('vigil-trunc-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An absolute path of exactly `len` bytes under a fresh directory. */
function pathOfLength(len: number): string {
  const dir = join(root, `d${len}`);
  mkdirSync(dir);
  return join(dir, 'x'.repeat(len - dir.length - 1));
}

/** bind + listen + connect + accept on `path` (sysprobe unix-accept); the helper's pid. */
async function unixRoundTrip(path: string): Promise<number> {
  const run = startProbe('unix-accept', path);
  const [out] = await run.done;
  if (out.ret < 0) throw new Error(`sysprobe unix-accept ${path} failed: errno ${out.errno}`);
  return run.pid;
}

const by = (pid: number, action: string) => (e: EcsEvent) => e.event.kind !== 'alert' && e.process.pid === pid && e.event.action === action;

describe('truncation flag (real kernel)', () => {
  it('a 108-byte AF_UNIX path: bind (user memory) and accept (kernel memory) are flagged truncated', async () => {
    const p = pathOfLength(SUN_PATH);
    const pid = await unixRoundTrip(p);
    const bind = await waitForEvent(by(pid, 'bind'), TIMEOUT);
    const accept = await waitForEvent(by(pid, 'accept'), TIMEOUT);
    for (const e of [bind, accept]) {
      expect(e.vigil.truncated).toBe(true);
      expect(p.startsWith(String((e.source as { address?: string })?.address ?? (e.destination as { address?: string })?.address))).toBe(true);
    }
  });

  it('a 107-byte AF_UNIX path fits exactly: not flagged', async () => {
    const p = pathOfLength(SUN_PATH - 1);
    const pid = await unixRoundTrip(p);
    const bind = await waitForEvent(by(pid, 'bind'), TIMEOUT);
    const accept = await waitForEvent(by(pid, 'accept'), TIMEOUT);
    for (const e of [bind, accept]) expect(e.vigil.truncated).toBeUndefined();
  });

  it('a bpf prog_name of 16 bytes with no NUL is cut to 15 and flagged; 15 bytes is not', async () => {
    const long = startProbe('bpf-prog-load', 'abcdefghijklmnop');
    const ev = waitForEvent(by(long.pid, 'bpf'), TIMEOUT);
    const [out] = await long.done;
    expect(out.errno).toBe(22); // the kernel refuses a name without NUL
    const e = await ev;
    expect(e.vigil.truncated).toBe(true);
    expect(JSON.stringify(e.vigil)).toContain('abcdefghijklmno');

    const fits = startProbe('bpf-prog-load', 'abcdefghijklmno');
    const ev2 = waitForEvent(by(fits.pid, 'bpf'), TIMEOUT);
    await fits.done;
    expect((await ev2).vigil.truncated).toBeUndefined();
  });
});
