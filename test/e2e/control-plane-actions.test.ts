// Real control plane, real agent, real kernel: response actions asked for
// over REST (POST /v1/agents/:id/actions). The agent carries them out and
// confirms; the control plane audits the request and the outcome. Bad
// requests change nothing and get clear errors, authentication first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../control-plane/src/app';
import { loadConfig } from '../../control-plane/src/config';
import { tempDir } from './harness';
import { until } from './private-agent';

const CLI = join(__dirname, '../../dist/cli/vigil.js');
const dir = tempDir('vigil-cpact-');
let app: Awaited<ReturnType<typeof buildApp>>;
let agent: ChildProcess;
let base = '';
let responder = '';
let viewer = '';
let hostId = '';
const victims: ChildProcess[] = [];
let appClosed = false;

beforeAll(async () => {
  app = await buildApp(loadConfig({ dbPath: join(dir, 'cp.db'), port: 0, logLevel: 'silent', heartbeatIntervalMs: 1000 }));
  const agentToken = app.vigil.tokens.create('agent', 'e2e-agent').token;
  responder = app.vigil.tokens.create('responder', 'e2e-responder').token;
  viewer = app.vigil.tokens.create('viewer', 'e2e-viewer').token;
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  agent = spawn(process.execPath, [CLI, 'agent', '--control-plane', base.replace('http', 'ws'), '--token', agentToken,
    '--db', join(dir, 'events.db'), '--no-default-rules', '--no-baseline', '--isolation-failsafe', '2s'], { stdio: ['ignore', 'ignore', openSync(join(dir, 'agent.log'), 'w')] });
  await until('the agent to connect', () => (app.vigil.registry.size > 0 ? true : undefined), 30_000);
  hostId = app.vigil.registry.hostIds()[0];
}, 60_000);

afterAll(async () => {
  for (const v of victims) v.kill('SIGKILL');
  agent?.kill('SIGTERM');
  await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once('exit', r)));
  if (!appClosed) await app?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function act(body: unknown, token = responder, host = hostId): Promise<{ status: number; json: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(`${base}/v1/agents/${host}/actions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

/** A shell that starts a child and both sleep: a tree to act on. */
function tree(): ChildProcess {
  const c = spawn('bash', ['-c', 'sleep 300 & wait'], { stdio: 'ignore' });
  victims.push(c);
  return c;
}
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('control-plane actions', () => {
  it('kill-tree: the agent kills the tree and confirms; both ends audit it', async () => {
    const t = tree();
    await until('the child', () => (spawnSync('pgrep', ['-P', String(t.pid)]).stdout.toString().trim() || undefined));
    const child = Number(spawnSync('pgrep', ['-P', String(t.pid)]).stdout.toString().trim());
    const r = await act({ action: 'kill-tree', target: { pid: t.pid }, alert_ids: ['a-1'], comment: 'seen in the feed' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true });
    expect(r.json.pids.sort()).toEqual([t.pid, child].sort());
    await until('the tree gone', () => (!alive(t.pid!) && !alive(child) ? true : undefined), 5000);
    const audit = await (await fetch(`${base}/v1/audit?limit=10`, { headers: { authorization: `Bearer ${responder}` } })).json() as { entries: { action: string; actor: string; detail: Record<string, unknown> }[] };
    const done = audit.entries.find((e) => e.action === 'action' && (e.detail.target as { pid?: number }).pid === t.pid);
    expect(done?.detail).toMatchObject({ host_id: hostId, action: 'kill-tree', ok: true, alert_ids: ['a-1'], comment: 'seen in the feed' });
    expect(audit.entries.some((e) => e.action === 'action.requested' && (e.detail.target as { pid?: number }).pid === t.pid)).toBe(true);
    const local = spawnSync(process.execPath, [CLI, 'respond', 'audit', '--json', '--db', join(dir, 'events.db')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(local.find((a) => JSON.parse(a.target).pid === t.pid)).toMatchObject({ action: 'kill-tree', ok: 1, reason: 'seen in the feed; alerts a-1' });
    expect(local.find((a) => JSON.parse(a.target).pid === t.pid).requested_by).toMatch(/^control-plane:/);
  }, 60_000);

  it('isolate-process, then release, over REST', async () => {
    const t = tree();
    const iso = await act({ action: 'isolate-process', target: { pid: t.pid }, expires_in: '1h' });
    expect(iso.json).toMatchObject({ ok: true });
    expect(iso.json.ref).toMatch(/^iso-/);
    const cg = readFileSync(`/proc/${t.pid}/cgroup`, 'utf8');
    expect(cg).toContain(`vigil-isolate/${iso.json.ref}`);
    const rel = await act({ action: 'release', target: { isolation_id: iso.json.ref } });
    expect(rel.json).toMatchObject({ ok: true, ref: iso.json.ref });
    expect(readFileSync(`/proc/${t.pid}/cgroup`, 'utf8')).not.toContain('vigil-isolate');
  }, 60_000);

  it('refuses bad requests clearly and changes nothing', async () => {
    const t = tree();
    expect((await act({ action: 'kill-tree', target: { pid: t.pid } }, '')).status).toBe(401);
    // Authentication comes before validation: no schema details for strangers.
    const anon = await act({ nonsense: true }, '');
    expect(anon.status).toBe(401);
    expect((await act({ action: 'kill-tree', target: { pid: t.pid } }, viewer)).status).toBe(403);
    const unknown = await act({ action: 'nuke', target: { pid: t.pid } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('VIGIL_ERR_BAD_REQUEST');
    const wrongTarget = await act({ action: 'kill-tree', target: { path: '/bin/x' } });
    expect(wrongTarget.status).toBe(400);
    expect(wrongTarget.json.error.message).toContain('kill-tree needs target.pid');
    expect((await act({ action: 'kill-tree', target: { pid: t.pid } }, responder, 'no-such-host')).status).toBe(404);
    const prot = await act({ action: 'kill-tree', target: { pid: agent.pid } });
    expect(prot.json).toMatchObject({ ok: false });
    expect(prot.json.error).toContain('is protected (the agent itself)');
    const gone = await act({ action: 'kill-process', target: { pid: 4194000 } });
    expect(gone.json.ok).toBe(false);
    expect(alive(t.pid!)).toBe(true);
    expect(alive(agent.pid!)).toBe(true);
  }, 60_000);

  it('failsafe: an isolation ends by itself once the control plane has been unreachable for --isolation-failsafe', async () => {
    const t = tree();
    const iso = await act({ action: 'isolate-process', target: { pid: t.pid } });
    expect(iso.json).toMatchObject({ ok: true });
    expect(readFileSync(`/proc/${t.pid}/cgroup`, 'utf8')).toContain(`vigil-isolate/${iso.json.ref}`);
    await app.close(); // the control plane goes away for good
    appClosed = true;
    await until('the isolation released by the failsafe', () => (readFileSync(`/proc/${t.pid}/cgroup`, 'utf8').includes('vigil-isolate') ? undefined : true), 20_000, 100);
    const local = spawnSync(process.execPath, [CLI, 'respond', 'audit', '--json', '--db', join(dir, 'events.db')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(local.find((a) => a.ref === iso.json.ref && a.action === 'release')).toMatchObject({ ok: 1, requested_by: 'failsafe' });
  }, 60_000);
});
