// Real control plane, real agent, real kernel: an exception made over REST
// reaches the agent and silences exactly what it names; forwarded exec
// events answer "which hosts ran X" at the control plane. Each run of a
// binary is one exec, so N runs must give N alerts, or none when excepted;
// "none" is only asserted once a later marker run's alert has arrived.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../control-plane/src/app';
import { loadConfig } from '../../control-plane/src/config';
import { tempDir } from './harness';
import { until } from './private-agent';

const CLI = join(__dirname, '../../dist/cli/vigil.js');
const RULE_ID = 'e2e-exception-target';
const dir = tempDir('vigil-exc-');
const bin = join(dir, 'bin');
const log = join(dir, 'agent.log');
let app: Awaited<ReturnType<typeof buildApp>>;
let agent: ChildProcess;
let base = '';
let responder = '';

beforeAll(async () => {
  mkdirSync(join(dir, 'rules'));
  mkdirSync(bin);
  for (const name of ['warmup', 'ci-build', 'ci-test', 'intruder', 'fleet-probe', 'fleet-marker']) copyFileSync('/bin/true', join(bin, name));
  writeFileSync(join(dir, 'rules', 'target.yml'), [
    `title: Exec from the e2e bin dir`, `id: ${RULE_ID}`, 'level: high',
    'logsource: {product: linux, category: process_creation}',
    `detection:\n  sel:\n    Image|startswith: ${bin}/\n  condition: sel`, '',
  ].join('\n'));
  app = await buildApp(loadConfig({ dbPath: join(dir, 'cp.db'), port: 0, logLevel: 'silent', heartbeatIntervalMs: 1000 }));
  const agentToken = app.vigil.tokens.create('agent', 'e2e-agent').token;
  responder = app.vigil.tokens.create('responder', 'e2e-responder').token;
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  agent = spawn(process.execPath, [CLI, 'agent', '--control-plane', base.replace('http', 'ws'), '--token', agentToken,
    '--db', join(dir, 'events.db'), '--no-default-rules', '--rules', join(dir, 'rules'), '--no-baseline', '--forward-events'],
  { stdio: ['ignore', 'ignore', openSync(log, 'w')] });
  await until('the agent to connect', () => (app.vigil.registry.size > 0 ? true : undefined), 30_000);
  await until('the agent to take its exception set', () => (remoteCounts().length > 0 ? true : undefined), 10_000);
  // Capture starts after the session: run a warm-up binary until its alert shows the probes are live.
  await until('capture to be live (a warm-up alert)', () => {
    if (allAlertedExes().includes(join(bin, 'warmup'))) return true;
    spawnSync(join(bin, 'warmup'));
    return undefined;
  }, 30_000, 250);
}, 60_000);

afterAll(async () => {
  agent?.kill('SIGTERM');
  if (agent) await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The agent logs each ExceptionSet it applies: the `remote` counts, in order. */
function remoteCounts(): number[] {
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"exceptions updated"')).map((l) => JSON.parse(l).remote as number);
}

function allAlertedExes(): string[] {
  return app.vigil.alerts.page({ rule: RULE_ID }, { order: 'asc', limit: 1000 })
    .map((a) => ((a.doc.process as { executable?: string } | undefined)?.executable ?? '?'));
}

/** Executables of this rule's alerts at the control plane, oldest first, warm-ups left out. */
const alertedExes = (): string[] => allAlertedExes().filter((e) => !e.endsWith('/warmup'));

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${responder}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, json: await r.json() };
}

const run = (name: string, times = 1): void => {
  for (let i = 0; i < times; i++) expect(spawnSync(join(bin, name)).status).toBe(0);
};

describe('exceptions from the control plane', () => {
  it('silence the named executable only, and stop silencing once deleted', async () => {
    run('ci-build');
    await until('the first ci-build alert', () => (alertedExes().length >= 1 ? true : undefined), 15_000);
    expect(alertedExes()).toEqual([join(bin, 'ci-build')]);

    const made = await call('POST', '/v1/exceptions', { rule: RULE_ID, match: { 'process.executable': [`${bin}/ci-*`] }, comment: 'CI tools' });
    expect(made.status).toBe(201);
    await until('the agent to apply it', () => (remoteCounts().at(-1) === 1 ? true : undefined), 10_000);

    run('ci-build', 3);
    run('ci-test', 2);
    run('intruder');
    await until('the intruder alert (the marker)', () => (alertedExes().includes(join(bin, 'intruder')) ? true : undefined), 15_000);
    expect(alertedExes()).toEqual([join(bin, 'ci-build'), join(bin, 'intruder')]);

    const del = await call('DELETE', `/v1/exceptions/${made.json.exception.id}`);
    expect(del.status).toBe(200);
    await until('the agent to drop it', () => (remoteCounts().at(-1) === 0 ? true : undefined), 10_000);
    run('ci-test', 2);
    await until('two ci-test alerts', () => (alertedExes().filter((e) => e.endsWith('/ci-test')).length === 2 ? true : undefined), 15_000);
    expect(alertedExes()).toEqual([join(bin, 'ci-build'), join(bin, 'intruder'), join(bin, 'ci-test'), join(bin, 'ci-test')]);
  }, 90_000);

  it('fleet history: the control plane names this host as having run a binary, with the exact run count', async () => {
    const runsOf = async (name: string): Promise<number | undefined> => {
      const r = await call('GET', `/v1/fleet/execs?exe=${encodeURIComponent(join(bin, name))}&since=15m`);
      expect(r.status).toBe(200);
      const hosts = r.json.hosts as { host_id: string; runs: number }[];
      expect(hosts.length).toBeLessThanOrEqual(1);
      return hosts[0]?.runs;
    };
    run('fleet-probe', 3);
    run('fleet-marker');
    // Forwarded in order: once the marker is indexed, every probe run before it is too.
    for (const end = Date.now() + 15_000; (await runsOf('fleet-marker')) !== 1; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end) throw new Error('timed out waiting for the marker in the fleet history');
    }
    expect(await runsOf('fleet-probe')).toBe(3);
    const r = await call('GET', `/v1/fleet/execs?exe=${encodeURIComponent(join(bin, 'fleet-probe'))}&since=15m`);
    expect(r.json.hosts[0].host_id).toBe(app.vigil.registry.hostIds()[0]);
  }, 60_000);
});
