// --nats: an alert bigger than nats-server's message size (1 MiB by default;
// agents may send up to 4 MiB frames) is stored without its document and
// event copies, marked as cut, instead of being refused on every resend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeHarness, until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { NatsServer } from '../helpers/nats-server';

describe('fleet: an alert over the backbone message size', () => {
  let nats: NatsServer;
  beforeAll(async () => { nats = await NatsServer.start(); });
  afterAll(async () => nats?.stop());

  it('is acked and stored once, cut, with its rule and process; the next alert flows as usual', async () => {
    const h = await makeHarness({ natsUrl: nats.url });
    await h.listen();
    const agent = await FakeAgent.connect(h.wsBase, h.agentToken('big1'), { host_id: 'big1' });
    const huge = JSON.stringify({ rule: { id: 'r' }, blob: 'x'.repeat(2 * 1024 * 1024) });
    agent.sendAlerts(1, [sampleAlert(1, { rule_id: 'big-rule', json: huge, process: { pid: 42, entity_id: 'e42', executable: '/bin/x' } })]);
    agent.sendAlerts(2, [sampleAlert(2, { rule_id: 'small-rule' })]);
    await until(() => agent.of('ack').some((e) => e.ack.seq === 2), 10_000, 'both acked');
    await until(() => h.app.vigil.alerts.page({ host: 'big1' }, { order: 'asc', limit: 10 }).length === 2, 10_000, 'both stored');
    const [big, small] = (await h.app.inject({ url: '/v1/alerts?host=big1&order=asc', headers: bearer(h.tokens.viewer) })).json().alerts;
    expect(big).toMatchObject({ agent_seq: 1, rule_id: 'big-rule' });
    expect(big.doc.vigil.cut).toMatch(/over the fleet backbone's \d+-byte message size/);
    expect(big.doc.blob).toBeUndefined();
    expect(h.app.vigil.alerts.get(big.seq)!.doc.process).toMatchObject({ pid: 42, entity_id: 'e42' });
    expect(small).toMatchObject({ agent_seq: 2, rule_id: 'small-rule' });
    expect(agent.sock.closed).toBeUndefined();
    agent.close();
    await h.close();
  }, 30_000);
});
