// --nats: a replica that cannot store an alert read from VIGIL_ALERTS reads
// it again until it can, rather than skip it (a hole in its copy of the
// sequence space that a resuming subscriber would fall into); only a
// message that keeps failing (poison) is skipped, after 10 tries, so the
// replica does not stall for ever.
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/harness';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { useFleet } from '../helpers/fleet-replicas';

describe('fleet: alert consumer', () => {
  const fleet = useFleet();

  it('retries an alert it failed to store and then stores it and the ones after it, in order', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await a.listen();
    // A row squatting on seq 1 in B's store makes B's insert of stream seq 1 fail.
    b.app.vigil.db.prepare(`INSERT INTO alerts (seq, host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags,
      ts, ts_ms, received_at, source, alert, doc) VALUES (1, 'squatter', NULL, 'x', 'x', 'x', 'low', 2, '[]', 't', 0, 't', 'control-plane', '{}', '{}')`).run();

    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('web1'), { host_id: 'web1' });
    agent.sendAlerts(1, [1, 2, 3].map((s) => sampleAlert(s)));
    expect((await agent.waitFor('ack')).ack.seq).toBe(3);
    await until(() => b.app.vigil.fleet!.consumer.storeFailures >= 2, 10_000, 'B failed to store seq 1 and tried again');
    expect(b.app.vigil.fleet!.consumer.applied).toBe(0);
    expect(b.app.vigil.alerts.page({ host: 'web1' }, { order: 'asc', limit: 10 })).toEqual([]);

    b.app.vigil.db.prepare("DELETE FROM alerts WHERE host_id = 'squatter'").run();
    await until(() => b.app.vigil.fleet!.consumer.applied === 3, 10_000, 'B caught up');
    const onB = b.app.vigil.alerts.page({ host: 'web1' }, { order: 'asc', limit: 10 }).map((x) => [x.seq, x.agent_seq]);
    const onA = a.app.vigil.alerts.page({ host: 'web1' }, { order: 'asc', limit: 10 }).map((x) => [x.seq, x.agent_seq]);
    expect(onB).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(onB).toEqual(onA);
  }, 20_000);

  it('skips a message that keeps failing after 10 tries and goes on with the next ones', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await a.listen();
    b.app.vigil.db.prepare(`INSERT INTO alerts (seq, host_id, agent_seq, alert_id, rule_id, rule_name, severity, severity_rank, tags,
      ts, ts_ms, received_at, source, alert, doc) VALUES (1, 'squatter', NULL, 'x', 'x', 'x', 'low', 2, '[]', 't', 0, 't', 'control-plane', '{}', '{}')`).run();
    const agent = await FakeAgent.connect(a.wsBase, a.agentToken('web1'), { host_id: 'web1' });
    agent.sendAlerts(1, [1, 2, 3].map((s) => sampleAlert(s)));
    await until(() => b.app.vigil.fleet!.consumer.applied === 3, 20_000, 'B skipped seq 1 and stored the rest');
    expect(b.app.vigil.fleet!.consumer.storeFailures).toBe(10);
    expect(b.app.vigil.alerts.page({ host: 'web1' }, { order: 'asc', limit: 10 }).map((x) => [x.seq, x.agent_seq])).toEqual([[2, 2], [3, 3]]);
  }, 30_000);
});
