// A family with programs the host refuses must not take the loader down:
// the verifier-refused program is retried without, the unattachable one is
// reported, and the rest stream. Builds a loader whose `priv` family is
// fixtures/refused.bpf.c (clang, bpftool and cc as in the Makefile).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildFixtureLoader } from './fixture-loader';
import { LoaderRun, killAll } from './loader-harness';

let dir = '';
let loader = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-refused-'));
  loader = buildFixtureLoader('refused.bpf.c', dir);
}, 120000);

afterEach(killAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('retries without a verifier-refused program and reports every probe', async () => {
  const run = new LoaderRun(['--disable', 'file,net'], { binary: loader });
  const ready = await run.ready(30000);
  const byName = new Map(ready.probes.map((p) => [p.name, p]));

  expect(byName.get('fixture_good')).toMatchObject({ family: 'priv', attached: true, error: '' });
  expect(byName.get('fixture_verifier_refuses')).toMatchObject({ family: 'priv', attached: false });
  expect(byName.get('fixture_verifier_refuses')!.error).toMatch(/^load failed: /);
  expect(byName.get('fixture_no_tracepoint')).toMatchObject({ family: 'priv', attached: false });
  // A missing (weak) kfunc: this program alone is refused, as respond_exec is on a kernel without its kfuncs.
  expect(byName.get('fixture_missing_kfunc')).toMatchObject({ family: 'priv', attached: false });
  expect(byName.get('fixture_missing_kfunc')!.error).toMatch(/^load failed: /);
  // Checked against tracefs before load: named as missing, not a failure.
  expect(byName.get('fixture_no_tracepoint')!.error).toBe('off: the kernel has no such tracepoint');
  expect(run.stderr).toContain('priv/fixture_no_tracepoint off: the kernel has no such tracepoint');
  expect(byName.get('handle_exec')).toMatchObject({ family: 'process', attached: true });
  expect([...byName.values()].some((p) => p.family === 'file' || p.family === 'net')).toBe(false);

  // The verifier's reason reaches stderr, with the program named.
  expect(run.stderr).toContain('verifier refused program fixture_verifier_refuses');
  expect(run.stderr).toContain('invalid mem access');
  run.child.kill('SIGTERM');
  expect((await run.exited).code).toBe(0);
}, 60000);
