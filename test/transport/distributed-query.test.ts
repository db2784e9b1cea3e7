// osquery-style distributed query: two agents on one host, each with its own
// event history database, answer one POST /v1/query from the control plane.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventStore } from '../../agent/src/store';
import { ControlPlaneClient, storeQueryHandler } from '../../agent/src/transport';
import { makeEvent } from '../store/fixtures/make-event';
import { bearer, createTokens, startControlPlane, tempDir, until, type ControlPlane, type Tokens } from './helpers/control-plane';

let tmp: ReturnType<typeof tempDir>;
let cp: ControlPlane;
let tokens: Tokens;
const clients: ControlPlaneClient[] = [];
const stores: EventStore[] = [];

beforeEach(async () => {
  tmp = tempDir();
  cp = await startControlPlane(join(tmp.dir, 'cp.db'));
  tokens = createTokens(cp.app);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  for (const s of stores.splice(0)) s.close();
  await cp.close();
  tmp.cleanup();
});

function agent(host: string, exe: string, pids: number[]): ControlPlaneClient {
  const store = new EventStore({ path: join(tmp.dir, `${host}.db`) });
  stores.push(store);
  for (const pid of pids) store.append(makeEvent({ ts: Date.now() - 1000, action: 'exec', pid, entityId: `${host}-${pid}`, exe }));
  store.flush();
  const c = new ControlPlaneClient({
    // One agent token per host: a token binds to the first host that uses it.
    url: cp.url, token: cp.app.vigil.tokens.create('agent', host).token, outboxPath: join(tmp.dir, `${host}.outbox.db`),
    hello: { host_id: host, hostname: host, kernel: '6.18.0-test' },
    queryHandler: storeQueryHandler(store),
  });
  clients.push(c);
  c.start();
  return c;
}

describe('distributed query across two agents', () => {
  it('merges rows from both hosts, each answered from its own database', async () => {
    const a = agent('host-a', '/usr/bin/curl', [101, 102]);
    const b = agent('host-b', '/usr/bin/curl', [201]);
    agent('host-c', '/usr/bin/wget', [301]);
    await until(() => a.stats().connected && b.stats().connected && cp.app.vigil.registry.size === 3, 5000, 'agents connected');

    const res = await cp.app.inject({
      method: 'POST', url: '/v1/query', headers: bearer(tokens.responder),
      payload: { all: true, filters: { exe: '/usr/bin/curl' }, limit: 50, timeout_ms: 3000 },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([...body.hosts.responded].sort()).toEqual(['host-a', 'host-b', 'host-c']);
    const got = body.rows.map((r: { host_id: string; event: { process: { pid: number } } }) => `${r.host_id}:${r.event.process.pid}`).sort();
    expect(got).toEqual(['host-a:101', 'host-a:102', 'host-b:201']);
  });

  it('reports a named host that is not connected instead of hanging', async () => {
    const a = agent('host-a', '/bin/sh', [7]);
    await until(() => a.stats().connected, 5000, 'agent connected');
    const res = await cp.app.inject({
      method: 'POST', url: '/v1/query', headers: bearer(tokens.responder),
      payload: { hosts: ['host-a', 'host-gone'], filters: { pid: 7 }, timeout_ms: 1000 },
    });
    const body = res.json();
    expect(body.hosts.responded).toEqual(['host-a']);
    expect(JSON.stringify(body.hosts)).toContain('host-gone');
    expect(body.rows).toHaveLength(1);
  });
});
