// Real kernel: a rule with `response: kill-tree` matches the exec of a
// shell that starts children; the agent stops and kills the whole tree at
// once, and the alert carries what was done and the detect-to-kill time.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy } from './harness';
import { startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-resp-');
const rules = join(dir, 'rules');
let agent: PrivateAgent | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Processes whose command line contains `tag`. */
function running(tag: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(tag)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

describe('rule response', () => {
  it('kill-tree: the matching shell and the children it started are killed, and the alert says so', async () => {
    const victim = uniqueCopy('/bin/sh', dir, 'vigil-victim');
    const name = victim.slice(victim.lastIndexOf('/') + 1);
    mkdirSync(rules);
    writeFileSync(join(rules, 'kill-victim.yml'), [
      'title: Test victim shell', 'id: test-kill-victim', 'level: high', 'response: kill-tree',
      'logsource: {product: linux, category: process_creation}',
      'detection:', '  sel:', `    Image|endswith: /${name}`, '  condition: sel', '',
    ].join('\n'));
    agent = startAgent(dir, ['--no-db', '--no-default-rules', '--rules', rules]);
    await agent.marker('marker');

    // Children that would outlive their parent: only a tree kill stops them.
    const tag = `${7000 + Math.floor(Math.random() * 999)}.5`;
    const shell = spawn(victim, ['-c', `sleep ${tag} & sleep ${tag} & sleep ${tag}`], { stdio: 'ignore' });
    const exit = await new Promise<{ code: number | null; signal: string | null }>((ok) => shell.on('exit', (code, signal) => ok({ code, signal })));
    expect(exit.signal).toBe('SIGKILL');
    const alert = await until('the alert with its response', () =>
      agent!.lines().find((e) => e.event?.kind === 'alert' && e.rule?.id === 'test-kill-victim'));
    const [resp] = alert.vigil.response;
    expect(resp).toMatchObject({ action: 'kill-tree', ok: true });
    expect(resp.pids[0]).toBe(shell.pid);
    expect(resp.latency_ms).toBeGreaterThanOrEqual(0);
    await until('no child left', () => (running(`sleep ${tag}`).length === 0 ? true : undefined), 5000);
    console.log(`kill-tree: ${resp.pids.length} process(es), kernel exec event to last signal ${resp.latency_ms} ms`);
    expect(await agent.stop()).toBe(0);
  }, 90_000);
});
