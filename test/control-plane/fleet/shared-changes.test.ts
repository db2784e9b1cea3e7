// --nats: triage and exceptions are fleet state. A change made on one
// replica goes through VIGIL_ALERTS and is applied by every replica at the
// same place in the alert order: a closed incident takes no new alert on
// any replica, incidents and exceptions get the same ids everywhere, an
// exception reaches agents connected to any replica, and a replica started
// later catches up from the stream (each change applied once).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeHarness, type Harness, until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { NatsServer } from '../helpers/nats-server';

const init = { pid: 1, entity_id: 'init', args: ['/sbin/init'] };
const shell = { pid: 50, entity_id: 'shell-1', args: ['-bash'] };
const alertOn = (seq: number, entity: string) => sampleAlert(seq, {
  rule_id: `rule-${seq}`, rule_name: `Rule ${seq}`, timestamp: new Date(Date.now() + seq).toISOString(),
  json: JSON.stringify({ '@timestamp': new Date().toISOString(), rule: { id: `rule-${seq}` }, event: { kind: 'alert' },
    process: { pid: 100 + seq, entity_id: entity, args: [entity], ancestors: [shell, init] } }),
});

describe('fleet: triage and exceptions shared through the stream', () => {
  let nats: NatsServer;
  const open: Harness[] = [];
  const agents: FakeAgent[] = [];
  const replica = async (): Promise<Harness> => {
    const h = await makeHarness({ natsUrl: nats.url });
    open.push(h);
    await h.listen();
    return h;
  };
  beforeAll(async () => { nats = await NatsServer.start(); });
  afterAll(async () => nats?.stop());
  afterEach(async () => {
    agents.splice(0).forEach((a) => a.close());
    for (const h of open.splice(0)) await h.close();
  });

  const incidentsOf = (h: Harness) => h.app.vigil.incidents.page({ host: 'tri1' }, 100).map((i) => ({ id: i.id, state: i.state, n: i.alert_count }));
  const applied = (h: Harness) => h.app.vigil.fleet!.consumer.applied;

  it('close on A: B sees it closed, the next alert of that tree opens the same new incident on both; exceptions from B reach A\'s agents', async () => {
    const a = await replica();
    const b = await replica();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('tri1'), { host_id: 'tri1' });
    agents.push(agent);
    agent.sendAlerts(1, [alertOn(1, 'tool-1')]);
    await until(() => incidentsOf(a).length === 1 && incidentsOf(b).length === 1, 10_000, 'the incident on both replicas');
    const [inc] = incidentsOf(a);
    expect(incidentsOf(b)).toEqual(incidentsOf(a));

    const patched = await a.app.inject({ method: 'PATCH', url: `/v1/incidents/${inc.id}`, headers: bearer(a.tokens.responder),
      payload: { state: 'closed', close_reason: 'benign', comment: 'admin at work' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().incident).toMatchObject({ id: inc.id, state: 'closed', close_reason: 'benign' });
    await until(() => b.app.vigil.incidents.get(inc.id)?.state === 'closed', 10_000, 'B to apply the close');
    expect(b.app.vigil.incidents.comments(inc.id).map((c) => c.text)).toEqual(['admin at work']);
    expect(b.app.vigil.audit.list(10).some((e) => e.action === 'incident.update')).toBe(true);

    // Same tree after the close: a new incident, numbered alike on both replicas.
    agent.sendAlerts(2, [alertOn(2, 'tool-2')]);
    await until(() => incidentsOf(a).length === 2 && incidentsOf(b).length === 2, 10_000, 'the new incident on both');
    expect(incidentsOf(b)).toEqual(incidentsOf(a));
    expect(incidentsOf(a).find((i) => i.id === inc.id)).toMatchObject({ state: 'closed', n: 1 });

    // An exception made on B reaches the agent connected to A.
    const made = await b.app.inject({ method: 'POST', url: '/v1/exceptions', headers: bearer(b.tokens.responder),
      payload: { rule: 'rule-2', match: { 'process.executable': ['/opt/ok'] }, host: 'tri1' } });
    expect(made.statusCode).toBe(201);
    const id = made.json().exception.id;
    const pushed = await agent.waitFor('exception_set', 2, 10_000);
    expect(pushed.exception_set.exceptions.map((x) => x.id)).toEqual([`cp-${id}`]);
    await until(() => a.app.vigil.exceptions.list().length === 1, 10_000, 'A to apply the exception');
    expect(a.app.vigil.exceptions.list().map((x) => x.id)).toEqual([id]);

    // A replica started now catches up from the stream, applying each change once.
    const c = await replica();
    await until(() => applied(c) >= applied(a) && incidentsOf(c).length === 2, 10_000, 'C to catch up');
    expect(incidentsOf(c)).toEqual(incidentsOf(a));
    expect(c.app.vigil.exceptions.list().map((x) => [x.id, x.rule])).toEqual([[id, 'rule-2']]);

    // Deleted on C: gone everywhere, and the agent on A is told.
    expect((await c.app.inject({ method: 'DELETE', url: `/v1/exceptions/${id}`, headers: bearer(c.tokens.responder) })).statusCode).toBe(200);
    expect((await agent.waitFor('exception_set', 3, 10_000)).exception_set.exceptions).toEqual([]);
    await until(() => a.app.vigil.exceptions.list().length === 0 && b.app.vigil.exceptions.list().length === 0, 10_000, 'the delete everywhere');
  }, 60_000);
});
