// --nats: two control-plane replicas on one real nats-server. Alerts sent
// to replica A reach a feed subscriber on replica B exactly once and in
// order, and a cursor from one replica resumes on the other.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeHarness, type Harness, until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { TestSocket } from '../helpers/ws-client';
import { NatsServer } from '../helpers/nats-server';

interface FeedAlert { seq: number; host_id: string; agent_seq: number; id: string }

// One nats-server for the file: each test uses its own host ids and filters the feed by them.
describe('fleet: two replicas on one JetStream', () => {
  let nats: NatsServer;
  const open: Harness[] = [];
  const replica = async (): Promise<Harness> => {
    const h = await makeHarness({ natsUrl: nats.url });
    open.push(h);
    await h.listen();
    return h;
  };

  beforeAll(async () => { nats = await NatsServer.start(); });
  afterAll(async () => nats?.stop());
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it('N alerts sent to replica A reach a subscriber on replica B exactly once, in order, with stream seqs', async () => {
    const a = await replica();
    const b = await replica();
    const feed = new TestSocket(`${b.wsBase}/v1/alerts/stream?after=0`, { token: b.tokens.viewer });
    await feed.opened();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('web1'), { host_id: 'web1' });
    const N = 300;
    for (let first = 1; first <= N; first += 50) {
      agent.sendAlerts(first, Array.from({ length: 50 }, (_, i) => sampleAlert(first + i)));
    }
    await until(() => agent.of('ack').some((e) => e.ack.seq === N), 10_000, `ack of seq ${N}`);
    await feed.waitMessages(N, 10_000);
    // A marker that must come after every one of them: anything extra would show up before it.
    agent.sendAlerts(N + 1, [sampleAlert(N + 1, { rule_id: 'marker' })]);
    await feed.waitMessages(N + 1, 10_000);
    const got = feed.json<FeedAlert>();
    expect(got.map((x) => x.agent_seq)).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    expect(got.every((x) => x.host_id === 'web1')).toBe(true);
    const seqs = got.map((x) => x.seq);
    expect(new Set(seqs).size).toBe(N + 1);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    // One sequence space: A's REST shows the same seqs as B's feed.
    const rest = await a.app.inject({ url: `/v1/alerts?order=asc&limit=1000&host=web1`, headers: bearer(a.tokens.viewer) });
    expect(rest.json().alerts.map((x: FeedAlert) => x.seq)).toEqual(seqs);
    // Acks came only once JetStream held the alerts: the stream has each one.
    expect(b.app.vigil.fleet!.consumer.applied).toBeGreaterThanOrEqual(seqs[seqs.length - 1]);
  }, 30_000);

  it('a re-sent batch (lost ack) is acked again but stored and delivered once', async () => {
    const a = await replica();
    const b = await replica();
    const feed = new TestSocket(`${b.wsBase}/v1/alerts/stream?after=0&host=db1`, { token: b.tokens.viewer });
    await feed.opened();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('db1'), { host_id: 'db1' });
    const batch = Array.from({ length: 5 }, (_, i) => sampleAlert(i + 1));
    agent.sendAlerts(1, batch);
    await agent.waitFor('ack', 1, 5000);
    agent.sendAlerts(1, batch);
    expect((await agent.waitFor('ack', 2, 5000)).ack.seq).toBe(5);
    agent.sendAlerts(6, [sampleAlert(6, { rule_id: 'marker' })]);
    await until(() => feed.json<FeedAlert>().some((x) => x.agent_seq === 6), 10_000, 'marker on the feed');
    expect(feed.json<FeedAlert>().map((x) => x.agent_seq)).toEqual([1, 2, 3, 4, 5, 6]);
  }, 30_000);

  it('resume by cursor across replicas: seq N from A, reconnect to B with after=N, get N+1.. with no gap and no duplicate', async () => {
    const a = await replica();
    const b = await replica();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('app1'), { host_id: 'app1' });
    agent.sendAlerts(1, Array.from({ length: 40 }, (_, i) => sampleAlert(i + 1)));
    await agent.waitFor('ack', 1, 5000);

    const onA = new TestSocket(`${a.wsBase}/v1/alerts/stream?after=0&host=app1`, { token: a.tokens.viewer });
    const firstPart = (await onA.waitMessages(25, 10_000)).map((m) => JSON.parse(m.data.toString()) as FeedAlert).slice(0, 25);
    onA.close();
    const cursor = firstPart[firstPart.length - 1].seq;

    // More alerts arrive while the subscriber is away; it comes back on the other replica.
    agent.sendAlerts(41, Array.from({ length: 20 }, (_, i) => sampleAlert(41 + i)));
    await agent.waitFor('ack', 2, 5000);
    const onB = new TestSocket(`${b.wsBase}/v1/alerts/stream?after=${cursor}&host=app1`, { token: b.tokens.viewer });
    await onB.waitMessages(35, 10_000);
    agent.sendAlerts(61, [sampleAlert(61, { rule_id: 'marker' })]);
    await until(() => onB.json<FeedAlert>().some((x) => x.agent_seq === 61), 10_000, 'marker on B');

    const all = [...firstPart, ...onB.json<FeedAlert>()];
    expect(all.map((x) => x.agent_seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    const seqs = all.map((x) => x.seq);
    expect(new Set(seqs).size).toBe(61);
    expect(onB.json<FeedAlert>()[0].seq).toBeGreaterThan(cursor);
  }, 30_000);
});
