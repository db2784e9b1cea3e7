// Group commit: batches added in one turn of the event loop share one
// transaction and are acked after it; a failed commit acks none of them and
// stores none of them.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { sampleAlert } from '../helpers/fake-agent';
import { FakeAgent } from '../helpers/fake-agent';
import { makeHarness, until, type Harness } from '../helpers/harness';

let h: Harness;
const agents: FakeAgent[] = [];
afterEach(async () => {
  agents.splice(0).forEach((a) => a.close());
  await h?.close();
});

const items = (host: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, alert: normalize<Alert>('Alert', sampleAlert(from + i, { id: `${host}-${from + i}` })) }));

describe('group commit of alert batches', () => {
  it('batches added in one turn commit together, then each is told', async () => {
    h = await makeHarness();
    const { commits, alerts } = h.app.vigil;
    const done: string[] = [];
    commits.add('h1', items('h1', 1, 3), (err) => done.push(`h1:${err ?? 'ok'}`));
    commits.add('h2', items('h2', 1, 2), (err) => done.push(`h2:${err ?? 'ok'}`));
    commits.add('h1', items('h1', 4, 1), (err) => done.push(`h1b:${err ?? 'ok'}`));
    expect(done).toEqual([]); // nothing is acked before the commit
    await until(() => done.length === 3, 2000, 'the commit');
    expect(done).toEqual(['h1:ok', 'h2:ok', 'h1b:ok']);
    expect(commits.counters).toEqual({ commits: 1, batches: 3 });
    expect(alerts.maxAgentSeq('h1')).toBe(4);
    expect(alerts.maxAgentSeq('h2')).toBe(2);
  });

  it('a commit that fails stores nothing and acks nothing; the agents keep their alerts', async () => {
    h = await makeHarness();
    const { commits, alerts, db } = h.app.vigil;
    // Make the insert fail inside the transaction, after the first batch's rows went in.
    db.exec(`CREATE TRIGGER fail_h2 BEFORE INSERT ON alerts WHEN NEW.host_id = 'h2' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;`);
    const done: string[] = [];
    commits.add('h1', items('h1', 1, 2), (err) => done.push(`h1:${err ? (err as Error).message : 'ok'}`));
    commits.add('h2', items('h2', 1, 1), (err) => done.push(`h2:${err ? (err as Error).message : 'ok'}`));
    await until(() => done.length === 2, 2000, 'the failed commit');
    expect(done).toEqual(['h1:disk full (simulated)', 'h2:disk full (simulated)']);
    expect(alerts.maxAgentSeq('h1')).toBe(0);
  });

  it('over the socket: an agent whose batch cannot be stored is closed without an ack, and its re-send is stored once', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('h9'), { host_id: 'h9' });
    agents.push(a);
    h.app.vigil.db.exec(`CREATE TRIGGER fail_h9 BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;`);
    a.sendAlerts(1, [sampleAlert(1), sampleAlert(2)]);
    expect((await a.sock.waitClosed()).code).toBe(1011);
    expect(a.of('ack')).toEqual([]);
    h.app.vigil.db.exec('DROP TRIGGER fail_h9');
    const b = await FakeAgent.connect(base, h.agentToken('h9'), { host_id: 'h9' });
    agents.push(b);
    expect((await b.waitFor('server_hello')).server_hello.alert_seq).toBe(0);
    b.sendAlerts(1, [sampleAlert(1), sampleAlert(2)]);
    expect((await b.waitFor('ack')).ack.seq).toBe(2);
    expect(h.app.vigil.alerts.page({ host: 'h9' }, { order: 'asc', limit: 10 }).map((x) => x.agent_seq)).toEqual([1, 2]);
  });
});
