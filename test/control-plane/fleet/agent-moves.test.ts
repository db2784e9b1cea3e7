// --nats: an agent that moves from replica A to replica B stays alive on A
// (A follows VIGIL_HEARTBEATS), so A raises no false offline alert. When
// the agent really goes silent, both replicas notice and the stream keeps
// one offline alert, not one per replica.
import { describe, expect, it } from 'vitest';
import { type Harness, until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { useFleet } from '../helpers/fleet-replicas';

const HB = 100;

describe('fleet: agent liveness across replicas', () => {
  const fleet = useFleet();

  it('no offline alert while the agent heartbeats to the other replica; one when it goes silent', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica({ heartbeatIntervalMs: HB }, { healthMonitor: true });
    const b = await fleet.replica({ heartbeatIntervalMs: HB }, { healthMonitor: true });
    await a.listen();
    await b.listen();
    const offline = (h: Harness) => h.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 });

    const onA = await FakeAgent.connect(a.wsBase, a.agentToken('mover'), { host_id: 'mover' });
    onA.send({ heartbeat: { timestamp: new Date().toISOString() } });
    onA.close();
    const movedAt = new Date().toISOString();
    const onB = await FakeAgent.connect(b.wsBase, b.agentToken('mover'), { host_id: 'mover' });
    // Eight intervals on B: A would flag the agent after three if it did not follow the heartbeats.
    for (let i = 0; i < 16; i++) {
      onB.send({ heartbeat: { timestamp: new Date().toISOString() } });
      await new Promise((r) => setTimeout(r, HB / 2));
    }
    expect(a.app.vigil.agents.get('mover')?.status).toBe('online');

    // Now it goes silent for real: both replicas must flag it.
    onB.close();
    await until(() => a.app.vigil.agents.get('mover')?.status === 'offline' && b.app.vigil.agents.get('mover')?.status === 'offline',
      5000, 'both replicas flag the silent agent');
    // A marker alert published after both raised theirs: once it is stored, theirs are too.
    const other = await FakeAgent.connect(a.wsBase, a.agentToken('marker-host'), { host_id: 'marker-host' });
    other.sendAlerts(1, [sampleAlert(1, { rule_id: 'marker' })]);
    await until(() => b.app.vigil.alerts.page({ rule: 'marker' }, { order: 'asc', limit: 1 }).length === 1, 5000, 'marker on B');
    await until(() => a.app.vigil.alerts.page({ rule: 'marker' }, { order: 'asc', limit: 1 }).length === 1, 5000, 'marker on A');

    for (const h of [a, b]) {
      const alerts = offline(h);
      expect(alerts).toHaveLength(1);
      // Raised for the silence after the move, not for the session on A.
      expect(alerts[0].alert.last_seen >= movedAt).toBe(true);
    }
    expect(offline(a)[0].seq).toBe(offline(b)[0].seq);
  }, 30_000);

  it('an agent that goes silent while NATS is down still gets its offline alert once NATS is back', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica({ heartbeatIntervalMs: HB }, { healthMonitor: true });
    await a.listen();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('lonely'), { host_id: 'lonely' });
    agent.send({ heartbeat: { timestamp: new Date().toISOString() } });
    agent.close();
    await nats.kill();
    await until(() => a.app.vigil.agents.get('lonely')?.status === 'offline', 5000, 'A flags the silent agent while NATS is down');
    expect(a.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 })).toEqual([]);
    await nats.start();
    await until(() => a.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 }).length === 1, 15_000,
      'the offline alert, published once NATS is back');
    expect(a.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 })[0].host_id).toBe('lonely');
  }, 30_000);
});
