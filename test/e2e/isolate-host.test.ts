// Real kernel, real control plane, real agent: isolating the whole host
// (POST /v1/agents/:id/actions, isolate-host). The test adds two addresses
// to lo, which the isolation does not exempt as it does 127.0.0.0/8: the
// control plane listens on 10.202.0.1 and a server on 10.202.0.2. While the
// host is isolated, a TCP connect and a UDP send from any process to
// 10.202.0.2 fail with EPERM, 127.0.0.1 keeps working, and so does the
// agent's control-plane session (another action round-trips over it).
// Release gives the network back; both ends audit it.
//
// The control plane runs on this host too, so its own inbound packets (from
// the agent's ephemeral port) are judged by the isolation as well: its
// address is allowed whole (--isolation-allow 10.202.0.1:0). A control plane
// elsewhere needs no such entry (its ip:port is allowed from --control-plane).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { openSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../control-plane/src/app';
import { loadConfig } from '../../control-plane/src/config';
import { tempDir } from './harness';
import { until } from './private-agent';

const CLI = join(__dirname, '../../dist/cli/vigil.js');
const CP_ADDR = '10.202.0.1';
const OTHER = '10.202.0.2';
const dir = tempDir('vigil-isohost-');
let app: Awaited<ReturnType<typeof buildApp>>;
let agent: ChildProcess | undefined;
let server: Server | undefined;
let base = '';
let responder = '';
let hostId = '';
const sleepers: ChildProcess[] = [];

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

beforeAll(async () => {
  for (const a of [CP_ADDR, OTHER]) ip('addr', 'add', `${a}/32`, 'dev', 'lo');
  app = await buildApp(loadConfig({ dbPath: join(dir, 'cp.db'), port: 0, logLevel: 'silent', heartbeatIntervalMs: 1000, host: CP_ADDR }));
  const agentToken = app.vigil.tokens.create('agent', 'e2e-agent').token;
  responder = app.vigil.tokens.create('responder', 'e2e-responder').token;
  await app.listen({ host: CP_ADDR, port: 0 });
  base = `http://${CP_ADDR}:${(app.server.address() as { port: number }).port}`;
  server = createServer((s) => s.end());
  await new Promise<void>((ok) => server!.listen(0, OTHER, ok));
  agent = spawn(process.execPath, [CLI, 'agent', '--control-plane', base.replace('http', 'ws'), '--token', agentToken,
    '--db', join(dir, 'events.db'), '--no-default-rules', '--no-baseline', '--isolation-allow', `${CP_ADDR}:0`],
  { stdio: ['ignore', 'ignore', openSync(join(dir, 'agent.log'), 'w')] });
  await until('the agent to connect', () => (app.vigil.registry.size > 0 ? true : undefined), 30_000);
  hostId = app.vigil.registry.hostIds()[0];
}, 60_000);

afterAll(async () => {
  for (const s of sleepers) s.kill('SIGKILL');
  // The agent's end closes the loader's links: whatever isolation was left ends with it.
  agent?.kill('SIGTERM');
  if (agent) await new Promise((r) => (agent!.exitCode !== null ? r(null) : agent!.once('exit', r)));
  server?.close();
  await app?.close();
  for (const a of [CP_ADDR, OTHER]) ip('addr', 'del', `${a}/32`, 'dev', 'lo');
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function act(body: unknown): Promise<{ status: number; json: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await fetch(`${base}/v1/agents/${hostId}/actions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${responder}` }, body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

/** 'ok' or the errno code of a TCP connect. */
function tcp(host: string, port: number): Promise<string> {
  return new Promise((done) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => { s.destroy(); done('ok'); });
    s.once('timeout', () => { s.destroy(); done('ETIMEDOUT'); });
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** 'ok' or the errno code of one UDP send. */
function udp(host: string, port: number): Promise<string> {
  return new Promise((done) => {
    const s = createSocket('udp4');
    s.send(Buffer.from('x'), port, host, (e) => { s.close(); done(e ? (e as NodeJS.ErrnoException).code ?? e.message : 'ok'); });
  });
}

describe('isolate-host', () => {
  it('cuts every process off but loopback and the control plane; the session keeps working; release undoes it', async () => {
    const port = (server!.address() as { port: number }).port;
    const loop = createServer((s) => s.end());
    await new Promise<void>((ok) => loop.listen(0, '127.0.0.1', ok));
    const loopPort = (loop.address() as { port: number }).port;
    try {
      expect(await tcp(OTHER, port)).toBe('ok');
      expect(await udp(OTHER, 9)).toBe('ok');

      const iso = await act({ action: 'isolate-host', target: { host: true }, comment: 'e2e', expires_in: '10m' });
      expect(iso.status).toBe(200);
      expect(iso.json).toMatchObject({ ok: true });
      expect(iso.json.ref).toMatch(/^iso-host-/);

      // Three tries each, all refused in the kernel, not timed out.
      for (let i = 0; i < 3; i++) {
        expect(await tcp(OTHER, port)).toBe('EPERM');
        expect(await udp(OTHER, 9)).toBe('EPERM');
      }
      expect(await tcp('127.0.0.1', loopPort)).toBe('ok');
      // The agent's session still carries an action and its confirmation.
      const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
      sleepers.push(sleeper);
      const round = await act({ action: 'resume-tree', target: { pid: sleeper.pid } });
      expect(round.json).toMatchObject({ ok: true, pids: [sleeper.pid] });
      // A second host isolation is refused while one is live.
      const again = await act({ action: 'isolate-host', target: { host: true } });
      expect(again.json.ok).toBe(false);
      expect(again.json.error).toContain(`the host is isolated already (${iso.json.ref})`);

      const rel = await act({ action: 'release', target: { isolation_id: iso.json.ref } });
      expect(rel.json).toMatchObject({ ok: true, ref: iso.json.ref });
      expect(await tcp(OTHER, port)).toBe('ok');
      expect(await udp(OTHER, 9)).toBe('ok');

      const audit = await fetch(`${base}/v1/audit?limit=50`, { headers: { authorization: `Bearer ${responder}` } }).then((r) => r.json()) as { entries: { action: string; detail: Record<string, any> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
      const outcomes = audit.entries.filter((e) => e.action === 'action').map((e) => [e.detail.action, e.detail.ok]);
      expect(outcomes).toEqual(expect.arrayContaining([['isolate-host', true], ['release', true], ['isolate-host', false]]));
    } finally {
      loop.close();
    }
  }, 60_000);

  it('vigil respond isolate-host --expires: isolated at once, released by itself when it expires', async () => {
    const port = (server!.address() as { port: number }).port;
    const r = spawnSync(process.execPath, [CLI, 'respond', 'isolate-host', '--expires', '2s', '--comment', 'e2e expiry', '--db', join(dir, 'events.db')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const id = /^host isolated as (iso-host-\S+) in [\d.]+ ms; end it with: vigil respond release --id \1\n$/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    const isolatedAt = Date.now();
    expect(await tcp(OTHER, port)).toBe('EPERM');
    // Expiry is checked once a second.
    let back = false;
    for (const end = Date.now() + 10_000; !back && Date.now() < end;) {
      back = (await tcp(OTHER, port)) === 'ok';
      if (!back) await new Promise((ok) => setTimeout(ok, 200));
    }
    expect(back).toBe(true);
    expect(Date.now() - isolatedAt).toBeGreaterThanOrEqual(1500);
  }, 30_000);

  it('the target must say host: true', async () => {
    const r = await act({ action: 'isolate-host', target: { pid: 1234 } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('isolate-host needs target.host');
  });
});
