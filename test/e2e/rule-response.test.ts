// Real kernel: a rule with `response: kill-tree` matches the exec of a
// shell whose tree has children. By default the kernel carries the rule out
// at that exec (bpf/lib/respond.h): the exec event and the alert say so.
// With --no-kernel-responses the agent stops and kills the whole tree from
// user space. Either way the alert carries what was done and the
// detect-to-kill time.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, uniqueCopy } from './harness';
import { startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-resp-');
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

/** A rule whose response is kill-tree, for execs of `victim`. */
function rule(id: string, victim: string): string {
  const d = join(dir, `rules-${id}`);
  mkdirSync(d);
  writeFileSync(join(d, 'kill-victim.yml'), [
    `title: Test victim shell ${id}`, `id: ${id}`, 'level: high', 'response: kill-tree',
    'logsource: {product: linux, category: process_creation}',
    'detection:', '  sel:', `    Image|endswith: ${victim.slice(victim.lastIndexOf('/'))}`, '  condition: sel', '',
  ].join('\n'));
  return d;
}

const exitOf = (c: ReturnType<typeof spawn>) => new Promise<{ code: number | null; signal: string | null }>((ok) => c.on('exit', (code, signal) => ok({ code, signal })));

describe('rule response', () => {
  it('kill-tree in the kernel (the default): the exec and the children its process had are killed before the new image runs', async () => {
    const victim = uniqueCopy('/bin/sh', dir, 'vigil-victim-k');
    agent = startAgent(dir, ['--no-db', '--no-default-rules', '--rules', rule('test-kill-kernel', victim)]);
    await agent.marker('marker-k');

    // The root starts two children, then execs the victim: its tree is three processes.
    const tag = `${7000 + Math.floor(Math.random() * 999)}.5`;
    const root = spawn('bash', ['-c', `sleep ${tag} & sleep ${tag} & exec ${victim} -c "sleep ${tag}"`], { stdio: 'ignore' });
    expect((await exitOf(root)).signal).toBe('SIGKILL');
    const alert = await until('the alert with its response', () =>
      agent!.lines().find((e) => e.event?.kind === 'alert' && e.rule?.id === 'test-kill-kernel'));
    const [resp] = alert.vigil.response;
    expect(resp).toMatchObject({ action: 'kill-tree', ok: true, kernel: { signalled: 3 } });
    expect(resp.pids[0]).toBe(root.pid);
    expect(resp.kernel.latency_us).toBeGreaterThan(0);
    expect(resp.latency_ms).toBeLessThan(50);
    const exec = agent.lines().find((e) => e.event?.action === 'exec' && e.process?.pid === root.pid && e.process?.executable === victim);
    expect(exec?.vigil.response).toMatchObject({ by: 'kernel', action: 'kill-tree', rule_index: 0, signalled: 3 });
    await until('no child left', () => (running(`sleep ${tag}`).length === 0 ? true : undefined), 5000);
    console.log(`kill-tree in the kernel: ${resp.kernel.signalled} process(es) signalled ${resp.kernel.latency_us} us after the exec`);
    expect(await agent.stop()).toBe(0);
  }, 90_000);

  it('kill-tree from user space (--no-kernel-responses): the matching shell and the children it started are killed, and the alert says so', async () => {
    const victim = uniqueCopy('/bin/sh', dir, 'vigil-victim');
    agent = startAgent(dir, ['--no-db', '--no-default-rules', '--no-kernel-responses', '--rules', rule('test-kill-victim', victim)]);
    await agent.marker('marker');

    // Children that would outlive their parent: only a tree kill stops them.
    const tag = `${7000 + Math.floor(Math.random() * 999)}.5`;
    const shell = spawn(victim, ['-c', `sleep ${tag} & sleep ${tag} & sleep ${tag}`], { stdio: 'ignore' });
    expect((await exitOf(shell)).signal).toBe('SIGKILL');
    const alert = await until('the alert with its response', () =>
      agent!.lines().find((e) => e.event?.kind === 'alert' && e.rule?.id === 'test-kill-victim'));
    const [resp] = alert.vigil.response;
    expect(resp).toMatchObject({ action: 'kill-tree', ok: true });
    expect(resp.kernel).toBeUndefined();
    expect(resp.pids[0]).toBe(shell.pid);
    expect(resp.latency_ms).toBeGreaterThanOrEqual(0);
    const exec = agent.lines().find((e) => e.event?.action === 'exec' && e.process?.pid === shell.pid);
    expect(exec?.vigil.response).toBeUndefined();
    await until('no child left', () => (running(`sleep ${tag}`).length === 0 ? true : undefined), 5000);
    console.log(`kill-tree: ${resp.pids.length} process(es), kernel exec event to last signal ${resp.latency_ms} ms`);
    expect(await agent.stop()).toBe(0);
  }, 90_000);

  it('a rule with an exception is never handed to the kernel: the excepted exec runs, the other is killed from user space', async () => {
    const victim = uniqueCopy('/bin/sh', dir, 'vigil-victim-x');
    const name = victim.slice(victim.lastIndexOf('/') + 1);
    const sparedDir = join(dir, 'spared');
    mkdirSync(sparedDir);
    const excepted = join(sparedDir, name);
    copyFileSync(victim, excepted);
    chmodSync(excepted, 0o755);
    const rules = rule('test-kill-excepted', victim);
    writeFileSync(join(rules, 'spared.exceptions.yml'), [
      'exceptions:', '  - rule: test-kill-excepted', '    comment: the spared directory is trusted', '    match:', `      process.executable: [${sparedDir}/*]`, '',
    ].join('\n'));
    agent = startAgent(dir, ['--no-db', '--no-default-rules', '--rules', rules]);
    await agent.marker('marker-x');

    // The excepted copy runs to its end (the kernel, which knows no exceptions, was not given the rule).
    const ran = spawn(excepted, ['-c', 'exit 7'], { stdio: 'ignore' });
    expect(await exitOf(ran)).toEqual({ code: 7, signal: null });
    // The other copy: killed, by the agent.
    const killed = spawn(victim, ['-c', 'sleep 30'], { stdio: 'ignore' });
    expect((await exitOf(killed)).signal).toBe('SIGKILL');
    const alert = await until('the alert for the non-excepted run', () =>
      agent!.lines().find((e) => e.event?.kind === 'alert' && e.rule?.id === 'test-kill-excepted' && e.process?.pid === killed.pid));
    expect(alert.vigil.response[0]).toMatchObject({ action: 'kill-tree', ok: true });
    expect(alert.vigil.response[0].kernel).toBeUndefined();
    // Its alert came after the excepted run's exec: that one raised none.
    expect(agent.lines().filter((e) => e.event?.kind === 'alert' && e.rule?.id === 'test-kill-excepted')).toHaveLength(1);
    const exec = agent.lines().find((e) => e.event?.action === 'exec' && e.process?.pid === ran.pid);
    expect(exec?.vigil.response).toBeUndefined();
    expect(await agent.stop()).toBe(0);
  }, 90_000);
});
