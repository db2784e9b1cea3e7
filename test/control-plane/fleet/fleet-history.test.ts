// --nats: each replica indexes the exec events its own agents forwarded;
// asked on any replica, "which hosts ran X" gathers every replica's answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeHarness, type Harness } from '../helpers/harness';
import { FakeAgent } from '../helpers/fake-agent';
import { NatsServer } from '../helpers/nats-server';
import { execEvent } from '../helpers/forwarded-events';

describe('fleet: exec history across replicas', () => {
  let nats: NatsServer;
  beforeAll(async () => { nats = await NatsServer.start(); });
  afterAll(async () => nats?.stop());

  it('an agent on A and one on B, asked on B: both hosts, from two replicas', async () => {
    const open: Harness[] = [];
    for (let i = 0; i < 2; i++) {
      const h = await makeHarness({ natsUrl: nats.url });
      await h.listen();
      open.push(h);
    }
    const [a, b] = open;
    const onA = await FakeAgent.connect(a.wsBase, a.agentToken('hist-a'), { host_id: 'hist-a' });
    const onB = await FakeAgent.connect(b.wsBase, b.agentToken('hist-b'), { host_id: 'hist-b' });
    onA.send({ event_batch: { first_seq: 1, events: [execEvent('/tmp/xmrig'), execEvent('/tmp/xmrig'), execEvent('/tmp/xmrig')] } });
    onB.send({ event_batch: { first_seq: 1, events: [execEvent('/tmp/xmrig')] } });
    await onA.waitFor('ack', 1, 10_000);
    await onB.waitFor('ack', 1, 10_000);
    const r = (await b.app.inject({ url: '/v1/fleet/execs?exe=*xmrig&since=15m', headers: bearer(b.tokens.viewer) })).json();
    expect(r.replicas).toBe(2);
    expect(r.hosts.map((x: { host_id: string; runs: number }) => [x.host_id, x.runs]).sort()).toEqual([['hist-a', 3], ['hist-b', 1]]);
    onA.close();
    onB.close();
    for (const h of open) await h.close();
  }, 30_000);
});
