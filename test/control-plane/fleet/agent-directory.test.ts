// --nats: every replica lists the agents any replica said hello to
// (JetStream KV VIGIL_AGENTS). An agent long gone when a replica learns of
// it is listed offline there, and that replica raises no offline alert for
// it; an agent that went silent recently is flagged as usual.
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import { AGENTS_BUCKET, agentKey, type AgentEntry } from '../../../control-plane/src/fleet/agent-directory';
import { bearer, until } from '../helpers/harness';
import { FakeAgent } from '../helpers/fake-agent';
import { useFleet } from '../helpers/fleet-replicas';

const HB = 100;
const hello = (host: string) => ({ host_id: host, hostname: `${host}.example`, kernel: '6.1.0', agent_version: '0.1.0', capabilities: [], protocol_major: 1, protocol_minor: 2 });

describe('fleet: agent directory', () => {
  const fleet = useFleet();

  it('an agent connected to B is listed by A, online, not connected to A', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await b.listen();
    await FakeAgent.connect(b.wsBase, b.agentToken('b-host:1'), { host_id: 'b-host:1', hostname: 'web-b' });
    const listed = async () => (await a.app.inject({ url: '/v1/agents', headers: bearer(a.tokens.viewer) })).json().agents as Array<Record<string, unknown>>;
    await until(() => a.app.vigil.agents.get('b-host:1') !== undefined, 5000, 'A learns of the agent');
    expect(await listed()).toMatchObject([{ host_id: 'b-host:1', hostname: 'web-b', status: 'online', connected: false }]);
  }, 20_000);

  it('a replica that learns of a long-gone agent lists it offline and raises nothing for it; a recently silent one is flagged', async () => {
    const nats = await fleet.nats();
    const nc = await connect({ servers: nats.url });
    const kv = await nc.jetstream().views.kv(AGENTS_BUCKET, { history: 1 });
    const put = (host: string, ms: number) => kv.put(agentKey(host), JSON.stringify({ hello: hello(host), hello_ms: ms } satisfies AgentEntry));
    await put('gone-long-ago', Date.now() - 3_600_000);
    await put('just-went-silent', Date.now());
    await nc.close();

    const a = await fleet.replica({ heartbeatIntervalMs: HB }, { healthMonitor: true });
    await until(() => a.app.vigil.agents.get('just-went-silent')?.status === 'offline', 5000, 'the recent one is flagged');
    await until(() => a.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 }).length === 1, 5000, 'its alert stored');
    expect(a.app.vigil.agents.get('gone-long-ago')).toMatchObject({ status: 'offline', hostname: 'gone-long-ago.example' });
    expect(a.app.vigil.alerts.page({ rule: 'vigil-agent-offline' }, { order: 'asc', limit: 10 }).map((x) => x.host_id)).toEqual(['just-went-silent']);
  }, 20_000);
});
