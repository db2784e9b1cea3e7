// The real agent transport (ControlPlaneClient with its SQLite outbox)
// against --nats replicas, through a nats-server crash: every alert the
// agent enqueued reaches a feed subscriber on the other replica exactly
// once, and the outbox ends empty. 4503 is an ordinary retry for the agent.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlPlaneClient } from '../../agent/src/transport';
import { NatsServer } from '../control-plane/helpers/nats-server';
import { TestSocket } from '../control-plane/helpers/ws-client';
import { alertDoc, createTokens, startControlPlane, tempDir, until, type ControlPlane } from './helpers/control-plane';

const HOST = 'cafebabecafebabecafebabecafebabe';

describe('agent transport against --nats replicas', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('delivers every alert once across a nats-server kill and restart', async () => {
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const nats = await NatsServer.start();
    cleanup.push(() => nats.stop());
    const a: ControlPlane = await startControlPlane(join(tmp.dir, 'a.db'), 0, { natsUrl: nats.url });
    cleanup.push(() => a.close());
    const b: ControlPlane = await startControlPlane(join(tmp.dir, 'b.db'), 0, { natsUrl: nats.url });
    cleanup.push(() => b.close());
    const feed = new TestSocket(`${b.url}/v1/alerts/stream?after=0`, { token: createTokens(b.app).viewer });
    await feed.opened();

    const c = new ControlPlaneClient({
      url: a.url, token: createTokens(a.app).agent, outboxPath: join(tmp.dir, 'agent.db'),
      hello: { host_id: HOST, hostname: 'web1', kernel: '6.18.0-test' },
      backoffInitialMs: 20, backoffMaxMs: 200, flushTimeoutMs: 500, ackTimeoutMs: 2000,
    });
    cleanup.push(() => c.stop());
    c.start();
    for (let i = 1; i <= 30; i++) c.enqueueAlert(alertDoc(i));
    await until(() => c.stats().acked >= 30, 10_000, '30 acked');

    const before = c.stats().reconnects;
    await nats.kill();
    for (let i = 31; i <= 60; i++) c.enqueueAlert(alertDoc(i));
    // Down: the agent tries (and is refused with 4503) several times, and nothing new is acked.
    await until(() => c.stats().reconnects >= before + 3, 10_000, 'three refused attempts');
    expect(c.stats().acked).toBe(30);
    expect(c.stats().pending).toBe(30);

    await nats.start();
    await until(() => c.stats().pending === 0, 20_000, 'outbox drained');
    c.enqueueAlert(alertDoc(61, { rule: { id: 'marker', name: 'marker', level: 'low' } }));
    await until(() => feed.json<{ agent_seq: number }>().some((x) => x.agent_seq === 61), 20_000, 'marker on the feed');
    const got = feed.json<{ seq: number; agent_seq: number }>();
    expect(got.map((x) => x.agent_seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    expect(new Set(got.map((x) => x.seq)).size).toBe(61);
  }, 60_000);

  it('fails over to the next replica URL when its replica dies, with every alert delivered once', async () => {
    const tmp = tempDir();
    cleanup.push(() => tmp.cleanup());
    const nats = await NatsServer.start();
    cleanup.push(() => nats.stop());
    const a: ControlPlane = await startControlPlane(join(tmp.dir, 'a.db'), 0, { natsUrl: nats.url });
    cleanup.push(() => a.close());
    const b: ControlPlane = await startControlPlane(join(tmp.dir, 'b.db'), 0, { natsUrl: nats.url });
    cleanup.push(() => b.close());
    const feed = new TestSocket(`${b.url}/v1/alerts/stream?after=0`, { token: createTokens(b.app).viewer });
    await feed.opened();
    // One agent token, made on A; replicas share tokens, so it works on B too.
    const { token } = a.app.vigil.tokens.create('agent', 'failover');
    await until(() => b.app.vigil.tokens.verify(token) !== undefined, 5000, 'token shared with B');

    const c = new ControlPlaneClient({
      url: `${a.url},${b.url}`, token, outboxPath: join(tmp.dir, 'agent.db'),
      hello: { host_id: HOST, hostname: 'web1', kernel: '6.18.0-test' },
      backoffInitialMs: 20, backoffMaxMs: 200, flushTimeoutMs: 500, ackTimeoutMs: 2000,
    });
    cleanup.push(() => c.stop());
    c.start();
    for (let i = 1; i <= 20; i++) c.enqueueAlert(alertDoc(i));
    await until(() => c.stats().acked >= 20, 10_000, '20 acked via A');
    expect(a.app.vigil.registry.get(HOST)).toBeDefined();

    await a.close();
    const t0 = Date.now();
    for (let i = 21; i <= 40; i++) c.enqueueAlert(alertDoc(i));
    await until(() => b.app.vigil.registry.get(HOST) !== undefined, 10_000, 'the agent on B');
    expect(Date.now() - t0).toBeLessThan(10_000);
    await until(() => c.stats().pending === 0, 10_000, 'outbox drained through B');
    c.enqueueAlert(alertDoc(41, { rule: { id: 'marker', name: 'marker', level: 'low' } }));
    await until(() => feed.json<{ agent_seq: number }>().some((x) => x.agent_seq === 41), 10_000, 'marker on the feed');
    expect(feed.json<{ agent_seq: number }>().map((x) => x.agent_seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  }, 60_000);
});
