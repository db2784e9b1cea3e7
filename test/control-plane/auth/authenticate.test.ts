import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../control-plane/src/store/token-store';
import { bearer, makeHarness, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

type Route = { method: 'GET' | 'POST' | 'DELETE'; url: string; allowed: Role[]; body?: object };
const ROUTES: Route[] = [
  { method: 'GET', url: '/v1/agents', allowed: ['viewer', 'responder', 'admin'] },
  { method: 'GET', url: '/v1/alerts', allowed: ['viewer', 'responder', 'admin'] },
  { method: 'GET', url: '/v1/alerts/1', allowed: ['viewer', 'responder', 'admin'] },
  { method: 'POST', url: '/v1/query', allowed: ['responder', 'admin'], body: { all: true, timeout_ms: 50 } },
  { method: 'GET', url: '/v1/tokens', allowed: ['admin'] },
  { method: 'POST', url: '/v1/tokens', allowed: ['admin'], body: { role: 'viewer' } },
  { method: 'DELETE', url: '/v1/tokens/tok_nope', allowed: ['admin'] },
];
const ALL_ROLES: Role[] = ['agent', 'viewer', 'responder', 'admin'];

describe('REST auth', () => {
  for (const r of ROUTES) {
    it(`${r.method} ${r.url}: 401 without a token, 403 for ${ALL_ROLES.filter((x) => !r.allowed.includes(x)).join('/')}`, async () => {
      h = await makeHarness();
      const call = (headers: Record<string, string>) =>
        h.app.inject({ method: r.method, url: r.url, headers, ...(r.body ? { payload: r.body } : {}) });
      const none = await call({});
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('VIGIL_ERR_UNAUTHENTICATED');
      expect(none.headers['www-authenticate']).toContain('Bearer');
      expect((await call({ authorization: 'Bearer vigil_viewer_not-a-real-token' })).statusCode).toBe(401);
      expect((await call({ authorization: 'Basic abc' })).statusCode).toBe(401);
      for (const role of ALL_ROLES) {
        const res = await call(bearer(h.tokens[role]));
        if (r.allowed.includes(role)) {
          expect([200, 201, 404]).toContain(res.statusCode);
        } else {
          expect(res.statusCode).toBe(403);
          expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_FORBIDDEN', message: expect.stringContaining(`"${role}"`) });
        }
      }
    });
  }

  it('authenticates before it validates: a stranger with a bad body gets 401, not the schema', async () => {
    h = await makeHarness();
    for (const [method, url] of [['POST', '/v1/query'], ['POST', '/v1/tokens'], ['GET', '/v1/alerts?limit=nope'], ['PATCH', '/v1/incidents/1'], ['POST', '/v1/agents/x/actions']] as const) {
      const res = await h.app.inject({ method, url, payload: method === 'GET' ? undefined : { bogus: [1, 2, 3] } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('VIGIL_ERR_UNAUTHENTICATED');
    }
  });

  it('healthz and metrics need no token', async () => {
    h = await makeHarness();
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', agents_connected: 0 });
    expect((await h.app.inject({ url: '/metrics' })).body).toContain('vigil_agents_connected');
  });

  it('a revoked token stops working at once; token changes are audited', async () => {
    h = await makeHarness();
    const { token, info } = h.app.vigil.tokens.create('viewer', 'temp');
    expect((await h.app.inject({ url: '/v1/agents', headers: bearer(token) })).statusCode).toBe(200);
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/tokens/${info.id}`, headers: bearer(h.tokens.admin) });
    expect(del.json()).toMatchObject({ id: info.id, revoked_at: expect.any(String) });
    expect((await h.app.inject({ url: '/v1/agents', headers: bearer(token) })).statusCode).toBe(401);
    const actions = h.app.vigil.audit.list().map((e) => e.action);
    expect(actions).toContain('token.revoke');
    expect(actions.filter((a) => a === 'token.create').length).toBeGreaterThanOrEqual(5);
    // Only hashes are stored.
    const raw = JSON.stringify(h.app.vigil.db.prepare('SELECT * FROM tokens').all());
    expect(raw).not.toContain(token);
  });

  it('admin can create tokens over REST; the secret is returned once', async () => {
    h = await makeHarness();
    const res = await h.app.inject({ method: 'POST', url: '/v1/tokens', headers: bearer(h.tokens.admin), payload: { role: 'responder', name: 'ir' } });
    expect(res.statusCode).toBe(201);
    const { token, id } = res.json();
    expect((await h.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(token), payload: { all: true } })).statusCode).toBe(200);
    const list = (await h.app.inject({ url: '/v1/tokens', headers: bearer(h.tokens.admin) })).body;
    expect(list).toContain(id);
    expect(list).not.toContain(token);
    const bad = await h.app.inject({ method: 'POST', url: '/v1/tokens', headers: bearer(h.tokens.admin), payload: { role: 'root' } });
    expect(bad.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
  });
});

describe('WebSocket auth', () => {
  const cases: Array<[string, string, Role[]]> = [
    ['/v1/agent', 'agent socket', ['agent']],
    ['/v1/alerts/stream', 'alert stream', ['viewer', 'responder', 'admin']],
  ];
  for (const [path, name, allowed] of cases) {
    it(`${name}: 4401 without token, 4403 for the wrong role`, async () => {
      h = await makeHarness();
      const base = await h.listen();
      const none = new TestSocket(`${base}${path}`);
      expect(await none.waitClosed()).toMatchObject({ code: 4401, reason: expect.stringContaining('missing token') });
      const bogus = new TestSocket(`${base}${path}?token=nope`);
      expect((await bogus.waitClosed()).code).toBe(4401);
      for (const role of ALL_ROLES.filter((r) => !allowed.includes(r))) {
        const s = new TestSocket(`${base}${path}`, { token: h.tokens[role] });
        expect(await s.waitClosed()).toMatchObject({ code: 4403, reason: expect.stringContaining(`"${role}"`) });
      }
      for (const role of allowed) {
        const s = new TestSocket(`${base}${path}`, { token: h.tokens[role] });
        await s.opened();
        await new Promise((r) => setTimeout(r, 30));
        expect(s.closed).toBeUndefined();
        s.close();
      }
    });
  }

  it('revoking a token closes its live sockets at once, and only those', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const doomed = h.app.vigil.tokens.create('viewer', 'doomed');
    const a = new TestSocket(`${base}/v1/alerts/stream`, { token: doomed.token });
    const b = new TestSocket(`${base}/v1/alerts/stream`, { token: h.tokens.viewer });
    await a.opened();
    await b.opened();
    h.app.vigil.tokens.revoke(doomed.info.id);
    expect(await a.waitClosed()).toMatchObject({ code: 4401, reason: expect.stringContaining('token revoked') });
    await new Promise((r) => setTimeout(r, 50));
    expect(b.closed).toBeUndefined();
    b.close();
  });

  it('accepts the token as ?token= or as a bearer.<token> subprotocol', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const q = new TestSocket(`${base}/v1/alerts/stream?token=${encodeURIComponent(h.tokens.viewer)}`);
    await q.opened();
    const sp = new TestSocket(`${base}/v1/alerts/stream`, { protocols: ['vigil.v1.json', `bearer.${h.tokens.viewer}`] });
    await sp.opened();
    expect(sp.ws.protocol).toBe('vigil.v1.json');
    await new Promise((r) => setTimeout(r, 30));
    expect([q.closed, sp.closed]).toEqual([undefined, undefined]);
  });

  it('refuses upgrades on unknown paths with 404', async () => {
    h = await makeHarness();
    const s = new TestSocket(`${await h.listen()}/v1/nope`, { token: h.tokens.admin });
    expect((await s.waitClosed()).code).toBe(1006);
  });
});
