// An isolated tree leaves out a member the response allow-list spares:
// NetworkIsolator over real processes, with a scratch directory standing in
// for the cgroup2 mount (it only records which pids were moved).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkIsolator } from '../../agent/src/response/isolation';
import { descendantsOf } from '../../agent/src/process/descendants';

const dir = mkdtempSync(join(tmpdir(), 'vigil-iso-spared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('NetworkIsolator and the allow-list', () => {
  it('moves the root and its descendants, but not a spared one', async () => {
    const tag = `${8000 + Math.floor(Math.random() * 999)}.25`;
    const root = spawn('bash', ['-c', `sleep ${tag} & sleep ${tag}1 & wait`], { stdio: 'ignore' });
    try {
      let kids: number[] = [];
      for (let i = 0; i < 200 && kids.length < 2; i++) {
        await new Promise((ok) => setTimeout(ok, 10));
        kids = descendantsOf(root.pid!);
      }
      expect(kids).toHaveLength(2);
      const spared = kids.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${tag}1`))!;
      const iso = new NetworkIsolator({ isolation: async () => ({ ok: true }) }, { cgroupRoot: dir, spared: (p) => p === spared });
      const r = await iso.isolateTree(root.pid!, 'test');
      expect(r.ok).toBe(true);
      expect(r.pids.sort()).toEqual([root.pid!, ...kids.filter((p) => p !== spared)].sort());
    } finally {
      for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try { if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(tag)) process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
      }
      root.kill('SIGKILL');
    }
  });
});
