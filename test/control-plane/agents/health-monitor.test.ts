import { afterEach, describe, expect, it } from 'vitest';
import { OFFLINE_RULE_ID } from '../../../control-plane/src/agents/health-monitor';
import { FakeAgent } from '../helpers/fake-agent';
import { bearer, makeHarness, until, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

describe('agent health', () => {
  it('marks an agent silent for 3 intervals offline and raises vigil-agent-offline into the feed', async () => {
    h = await makeHarness({ heartbeatIntervalMs: 100 }, { healthMonitor: true });
    const base = await h.listen();
    const feed = new TestSocket(`${base}/v1/alerts/stream?after=0`, { token: h.tokens.viewer });
    await feed.opened();
    const quiet = await FakeAgent.connect(base, h.agentToken('quiet'), { host_id: 'quiet', hostname: 'db1' });
    const chatty = await FakeAgent.connect(base, h.agentToken('chatty'), { host_id: 'chatty' });
    const beat = setInterval(() => chatty.send({ heartbeat: { events: 1 } }), 50);
    try {
      const closed = await quiet.sock.waitClosed(3000);
      expect(closed.code).toBe(4411);
      const [frame] = await feed.waitMessages(1);
      const alert = JSON.parse(frame.data.toString());
      expect(alert).toMatchObject({
        rule_id: OFFLINE_RULE_ID, host_id: 'quiet', severity: 'high', source: 'control-plane', agent_seq: null,
        doc: { rule: { id: OFFLINE_RULE_ID }, host: { id: 'quiet', name: 'db1' }, event: { kind: 'alert' } },
      });
      await new Promise((r) => setTimeout(r, 400));
      const agents = (await h.app.inject({ url: '/v1/agents', headers: bearer(h.tokens.viewer) })).json().agents;
      const status = Object.fromEntries(agents.map((a: { host_id: string; status: string }) => [a.host_id, a.status]));
      expect(status).toEqual({ quiet: 'offline', chatty: 'online' });
      // One alert per outage, not one per sweep.
      expect(feed.messages.length).toBe(1);
    } finally {
      clearInterval(beat);
    }
  });

  it('after a control-plane restart, an agent gets the whole grace before it counts as offline', async () => {
    h = await makeHarness({ heartbeatIntervalMs: 1000 });
    const now = Date.now();
    // Seen online a minute ago, by the control plane that ran before this one.
    h.app.vigil.agents.upsertHello({ host_id: 'y', hostname: 'web9', kernel: '6.18', agent_version: 't', capabilities: [] });
    h.app.vigil.agents.recordHeartbeat('y', { timestamp: 't', events: 1, drops: 0, truncated: 0, filtered: 0, probes_attached: 1, probes_failed: 0, risky_trees: [] }, now - 60_000);
    expect(h.app.vigil.monitor.check(now)).toEqual([]);
    expect(h.app.vigil.monitor.check(now + 2500)).toEqual([]);
    expect(h.app.vigil.monitor.check(now + 3500)).toEqual(['y']);
  });

  it('a disconnected agent goes offline only after 3 intervals, and back online on hello', async () => {
    h = await makeHarness({ heartbeatIntervalMs: 1000 });
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('x'), { host_id: 'x' });
    a.close();
    await a.sock.waitClosed();
    const now = Date.now();
    expect(h.app.vigil.monitor.check(now + 2000)).toEqual([]);
    expect(h.app.vigil.monitor.check(now + 3500)).toEqual(['x']);
    expect(h.app.vigil.monitor.check(now + 9000)).toEqual([]);
    expect(h.app.vigil.agents.get('x')?.status).toBe('offline');
    await FakeAgent.connect(base, h.agentToken('x'), { host_id: 'x' });
    await until(() => h.app.vigil.agents.get('x')?.status === 'online', 2000, 'online');
    expect(h.app.vigil.alerts.page({ rule: OFFLINE_RULE_ID }, { order: 'asc', limit: 10 }).length).toBe(1);
  });
});
