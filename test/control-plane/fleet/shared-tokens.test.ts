// --nats: API tokens live in the JetStream KV bucket VIGIL_TOKENS. A token
// created on replica A authenticates on replica B (REST and the agent
// socket), and revoking it on A locks it out of B too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeHarness, type Harness, until } from '../helpers/harness';
import { FakeAgent } from '../helpers/fake-agent';
import { NatsServer } from '../helpers/nats-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeToken } from '../../../control-plane/src/fleet/token-replicator';
import { AuditStore } from '../../../control-plane/src/store/audit-store';
import { openDb } from '../../../control-plane/src/store/db';
import { TokenStore } from '../../../control-plane/src/store/token-store';
import type { TokenRecord } from '../../../control-plane/src/store/token-store';

describe('fleet: tokens shared between replicas', () => {
  let nats: NatsServer;
  const open: Harness[] = [];
  beforeAll(async () => { nats = await NatsServer.start(); });
  afterAll(async () => nats?.stop());
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  async function status(h: Harness, token: string): Promise<number> {
    return (await h.app.inject({ url: '/v1/alerts', headers: bearer(token) })).statusCode;
  }
  async function waitStatus(h: Harness, token: string, code: number): Promise<void> {
    const end = Date.now() + 5000;
    while ((await status(h, token)) !== code) {
      if (Date.now() > end) throw new Error(`GET /v1/alerts never answered ${code}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('a viewer token created over REST on A works on B, and revoking it on A locks it out of B', async () => {
    const a = await makeHarness({ natsUrl: nats.url });
    const b = await makeHarness({ natsUrl: nats.url });
    open.push(a, b);
    const created = await a.app.inject({ method: 'POST', url: '/v1/tokens', headers: bearer(a.tokens.admin), payload: { role: 'viewer', name: 'shared' } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    await waitStatus(b, token, 200);
    expect(b.app.vigil.tokens.list().find((t) => t.id === id)).toMatchObject({ role: 'viewer', name: 'shared', revoked_at: null });

    expect((await a.app.inject({ method: 'DELETE', url: `/v1/tokens/${id}`, headers: bearer(a.tokens.admin) })).statusCode).toBe(200);
    await waitStatus(b, token, 401);
    expect(await status(a, token)).toBe(401);
  });

  it('an agent token made on A lets its host connect to B; its host binding follows', async () => {
    const a = await makeHarness({ natsUrl: nats.url });
    const b = await makeHarness({ natsUrl: nats.url });
    open.push(a, b);
    await b.listen();
    const { token, info } = a.app.vigil.tokens.create('agent', 'made-on-a');
    await until(() => b.app.vigil.tokens.verify(token) !== undefined, 5000, 'token on B');
    const agent = await FakeAgent.connect(b.wsBase, token, { host_id: 'moved-host' });
    expect(agent.sock.closed).toBeUndefined();
    await until(() => a.app.vigil.tokens.record(info.id)?.bound_host === 'moved-host', 5000, 'binding on A');
    agent.close();
  });

  it('two hosts racing one agent token on two replicas: one is accepted, the other refused, and both replicas agree', async () => {
    const a = await makeHarness({ natsUrl: nats.url });
    const b = await makeHarness({ natsUrl: nats.url });
    open.push(a, b);
    await a.listen();
    await b.listen();
    const { token, info } = a.app.vigil.tokens.create('agent', 'raced');
    await until(() => b.app.vigil.tokens.verify(token) !== undefined, 5000, 'token on B');
    for (let round = 0; round < 3; round++) {
      const t = round === 0 ? { token, id: info.id } : (() => { const c = a.app.vigil.tokens.create('agent', `raced-${round}`); return { token: c.token, id: c.info.id }; })();
      await until(() => b.app.vigil.tokens.verify(t.token) !== undefined, 5000, 'token on B');
      const results = await Promise.allSettled([
        FakeAgent.connect(a.wsBase, t.token, { host_id: `host-a-${round}` }),
        FakeAgent.connect(b.wsBase, t.token, { host_id: `host-b-${round}` }),
      ]);
      const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(accepted).toHaveLength(1);
      const winner = accepted[0] === 0 ? `host-a-${round}` : `host-b-${round}`;
      await until(() => a.app.vigil.tokens.record(t.id)?.bound_host === winner && b.app.vigil.tokens.record(t.id)?.bound_host === winner, 5000, 'both replicas agree');
      for (const r of results) if (r.status === 'fulfilled') r.value.close();
    }
  }, 30_000);

  it('a merge never clears a revocation or a binding, whichever side holds it', () => {
    const base: TokenRecord = { id: 't', name: 't', role: 'viewer', hash: 'a'.repeat(64), created_at: 'x', revoked_at: null, bound_host: null };
    expect(mergeToken({ ...base, revoked_at: 'r1' }, base)).toMatchObject({ revoked_at: 'r1' });
    expect(mergeToken(base, { ...base, revoked_at: 'r2', bound_host: 'h' })).toMatchObject({ revoked_at: 'r2', bound_host: 'h' });
    expect(mergeToken({ ...base, bound_host: 'first' }, { ...base, bound_host: 'second' })).toMatchObject({ bound_host: 'first' });
    expect(mergeToken(undefined, base)).toEqual(base);
  });

  it('a token made offline in a replica\'s database (vigil token create --db) is shared when that replica starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tokens-'));
    try {
      const db = openDb(join(dir, 'a.db'));
      const { token } = new TokenStore(db, new AuditStore(db)).create('viewer', 'made-offline');
      db.close();
      const b = await makeHarness({ natsUrl: nats.url });
      open.push(b);
      expect(b.app.vigil.tokens.verify(token)).toBeUndefined();
      const a = await makeHarness({ natsUrl: nats.url, dbPath: join(dir, 'a.db') });
      open.push(a);
      await waitStatus(b, token, 200);
    } finally {
      for (const h of open.splice(0)) await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
