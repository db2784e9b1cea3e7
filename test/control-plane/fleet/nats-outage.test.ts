// --nats through a NATS outage: while nats-server is down, replicas refuse
// agent hellos and batches (4503, no ack) and /healthz is 503; after it
// restarts with its store, the agent's resend is accepted and a subscriber
// sees every alert exactly once. It never acks what JetStream does not hold.
import { describe, expect, it } from 'vitest';
import { connect } from 'nats';
import { PROTOCOL_VERSION, encodeEnvelope } from '../../../proto/src';
import { type Harness, until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { TestSocket } from '../helpers/ws-client';
import { useFleet } from '../helpers/fleet-replicas';

interface FeedAlert { seq: number; agent_seq: number }
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function healthz(h: Harness): Promise<number> {
  return (await h.app.inject({ url: '/healthz' })).statusCode;
}

async function waitHealth(h: Harness, code: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await healthz(h)) !== code) {
    if (Date.now() > end) throw new Error(`/healthz never answered ${code}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('fleet: nats-server killed mid-run', () => {
  const fleet = useFleet();

  it('refuses batches while down, then takes the resend with no loss and no duplicate', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await a.listen();
    await b.listen();
    const feed = new TestSocket(`${b.wsBase}/v1/alerts/stream?after=0`, { token: b.tokens.viewer });
    await feed.opened();

    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('web1'), { host_id: 'web1' });
    agent.sendAlerts(1, range(1, 20).map((s) => sampleAlert(s)));
    expect((await agent.waitFor('ack')).ack.seq).toBe(20);
    await feed.waitMessages(20, 10_000);

    // Mid-run: a batch is on its way when the server dies. It may or may not be acked.
    agent.sendAlerts(21, range(21, 40).map((s) => sampleAlert(s)));
    await nats.kill();
    await waitHealth(a, 503, 5000);
    expect(await a.app.inject({ url: '/healthz' }).then((r) => r.json())).toMatchObject({ status: 'unhealthy', nats: 'disconnected' });

    // While down: a batch is never acked; the session closes with 4503 so the agent keeps it.
    agent.sendAlerts(41, range(41, 50).map((s) => sampleAlert(s)));
    expect((await agent.sock.waitClosed(10_000)).code).toBe(4503);
    expect(agent.of('ack').map((e) => e.ack.seq).filter((s) => s > 40)).toEqual([]);
    // A new hello is refused too, on either replica.
    const late = new TestSocket(`${b.wsBase}/v1/agent`, { token: b.agentToken('web2') });
    await late.opened();
    late.ws.send(encodeEnvelope({ hello: { host_id: 'web2', protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor } }));
    expect((await late.waitClosed(5000)).code).toBe(4503);

    // Restart with the same store; both replicas recover.
    await nats.start();
    await waitHealth(a, 200, 10_000);
    await waitHealth(b, 200, 10_000);

    // The agent resends everything not acked, after what the replica says it holds (any replica will do).
    const back = await FakeAgent.connect(b.wsBase, b.agentToken('web1'), { host_id: 'web1' });
    const resumeAfter = (await back.waitFor('server_hello')).server_hello.alert_seq;
    const lastAcked = Math.max(...agent.of('ack').map((e) => e.ack.seq));
    expect(resumeAfter).toBeLessThanOrEqual(50);
    expect(lastAcked).toBeGreaterThanOrEqual(20);
    // Resend from 15, as an agent whose acks for 15..20 were lost would: the restarted
    // server (same store) still knows those msgIDs, so they must not land twice.
    const from = Math.min(resumeAfter, lastAcked, 14) + 1;
    back.sendAlerts(from, range(from, 50).map((s) => sampleAlert(s)));
    expect((await back.waitFor('ack', 1, 10_000)).ack.seq).toBe(50);
    back.sendAlerts(51, [sampleAlert(51, { rule_id: 'marker' })]);
    await until(() => feed.json<FeedAlert>().some((x) => x.agent_seq === 51), 20_000, 'marker on the feed');

    const got = feed.json<FeedAlert>();
    expect(got.map((x) => x.agent_seq)).toEqual(range(1, 51));
    expect(new Set(got.map((x) => x.seq)).size).toBe(51);
    // JetStream itself deduplicated the resends (msgIDs survive the restart): one message per alert.
    const nc = await connect({ servers: nats.url });
    const info = await (await nc.jetstreamManager()).streams.info('VIGIL_ALERTS');
    await nc.close();
    expect(info.state.messages).toBe(51);
    // Replica A converges on the same alerts under the same seqs.
    await until(() => a.app.vigil.alerts.maxSeq() >= got[got.length - 1].seq, 10_000, 'A caught up');
    expect(a.app.vigil.alerts.page({ host: 'web1' }, { order: 'asc', limit: 100 }).map((x) => [x.seq, x.agent_seq]))
      .toEqual(got.map((x) => [x.seq, x.agent_seq]));
  }, 60_000);
});
