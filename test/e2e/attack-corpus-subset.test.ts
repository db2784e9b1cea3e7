// A quick subset of the attack corpus (bench/anomaly/scenarios.mjs) on the
// real kernel: each scenario runs as the corpus recorder runs it (a bash -c
// of its script) and must raise a default-rule alert, on a process of that
// shell's tree, tagged with the scenario's ATT&CK technique (the same, its
// parent or a sub-technique). The full corpus and its rates: make bench.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitForEvent, type EcsEvent } from './harness';
import { isAlert } from './rule-alerts';
// @ts-expect-error: plain ESM of the bench, no types
import { C2, SCENARIOS, techniqueMatches } from '../../bench/anomaly/scenarios.mjs';

interface Scenario { id: string; technique: string; script: string }
const dir = tempDir('vigil-e2e-corpus-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUBSET = [
  'revshell-bash', 'shadow-read', 'cron-persist', 'sudoers-d', 'setcap-setuid', 'ld-library-path', 'histfile-null',
  'aslr-off', 'zip-encrypt-stage', 'ssh-tunnel', 'security-sw-discovery', 'prctl-rename', 'proc-environ-read', 'curl-upload',
  'rev-obfuscated', 'script-from-b64', 'revshell-hex', 'password-policy', 'nsenter-host', 'ld-preload-env',
];

const rule = (e: EcsEvent) => (e as unknown as { rule: { name: string; tags?: string[] } }).rule;
const inTree = (e: EcsEvent, pid: number) => e.process?.pid === pid || (e.process?.ancestors ?? []).some((a) => a.pid === pid);

describe('attack corpus, quick subset: a technique-matched rule alert per scenario', () => {
  for (const id of SUBSET) {
    it(id, async () => {
      const s = (SCENARIOS as Scenario[]).find((x) => x.id === id);
      if (!s) throw new Error(`scenario ${id} is not in bench/anomaly/scenarios.mjs`);
      const w = join(dir, id);
      mkdirSync(w, { recursive: true });
      const r = spawnSync('bash', ['-c', `: scenario=${id}\n${s.script}\ntrue`], { cwd: w, env: { ...process.env, W: w, C2 }, timeout: 30_000 });
      expect(r.status).toBe(0);
      const a = await waitForEvent((e) => isAlert(e) && inTree(e, r.pid!) && techniqueMatches(rule(e).tags, s.technique), 20_000);
      expect(rule(a).tags?.length).toBeGreaterThan(0);
    });
  }
});
