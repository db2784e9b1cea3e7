// Real kernel: behavioural baselines. A copy of bash plays a web app that
// only ever starts /bin/true and only ever connects to loopback; after it has
// been seen doing that, it starts something new and connects out. Anomaly
// alerts must carry the score and the sentences that explain them; the
// learning period holds them back; `vigil baseline allow` silences the
// behaviour; the baseline survives an agent restart.
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathTemplate } from '../../agent/src/baseline/templates';
import { tempDir } from './harness';
import { CLI, startAgent, until, type PrivateAgent } from './private-agent';

const dir = tempDir('vigil-baseline-');
const db = join(dir, 'history.db');
const agents: PrivateAgent[] = [];
afterAll(() => {
  for (const a of agents) a.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const WARMUP = 200;
const copyOf = (src: string, name: string): string => {
  const p = join(dir, name);
  copyFileSync(src, p);
  return p;
};
const webapp = copyOf('/bin/bash', 'webapp');
const netapp = copyOf('/bin/bash', 'netapp');
const implant = (name: string): string => copyOf('/bin/bash', name);

function run(bin: string, script: string): void {
  const r = spawnSync(bin, ['-c', script], { stdio: 'ignore', timeout: 60_000 });
  expect(r.error).toBeUndefined();
}

function baselineCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(CLI, ['baseline', ...args, '--db', db], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const anomalies = (a: PrivateAgent, exe: string): Doc[] =>
  a.lines().filter((l) => l.event?.kind === 'alert' && l.rule?.id === 'vigil-anomaly' && l.process?.executable === exe);
const execsOf = (a: PrivateAgent, exe: string, parent?: string): Doc[] =>
  a.lines().filter((l) => l.event?.kind === 'event' && l.event?.action === 'exec' && l.process?.executable === exe && (!parent || l.process?.parent?.executable === parent));

// A trailing `; true` keeps bash from exec'ing its last command in place: the child must be webapp's child.

/** The web app's normal: WARMUP children that are all /bin/true, WARMUP connects to a closed loopback port. */
async function warmUp(a: PrivateAgent): Promise<void> {
  run(webapp, `for ((i = 0; i < ${WARMUP}; i++)); do /bin/true; done`);
  run(netapp, `for ((i = 0; i < ${WARMUP}; i++)); do (exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null; done; true`);
  // Every one of them went through the pipeline (and so was learned) before the test goes on.
  await until(`${WARMUP} execs of /bin/true from webapp`, () => (execsOf(a, '/usr/bin/true', webapp).length + execsOf(a, '/bin/true', webapp).length >= WARMUP ? true : undefined), 60_000);
  await until(`${WARMUP} connects from netapp`, () => (a.lines().filter((l) => l.event?.action === 'connect' && l.process?.executable === netapp).length >= WARMUP ? true : undefined), 60_000);
}

describe('behavioural baseline', () => {
  it('holds alerts back during the learning period', async () => {
    const learningDb = join(dir, 'learning.db');
    const a = startAgent(dir, ['--no-default-rules', '--db', learningDb, '--baseline-learning', '1h']);
    agents.push(a);
    await a.marker('bl-learning-up');
    await warmUp(a);
    const novel = implant('implant-learning');
    run(webapp, `${novel} -c 'exit 0'; true`);
    await until('the novel exec', () => (execsOf(a, novel).length === 1 ? true : undefined));
    await a.marker('bl-learning-after');
    expect(anomalies(a, novel)).toEqual([]);
    const st = spawnSync(CLI, ['baseline', 'status', '--json', '--db', learningDb], { encoding: 'utf8' });
    expect(st.status).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ learning: true });
    expect(await a.stop()).toBe(0);
  }, 180_000);

  let agent: PrivateAgent;
  let alertId = '';
  const implantA = implant('implant-alpha');

  it('alerts, with score and explanation, when the app starts something new and when it first connects out', async () => {
    agent = startAgent(dir, ['--no-default-rules', '--db', db, '--baseline-learning', '0']);
    agents.push(agent);
    await agent.marker('bl-up');
    await warmUp(agent);

    run(webapp, `${implantA} -c 'exit 0'; true`);
    const [alert] = await until('anomaly alert for the new child', () => {
      const l = anomalies(agent, implantA);
      return l.length ? l : undefined;
    });
    alertId = alert.event.id;
    expect(['medium', 'high', 'critical']).toContain(alert.rule.level);
    expect(alert.event.severity).toBe(alert.vigil.anomaly.score);
    expect(alert.vigil.anomaly.score).toBeGreaterThanOrEqual(60);
    const lineage = alert.vigil.anomaly.contributions.find((c: Doc) => c.profile === 'lineage');
    expect(lineage).toMatchObject({ context: pathTemplate(webapp), value: pathTemplate(implantA) });
    expect(alert.rule.description).toMatch(new RegExp(`first time on this host that ${escape(pathTemplate(webapp))} started ${escape(pathTemplate(implantA))} \\(webapp seen starting (19[5-9]|20\\d) processes over \\d+ min\\)`));
    // Sigma sees the same: the exec event carries the first_seen flags and the score.
    const [execEv] = execsOf(agent, implantA);
    expect(execEv.vigil.first_seen.lineage).toBe(true);
    expect(execEv.vigil.anomaly.score).toBeGreaterThanOrEqual(60);

    run(netapp, `(exec 3<>/dev/tcp/10.66.0.1/4444) 2>/dev/null; true`);
    const [net] = await until('anomaly alert for the first connection out', () => {
      const l = anomalies(agent, netapp).filter((x) => x.event.action === 'connect');
      return l.length ? l : undefined;
    });
    // net-dest and net-first say the same here; whichever scored higher explains it.
    expect(net.rule.description).toMatch(new RegExp(`${escape(pathTemplate(netapp))} (connected to private port 4444 for the first time|had never connected outside loopback before) \\((19[5-9]|20\\d) connections`));
    expect(net.vigil.anomaly.score).toBeGreaterThanOrEqual(60);
  }, 180_000);

  it('`vigil baseline allow` silences the behaviour behind an alert', async () => {
    const r = baselineCli('allow', alertId);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/applied by the running agent/);
    expect(r.stdout).toContain(`lineage: ${pathTemplate(webapp)} -> ${pathTemplate(implantA)}`);
    run(webapp, `${implantA} -c 'exit 0'; true`);
    await until('the repeated exec', () => (execsOf(agent, implantA).length === 2 ? true : undefined));
    await agent.marker('bl-after-allow');
    const again = execsOf(agent, implantA)[1];
    expect(again.vigil.anomaly).toBeUndefined();
    expect(again.vigil.first_seen).toBeUndefined();
    expect(anomalies(agent, implantA)).toHaveLength(1);
  }, 120_000);

  it('survives a restart: a new agent on the same database alerts without relearning', async () => {
    expect(await agent.stop()).toBe(0);
    const st = JSON.parse(baselineCli('status', '--json').stdout);
    expect(st.entries).toBeGreaterThan(0);
    expect(st.allowed).toBeGreaterThanOrEqual(1);
    expect(st.profiles.lineage.entries).toBeGreaterThanOrEqual(2);

    const fresh = startAgent(dir, ['--no-default-rules', '--db', db, '--baseline-learning', '0']);
    agents.push(fresh);
    await fresh.marker('bl-restarted');
    // No warm-up this time: what webapp does normally comes from the stored baseline.
    const implantB = implant('implant-bravo');
    run(webapp, `/bin/true; ${implantB} -c 'exit 0'; true`);
    const [alert] = await until('anomaly alert after restart', () => {
      const l = anomalies(fresh, implantB);
      return l.length ? l : undefined;
    });
    expect(alert.rule.description).toContain(`first time on this host that ${pathTemplate(webapp)} started ${pathTemplate(implantB)}`);
    expect(anomalies(fresh, '/usr/bin/true')).toEqual([]);
    expect(await fresh.stop()).toBe(0);
  }, 180_000);

  it('an anomaly at the configured level triggers its response (--anomaly-response, dry run)', async () => {
    // Dry run: a real kill on every medium anomaly of a fresh baseline would hit other tests' processes.
    const respDb = join(dir, 'respond.db');
    const responsive = startAgent(dir, ['--no-default-rules', '--db', respDb, '--baseline-learning', '0', '--anomaly-response', 'kill@medium', '--response-dry-run']);
    agents.push(responsive);
    await responsive.marker('bl-respond-up');
    await warmUp(responsive);
    const implantC = implant('implant-charlie');
    const r = spawnSync(webapp, ['-c', `${implantC} -c 'sleep 0.2; exit 7'; echo $?`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('7'); // it ran to its end: nothing was carried out
    const [alert] = await until('anomaly alert with its response', () => {
      const l = anomalies(responsive, implantC).filter((a) => a.vigil.response);
      return l.length ? l : undefined;
    });
    expect(alert.vigil.response).toEqual([expect.objectContaining({ action: 'kill', ok: false, error: 'dry run: recorded, not carried out', pids: [alert.process.pid] })]);
    const auditRun = spawnSync(CLI, ['respond', 'audit', '--json', '--limit', '1000', '--db', respDb], { encoding: 'utf8' });
    expect(auditRun.stderr).toBe('');
    const mine = auditRun.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((a) => JSON.parse(a.pids ?? '[]').includes(alert.process.pid));
    expect(mine).toEqual([expect.objectContaining({ action: 'kill', ok: 0, requested_by: 'anomaly' })]);
    expect(mine[0].reason).toContain(`started ${pathTemplate(implantC)}`);
    expect(mine[0].reason).toMatch(/\(dry run\)$/);
    expect(await responsive.stop()).toBe(0);
  }, 180_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
